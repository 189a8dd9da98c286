"""Partner instances (course/instances.yaml): one archive each, in its own language, with its own course key."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import OlxkitError, error
from ..i18n import locales
from ..model import Course, Instance
from .lesson import read_text
from .project import read_key_parts, read_texts
from .yamlio import YamlMap, closest, parse_yaml

INSTANCES_FILE = "course/instances.yaml"
INSTANCE_KEYS = (
    "id",
    "locale",
    "org",
    "number",
    "run",
    "enabled",
    "start",
    "end",
    "enrollment",
    "studio_url",
    "lms_url",
    "texts",
    "min_coverage",
)


def source_instance(course: Course) -> Instance:
    """The course as written, when the project declares no instances."""
    return Instance(id=course.language, locale=course.language, org=course.org, number=course.number, run=course.run)


def locales_of(root: str | Path, ids: list[str] | None) -> list[str]:
    """The locales of the instances `ids` (None: every enabled instance) as course/instances.yaml declares them, in its
    order, for work that starts before the course is read (the build's catalog prefetch); [] when the file cannot
    be read (`load_instances` says why)."""
    rel = INSTANCES_FILE
    try:
        top = YamlMap(parse_yaml(read_text(Path(root), rel), rel), rel, what="instances.yaml")
        found = []
        for node in top.sequence("instances"):
            data = top.sub(node, "an instance")
            wanted = data.boolean("enabled", True) if ids is None else (data.text("id") or "").strip() in ids
            if wanted and data.text("locale"):
                found.append(locales.normalize(data.text("locale")))
        return found
    except (OlxkitError, OSError):
        return []


def load_instances(root: str | Path, course: Course) -> list[Instance]:
    """Every instance declared in course/instances.yaml (enabled or not), or the source course alone."""
    root = Path(root)
    if not (root / INSTANCES_FILE).is_file():
        return [source_instance(course)]
    rel = INSTANCES_FILE
    top = YamlMap(parse_yaml(read_text(root, rel), rel), rel, what="instances.yaml")
    top.check_keys(("instances",))
    instances: list[Instance] = []
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, str] = {}
    for node in top.sequence("instances"):
        data = top.sub(node, "an instance")
        data.check_keys(INSTANCE_KEYS)
        data.require("id")
        data.require("locale")
        ident = data.text("id").strip()
        if ident in seen_ids:
            raise error(
                rel,
                data.line_of("id"),
                f"duplicate instance id `{ident}` (also at line {seen_ids[ident]})",
                code="STR003",
            )
        seen_ids[ident] = data.line_of("id")
        locale = locales.normalize(data.text("locale"))
        if not locales.is_valid(locale):
            raise error(
                rel,
                data.line_of("locale"),
                f"`locale: {data.text('locale')}` is not a locale such as it, de, de_AT or pl",
                code="SYN004",
            )
        parts = read_key_parts(data, course)
        enrollment = data.mapping("enrollment")
        enrollment.check_keys(("start", "end"))
        texts = dict(course.texts)
        overrides = read_texts(data.mapping("texts"))
        for name in overrides:
            if name not in course.texts:
                raise error(
                    rel,
                    data.mapping("texts").key_line(name),
                    f"text `{name}` is not declared in course/course.yaml `texts:`{closest(name, course.texts)}",
                    code="SYN002",
                )
        texts.update(overrides)
        coverage = data.number("min_coverage", 0.0, minimum=0)
        if coverage > 100:
            raise error(
                rel, data.line_of("min_coverage"), "`min_coverage` is a percentage from 0 to 100", code="SYN004"
            )
        instance = Instance(
            id=ident,
            locale=locale,
            org=parts["org"],
            number=parts["number"],
            run=parts["run"],
            enabled=bool(data.boolean("enabled", True)),
            start=data.date("start"),
            end=data.date("end"),
            enrollment_start=enrollment.date("start"),
            enrollment_end=enrollment.date("end"),
            studio_url=(data.text("studio_url") or "").rstrip("/"),
            lms_url=(data.text("lms_url") or "").rstrip("/"),
            texts=texts,
            min_coverage=coverage,
            line=data.line,
        )
        if instance.enabled:
            if instance.archive_stem in seen_keys:
                other = seen_keys[instance.archive_stem]
                raise error(
                    rel,
                    data.line,
                    f"instance `{ident}` has the same course key as `{other}`; give it another org, number or run",
                    code="STR005",
                )
            seen_keys[instance.archive_stem] = ident
        instances.append(instance)
    if not instances:
        raise error(rel, top.line, "no instances listed; add `instances:` entries or delete the file", code="STR004")
    return instances


def select(instances: list[Instance], wanted: list[str] | None) -> list[Instance]:
    """The enabled instances, or the ones named (enabled or not)."""
    if not wanted:
        return [i for i in instances if i.enabled]
    by_id = {i.id: i for i in instances}
    chosen = []
    for name in wanted:
        if name not in by_id:
            raise error(
                INSTANCES_FILE,
                0,
                f"no instance `{name}`{closest(name, by_id)}; instances: {', '.join(by_id)}",
                code="SYN004",
            )
        chosen.append(by_id[name])
    return chosen
