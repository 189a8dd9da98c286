"""The project's own YAML: course.yaml's keys, the course key parts, grading, `rules:` and `texts:`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..diagnostics import Findings, OlxkitError, error
from ..model import (
    AssignmentType,
    Course,
    Grading,
)
from .lesson import read_text
from .yamlio import YamlMap, closest, parse_yaml

COURSE_KEYS = (
    "org",
    "number",
    "run",
    "title",
    "language",
    "start",
    "end",
    "enrollment",
    "self_paced",
    "about",
    "grading",
    "problems",
    "modules",
    "video_base_url",
    "advanced_modules",
    "texts",
    "rules",
)
KEY_PART = re.compile(r"[A-Za-z0-9_.-]+\Z")


def read_key_parts(data: YamlMap, defaults: object | None = None) -> dict[str, str]:
    """org, number and run (each from `data`, else from `defaults`), checked against Open edX's key rules."""
    parts = {}
    for key in ("org", "number", "run"):
        value = (data.text(key) or getattr(defaults, key, "")).strip()
        if not KEY_PART.match(value):
            raise error(
                data.path,
                data.line_of(key),
                f"`{key}: {value}` may use only letters, digits, `_`, `.` and `-` (Open edX course key rules)",
                code="SYN004",
            )
        if value.startswith("."):
            # The run names folders in the archive (policies/<run>/): `..` would climb out of them.
            raise error(data.path, data.line_of(key), f"`{key}: {value}` may not start with `.`; start it with a "
                        "letter or digit", code="SYN004")
        parts[key] = value
    return parts


def read_rules(data: YamlMap) -> dict:
    """`rules:` — which findings to ignore or re-grade, by code or code prefix, and the asset size limit."""
    from ..rules import BY_CODE, GROUPS

    data.check_keys(("ignore", "info", "warning", "error", "max_asset_mb"))
    out: dict = {"max_asset_mb": data.number("max_asset_mb", 10.0, positive=True)}
    for level in ("ignore", "info", "warning", "error"):
        codes = []
        for code, line in data.text_list(level):
            code = code.strip().upper()
            if code not in BY_CODE and code not in GROUPS:
                raise error(data.path, line, f"`{code}` is not a rule code or group{closest(code, [*BY_CODE, *GROUPS])}"
                            "; see `olxkit docs rules`", code="SYN004")
            codes.append(code)
        out[level] = codes
    return out


def read_texts(data: YamlMap) -> dict[str, str]:
    """Named text snippets (`texts:`), used in the course as `{{ name }}`."""
    texts = {}
    for name in data.names():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise error(
                data.path,
                data.key_line(name),
                f"text name `{name}` must be lowercase letters, digits, `_`",
                code="SYN004",
            )
        texts[name] = data.text(name, "")
    return texts


def read_grading(data: YamlMap, diags: Findings) -> Grading:
    """`grading:` — the pass mark and the assignment types, whose weights add up to 100 %."""
    rel = data.path
    data.check_keys(("pass", "assignments"))
    cutoff = data.number("pass", 0.5)
    if not 0 < cutoff <= 1:
        raise error(
            rel,
            data.line_of("pass"),
            f"`pass: {cutoff:g}` must be a share between 0 and 1, such as 0.6",
            code="GRD004",
        )
    types: list[AssignmentType] = []
    for node in data.sequence("assignments"):
        item = data.sub(node, "an assignment type")
        item.check_keys(("type", "short_label", "weight", "drop", "min_count"))
        name = item.text("type", required=True).strip()
        if any(t.type == name for t in types):
            raise error(rel, item.line_of("type"), f"assignment type `{name}` is declared twice", code="STR003")
        item.require("weight")
        weight = item.number("weight")
        if weight < 0 or weight > 100:
            diags.add(rel, item.line_of("weight"), f"`weight: {weight:g}` must be a percentage from 0 to 100",
                      code="GRD002")
        types.append(
            AssignmentType(
                type=name,
                short_label=item.text("short_label") or name[:8],
                weight=weight,
                drop=item.integer("drop", 0, minimum=0),
                min_count=item.integer("min_count", None, minimum=1),
                line=item.line,
            )
        )
    if types:
        total = sum(t.weight for t in types)
        if abs(total - 100) > 0.01:
            diags.add(rel, data.line_of("assignments"),
                      f"assignment weights add up to {total:g}%, not 100%; adjust the `weight:` values",
                      code="GRD002")
    return Grading(pass_cutoff=cutoff, assignments=types, line=data.key_line("assignments"))

def check_grading(course: Course, diags: Findings) -> None:
    """Every graded lesson has a declared assignment type; every type has lessons enough for its `drop:`."""
    by_type = {t.type: t for t in course.grading.assignments}
    counts = dict.fromkeys(by_type, 0)
    for lesson in course.lessons():
        if not lesson.graded:
            continue
        if lesson.format not in by_type:
            names = ", ".join(f"`{n}`" for n in by_type) or "none (add `grading: assignments:`)"
            diags.add(
                lesson.path,
                lesson.format_line,
                f"graded lesson has `format: {lesson.format}`, which is not an assignment type in "
                f"course/course.yaml:{course.grading.line}{closest(lesson.format or '', by_type)}; "
                f"types: {names}",
                code="GRD001",
            )
            continue
        counts[lesson.format] += 1
    for t in course.grading.assignments:
        count = t.min_count or counts[t.type]
        if count == 0:
            diags.warn(
                "course/course.yaml",
                t.line,
                f"no graded lesson has `format: {t.type}`; its {t.weight:g}% of the grade is lost",
                code="GRD005",
            )
            continue
        if t.drop >= count:
            diags.add(
                "course/course.yaml",
                t.line,
                f"`drop: {t.drop}` leaves no `{t.type}` counted ({count} in the course); drop fewer than there are",
                code="GRD003",
            )


def find_project(path: str | os.PathLike) -> Path:
    """The course project `path` is in: `path` itself or the nearest parent with course/course.yaml (like git).

    `path` itself when no folder up the tree has one, so the caller reports "no course here" for it.
    """
    start = Path(path)
    for folder in (start, *start.resolve().parents):
        if (folder / "course" / "course.yaml").is_file():
            return folder
    return start


def rules_of(root: str | os.PathLike) -> dict:
    """The `rules:` of the project's course.yaml, for commands that grade findings without loading the course;
    {} when the file or its `rules:` cannot be read (the commands that load the course report why)."""
    rel = "course/course.yaml"
    try:
        data = YamlMap(parse_yaml(read_text(Path(root), rel), rel), rel, what="course.yaml")
        return read_rules(data.mapping("rules"))
    except (OlxkitError, OSError):
        return {}


def language_of(root: str | os.PathLike) -> str:
    """The source language of the project's course.yaml (as the loader reads it), for work that starts before the
    course is read; "en" when the file cannot be read (the commands that load the course report why)."""
    rel = "course/course.yaml"
    try:
        data = YamlMap(parse_yaml(read_text(Path(root), rel), rel), rel, what="course.yaml")
        return data.text("language", "en") or "en"
    except (OlxkitError, OSError):
        return "en"
