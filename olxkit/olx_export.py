"""The course model (one variant) → an OLX tree: the files of an Open edX course export, in memory."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import component_types
from .diagnostics import Findings
from .i18n.locales import bcp47
from .i18n.ui import ui_labels, ui_text
from .model import Course, Lesson, Markdown, Unit
from .olx.components import CORE_TAGS, attr, element, pointer
from .olx.dates import date_texts, english_date
from .olx.html import invalid_block_line, page_problems
from .olx.learners import Recorder
from .olx.members import member_name_fits
from .registry import ExportContext
from .source.links import LinkResolver, flatten_asset_name
from .source.markdown import make_markdown, render_page_html
from .source.yamlio import format_date

ABOUT_FIELDS = ("short_description", "effort", "duration")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")


@dataclass
class OlxTree:
    """The files of one course export, keyed by their path inside the course folder."""

    files: dict[str, bytes] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    """OLX path (static/…) → source file to copy."""
    counts: Counter = field(default_factory=Counter)
    """Blocks per OLX type."""
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    """OLX file → the source file and line it was made from (to report OLX findings at the author's line)."""
    learners: dict[str, dict] | None = None
    """The learner-state blocks of these files (`olx.learners.learner_blocks`), when the export was asked for them."""

    def paths(self) -> list[str]:
        return sorted([*self.files, *self.assets])


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


class _Exporter:
    def __init__(self, course: Course, diags: Findings, labels: dict[str, str], learners: bool = False):
        self.course = course
        self.recorder = Recorder() if learners else None
        self.diags = diags
        self.labels = labels
        self.tree = OlxTree()
        self.resolver = LinkResolver.from_course(course)
        self.lang = bcp47(course.locale) if course.locale else ""
        self.origin = ("course/course.yaml", 1)

    @cached_property
    def texts(self) -> dict[str, str]:
        """The texts `{{ name }}` stands for: made when a page first uses one (the dates need Babel's CLDR data)."""
        return {**date_texts(self.course), **self.course.texts}

    def resolve_for(self, base_dir: str, current: str | None, path: str, line: int):
        def resolve(url: str, kind: str) -> str:
            new, err = self.resolver.resolve(url, kind, base_dir, current)
            if err:
                self.diags.add(path, line, err.message, code=err.code)
            return new

        return resolve

    def render_markdown(self, text: str, lesson: Lesson, comp) -> str:
        """Markdown text of a component rendered as an html component's body is."""
        env: dict = {"olxkit_footnotes": {}}
        body = Markdown(make_markdown().parse(text, env), env, comp.path, comp.line, str(Path(lesson.path).parent))
        return self.render_page(body, lesson.path, comp.line)

    def report(self, path: str, line: int, message: str, code: str) -> None:
        """A finding about a block that could not be exported as written."""
        self.diags.add(path, line, message, code=code)

    def render_page(self, body: Markdown, current: str | None, line: int) -> str:
        html, unchecked = render_page_html(body.tokens, body.env,
                                          self.resolve_for(body.base_dir, current, body.path, line),
                                          ui_text(self.labels, "Back to the text"))
        # A text filled in (`{{ name }}`) is the author's too: the page is checked in full then.
        unchecked = unchecked or "{{" in html
        html = self.fill_texts(html, body.path, line, body)
        if self.lang and self.course.olx.html_lang:
            html = f'<div lang="{self.lang}">\n{html}</div>\n'
        problems = page_problems(html, unchecked)
        if problems:
            at = invalid_block_line(body) or line
            for problem in problems:
                self.diags.add(body.path, at, f"the HTML made from this text is not valid: {problem}", code="OLX002")
        return html

    def fill_texts(self, html: str, path: str, line: int, body: Markdown | None = None) -> str:
        """Replace `{{ name }}` with the instance's text of that name (HTML-escaped).

        An unknown name is reported at the line of the block that holds it when `body` is given, else at `line`.
        """
        if "{{" not in html:
            return html

        texts = self.texts

        def sub(match):
            name = match.group(1)
            if name not in texts:
                self.diags.add(
                    path,
                    _line_of(body, match.group(0), line),
                    f"unknown text `{{{{ {name} }}}}`; declare it under `texts:` in course/course.yaml",
                    code="SYN007",
                )
                return match.group(0)
            return _html_text(texts[name]).decode("utf-8").rstrip("\n")

        return _PLACEHOLDER.sub(sub, html)

    def built(self, path: str, element, data: bytes) -> None:
        """The element the file `path` (`data`) was written from: the learner-state record reads it, not the file."""
        if self.recorder is not None:
            self.recorder.built(path, element, data)

    def add(self, path: str, data: bytes):
        if path in self.course.olx.files:
            return  # an imported course's own file of that path is written instead (export_overlay)
        self.tree.files[path] = data
        self.tree.origins[path] = self.origin

    def pinned(self, tag: str, url_name: str, attrs: dict) -> dict:
        """`attrs` with the OLX attributes an imported course pins on this block (None removes one)."""
        extra = self.course.olx.attributes.get(f"{tag}/{url_name}")
        if not extra:
            return attrs
        out = dict(attrs)
        for key, value in extra.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return out

    def export_overlay(self) -> None:
        """The files an imported course keeps as they came (course/olx/), written over any made file."""
        for rel, src in sorted(self.course.olx.files.items()):
            self.tree.assets[rel] = src
            self.tree.files.pop(rel, None)

    def export(self, part: tuple[int, int] | None = None, lessons=None, course_files: bool = True) -> OlxTree:
        """All files, or with `part=(k, n)` every n-th lesson from the k-th (part 0 also makes the course files)."""
        k, n = part or (0, 1)
        index = 0
        for module in self.course.modules:
            for lesson in module.lessons:
                if index % n == k and (lessons is None or lesson.id in lessons):
                    self.export_lesson(lesson)
                index += 1
        if k == 0 and course_files:
            self.export_course()
        if self.recorder is not None:
            self.tree.learners = self.recorder.blocks(self.tree.files)
        return self.tree

    def export_course(self) -> None:
        c = self.course
        run = c.run
        self.origin = ("course/course.yaml", 1)
        self.add("course.xml", element("course", {"url_name": run, "org": c.org, "course": c.number}))
        name = c.olx.name
        chapters = [pointer("chapter", name("chapter", m.id)) for m in c.modules]
        self.add(f"course/{run}.xml", element("course", self.pinned("course", run, {}),
                                               chapters + c.olx.course_children))
        self.tree.counts["course"] += 1
        for module in c.modules:
            self.origin = (module.path, module.line)
            chapter = name("chapter", module.id)
            attrs = {"display_name": module.title, "start": format_date(module.start) if module.start else None}
            self.add(
                f"chapter/{chapter}.xml",
                element(
                    "chapter",
                    self.pinned("chapter", chapter, attrs),
                    [pointer("sequential", name("sequential", lesson.id)) for lesson in module.lessons],
                ),
            )
            self.tree.counts["chapter"] += 1
        self.origin = ("course/course.yaml", 1)
        self.export_policies()
        self.export_pages()
        for rel, src in sorted(c.assets.items()):
            # Open edX names the asset static/a/b.png "a_b.png", and course_image holds that name; olxcleaner
            # looks for a file of that name, so the course image goes to static/ under its flattened name.
            name = flatten_asset_name(rel) if rel == c.about.image else rel
            if rel in c.generated_assets:
                self.add(f"static/{name}", c.generated_assets[rel])
            else:
                self.tree.assets[f"static/{name}"] = src
        self.export_overlay()

    def export_lesson(self, lesson: Lesson) -> None:
        self.origin = (lesson.path, lesson.line)
        attrs = {"display_name": lesson.title}
        if lesson.graded:
            attrs["graded"] = "true"
            attrs["format"] = lesson.format
        if lesson.due:
            attrs["due"] = format_date(lesson.due)
        if lesson.start:
            attrs["start"] = format_date(lesson.start)
        name = self.course.olx.name
        verticals = [name("vertical", f"{lesson.id}_{unit.id}") for unit in lesson.units]
        sequential = name("sequential", lesson.id)
        attrs = self.pinned("sequential", sequential, attrs)
        path = f"sequential/{sequential}.xml"
        self.add(path, element("sequential", attrs, [pointer("vertical", v) for v in verticals]))
        if self.recorder is not None and attrs.get("graded") == "true" and path in self.tree.files:
            self.recorder.graded(verticals)
        self.tree.counts["sequential"] += 1
        for unit in lesson.units:
            self.export_unit(lesson, unit)

    def export_unit(self, lesson: Lesson, unit: Unit) -> None:
        default = f"{lesson.id}_{unit.id}"
        name = self.course.olx.name
        vertical = name("vertical", default)
        children = []
        made_children = []
        for comp in unit.components:
            component_type = component_types.of(comp)
            tag = component_type.tag(comp)
            url_name = name(tag, f"{default}_{comp.id}")
            self.origin = (comp.path, comp.line)
            self.tree.counts[tag] += 1
            made = component_type.export(comp, url_name, ExportContext(self, lesson, unit, comp))
            if made is None:
                continue  # reported by the exporter
            xml, files = made
            for path, data in files.items():
                self.add(path, data)
            children.append(xml)
            made_children.append((tag, url_name, xml))
        self.origin = (unit.path, unit.line)
        self.add(f"vertical/{vertical}.xml",
                 element("vertical", self.pinned("vertical", vertical, {"display_name": unit.title}), children))
        if self.recorder is not None:
            self.recorder.unit(f"vertical/{vertical}.xml", made_children)
        self.tree.counts["vertical"] += 1

    def export_policies(self) -> None:
        c = self.course
        policy = {
            "display_name": c.title,
            "language": c.language,
            "start": format_date(c.start),
            "self_paced": c.self_paced,
            "showanswer": c.problem_defaults.get("showanswer", "finished"),
            "rerandomize": c.problem_defaults.get("rerandomize", "never"),
            # The topic's id stays; its name is what learners read in the forum.
            "discussion_topics": {ui_text(self.labels, "General"): {"id": "course"}},
            "discussions_settings": {"provider_type": "legacy"},
            "advanced_modules": sorted(set(c.advanced_modules) | self.advanced_blocks()),
        }
        for key, value in (
            ("end", c.end),
            ("enrollment_start", c.enrollment_start),
            ("enrollment_end", c.enrollment_end),
        ):
            if value:
                policy[key] = format_date(value)
        if c.about.image:
            policy["course_image"] = flatten_asset_name(c.about.image)
        for key in ("max_attempts", "show_reset_button", "show_correctness"):
            if key in c.problem_defaults:
                policy[key] = c.problem_defaults[key]
        entries = {f"course/{c.run}": policy}
        for key, value in c.olx.policy.items():
            if key == "course":
                for field_name, field_value in value.items():
                    if field_value is None:
                        policy.pop(field_name, None)
                    else:
                        policy[field_name] = field_value
            else:
                entries[key] = value
        self.add(f"policies/{c.run}/policy.json", _json(entries))
        graders = [
            {
                "type": t.type,
                "short_label": t.short_label,
                "weight": round(t.weight / 100, 6),
                "drop_count": t.drop,
                "min_count": t.min_count or self.count_graded(t.type),
            }
            for t in c.grading.assignments
        ]
        # "Pass" is a key, not a text: Studio's import gate (olxcleaner) accepts only Pass and A-D, and the LMS
        # shows its own translated word for it.
        grading = {"GRADER": graders, "GRADE_CUTOFFS": {"Pass": c.grading.pass_cutoff}}
        if c.olx.grading is not None:
            grading = c.olx.grading
        self.add(f"policies/{c.run}/grading_policy.json", _json(grading))
        self.add("policies/assets.json", _json({}))
        self.add("assets/assets.xml", b"<assets/>\n")

    def count_graded(self, assignment_type: str) -> int:
        return sum(1 for lesson in self.course.lessons() if lesson.graded and lesson.format == assignment_type)

    def advanced_blocks(self) -> set[str]:
        """Block types in the course beyond Open edX's own (they must be listed in `advanced_modules`)."""
        tags = {
            component_types.of(comp).tag(comp)
            for lesson in self.course.lessons()
            for unit in lesson.units
            for comp in unit.components
        }
        return tags - CORE_TAGS

    def export_pages(self) -> None:
        c = self.course
        about = c.about
        if about.overview is not None:
            self.add("about/overview.html", self.render_page(about.overview, None, 1).encode("utf-8"))
        for name in ABOUT_FIELDS:
            value = getattr(about, name)
            if value:
                self.add(f"about/{name}.html", _html_text(value))
        self.add("about/title.html", _html_text(c.title))
        if about.intro_video:
            self.add(
                "about/video.html",
                (
                    '<iframe width="560" height="315" src="https://www.youtube.com/embed/'
                    f'{attr(about.intro_video)}?rel=0" frameborder="0" allowfullscreen=""></iframe>\n'
                ).encode(),
            )
        if c.handouts is not None:
            self.add("info/handouts.html", self.render_page(c.handouts, None, 1).encode("utf-8"))
        items = []
        for number, update in enumerate(sorted(c.updates, key=lambda u: u.date, reverse=True), start=1):
            body = self.render_page(update.body, None, update.body.line_offset + 1)
            if update.title:
                body = f"<h2>{attr(update.title)}</h2>\n{body}"
            items.append({"id": number, "date": english_date(update.date), "content": body, "status": "visible"})
        self.add("info/updates.html", b"<ol></ol>\n")
        self.add("info/updates.items.json", _json(items))


def _line_of(body: Markdown | None, needle: str, default: int) -> int:
    """The source line of the first block of `body` whose text holds `needle` (else `default`)."""
    if body is not None:
        for tok in body.tokens:
            if tok.map and needle in tok.content:
                return tok.map[0] + 1 + body.line_offset
    return default


def _html_text(text: str) -> bytes:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "\n").encode("utf-8")


