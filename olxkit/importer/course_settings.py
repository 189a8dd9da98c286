"""The imported course's own settings as olxkit writes them: course.yaml (key, dates, about pages, grading,
problem defaults), part of the import's project writer (project.py's `Writer`)."""

from __future__ import annotations

import re

from ..source.yamlio import format_date, parse_date
from .plan import dump_yaml

KNOWN_COURSE_POLICY = ("display_name", "language", "start", "end", "enrollment_start", "enrollment_end",
                       "self_paced")
SETTINGS = ("max_attempts", "weight", "showanswer", "show_correctness", "show_reset_button", "rerandomize")


class CourseSettingsWriter:
    """course.yaml and the course's pages; mixed into `Writer`, whose plan, export and files it uses."""

    # -- course.yaml ---------------------------------------------------------------------------------------
    def course_yaml(self) -> None:
        policy = self.olx.course_policy()
        title = self._course_value("display_name") or self.olx.number
        data: dict = {"org": self.olx.org, "number": self.olx.number, "run": self.olx.run, "title": title,
                      "language": self.language}
        start = self._date("start") or "2030-01-01T00:00:00Z"
        data["start"] = start
        end = self._date("end")
        if end and parse_date(end) > parse_date(start):
            data["end"] = end
        enrollment = {k: self._date(f"enrollment_{k}") for k in ("start", "end")}
        if any(enrollment.values()):
            data["enrollment"] = {k: v for k, v in enrollment.items() if v}
        data["self_paced"] = self._course_value("self_paced") in (True, "true")
        about: dict = {}
        image = self._course_value("course_image")
        if image and image in self.assets and "/" not in image:
            about["image"] = image
        for name in ("short_description", "effort", "duration"):
            text = self._plain_page(f"about/{name}.html")
            if text:
                about[name] = text
        video = self.olx.files.get("about/video.html", b"").decode("utf-8")
        match = re.fullmatch(r'<iframe width="560" height="315" src="https://www\.youtube\.com/embed/'
                             r'([A-Za-z0-9_-]{11})\?rel=0" frameborder="0" allowfullscreen=""></iframe>\n', video)
        if match:
            about["intro_video"] = match.group(1)
        if about:
            data["about"] = about
        grading = self._grading()
        if grading:
            data["grading"] = grading
        if self.problem_defaults_yaml:
            data["problems"] = self.problem_defaults_yaml
        data["modules"] = self.modules
        advanced = policy.get("advanced_modules")
        if isinstance(advanced, list) and all(isinstance(a, str) for a in advanced) and advanced:
            data["advanced_modules"] = advanced
        header = ("# Imported by `olxkit import` from an Open edX export. Format: `olxkit docs`;\n"
                  "# what this file cannot say is kept in course/olx.yaml and course/olx/ (docs/importing.md).\n")
        self.put("course/course.yaml", header + dump_yaml(data))

    def _date(self, key: str) -> str | None:
        value = self._course_value(key)
        if isinstance(value, str) and parse_date(value):
            return format_date(parse_date(value))
        return None

    def _plain_page(self, rel: str) -> str | None:
        """The text of an About page that olxkit writes from a plain course.yaml value."""
        data = self.olx.files.get(rel)
        if data is None:
            return None
        text = data.decode("utf-8")
        if not text.endswith("\n") or "\n" in text[:-1]:
            return None
        plain = text[:-1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        escaped = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "\n"
        if escaped != text or "<" in plain or "{{" in plain:
            return None
        self.native_files.add(rel)
        return plain

    @property
    def graders(self) -> list[dict]:
        grading = self.olx.grading or {}
        graders = grading.get("GRADER")
        return graders if isinstance(graders, list) and all(isinstance(g, dict) for g in graders) else []

    def _grading(self) -> dict | None:
        grading = self.olx.grading or {}
        cutoffs = grading.get("GRADE_CUTOFFS") or {}
        types = []
        for g in self.graders:
            try:
                weight = round(float(g.get("weight", 0)) * 100, 6)
                item = {"type": str(g["type"]), "short_label": str(g.get("short_label") or "")}
                item["weight"] = int(weight) if weight.is_integer() else weight
                item["drop"] = int(g.get("drop_count", 0))
                item["min_count"] = int(g.get("min_count", 1))
            except (KeyError, TypeError, ValueError):
                return None
            if not item["short_label"]:
                item.pop("short_label")
            types.append(item)
        out: dict = {}
        if set(cutoffs) == {"Pass"} and isinstance(cutoffs["Pass"], int | float) and 0 < cutoffs["Pass"] <= 1:
            out["pass"] = cutoffs["Pass"]
        distinct = len({t["type"] for t in types}) == len(types)
        if types and abs(sum(t["weight"] for t in types) - 100) < 0.01 and distinct:
            graded = [s for s in self.olx.blocks() if s.tag == "sequential" and s.attrs.get("graded") == "true"]
            for t in types:
                count = sum(1 for s in graded if s.attrs.get("format") == t["type"])
                if t["min_count"] == count and count:
                    t.pop("min_count")  # olxkit counts the graded lessons itself
                if t["drop"] >= (t.get("min_count") or count):
                    return out or None
            out["assignments"] = types
        else:
            self._graders_native = False
        return out or None

    @property
    def problem_defaults_yaml(self) -> dict:
        policy = self.olx.course_policy()
        out = {}
        for key in ("max_attempts", "showanswer", "show_reset_button", "show_correctness", "rerandomize"):
            if key in policy and valid_setting(key, policy[key]):
                out[key] = policy[key]
        return out

    @property
    def problem_defaults(self) -> dict:
        return {"showanswer": "finished", "rerandomize": "never", **self.problem_defaults_yaml}

    # -- About, course info, tabs --------------------------------------------------------------------------


def valid_setting(key: str, value) -> bool:
    from ..source.problems import RERANDOMIZE, SHOW_CORRECTNESS, SHOWANSWER

    if key == "max_attempts":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    if key == "show_reset_button":
        return isinstance(value, bool)
    options = {"showanswer": SHOWANSWER, "show_correctness": SHOW_CORRECTNESS, "rerandomize": RERANDOMIZE}[key]
    return value in options