def export_olx(
    course: Course,
    labels: dict[str, str] | None = None,
    part: tuple[int, int] | None = None,
    *,
    lessons: Collection[str] | None = None,
    course_files: bool = True,
    learners: bool = False,
) -> tuple[OlxTree, Findings]:
    """Make the OLX files of one course variant; diagnostics hold anything that could not be rendered.

    `part=(k, n)` makes only the k-th of n interleaved shares of the lessons (for parallel builds); `merge`
    puts the shares back together. The files do not depend on how the work was shared. `labels`: olxkit's own
    texts (default: `ui_labels` for the variant's locale).
    `lessons` (ids) makes only those lessons' files, and `course_files=False` leaves out the course-wide ones
    (course.xml, chapters, policies, About, Handouts, Updates): the preview makes a lesson when it is shown.
    `learners=True` also records the tree's learner-state blocks as the files are made (`OlxTree.learners`).
    """
    diags = Findings()
    if labels is None:
        labels = ui_labels(course.locale)
    tree = _Exporter(course, diags, labels, learners).export(part, lessons, course_files)
    for path in [*tree.files, *tree.assets]:
        if not member_name_fits(path):
            where, line = tree.origins.get(path, (f"course/static/{path.partition('/')[2]}", 0))
            name = path.rsplit("/", 1)[-1]
            diags.add(where, line, f"the OLX file name `{name}` made from this block's ids is {len(name.encode())} "
                      "bytes, more than an archive member's 100: give the lesson, unit or component a shorter id",
                      code="AUT005")
    return tree, diags


def merge(parts: list[tuple[OlxTree, Findings]]) -> tuple[OlxTree, Findings]:
    """One tree and one set of diagnostics from the shares made with `export_olx(..., part=…)`."""
    tree, diags = OlxTree(), Findings()
    for share, share_diags in parts:
        tree.files.update(share.files)
        tree.assets.update(share.assets)
        tree.origins.update(share.origins)
        tree.counts.update(share.counts)
        diags.extend(share_diags.items)
    return tree, diags
