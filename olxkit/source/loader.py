"""Reading a course project (course/, modules/) into the course model, checking it as we go."""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

from yaml.nodes import SequenceNode

from .. import component_types
from ..diagnostics import Findings, OlxkitError, error
from ..model import About, Course, CourseUpdate, Grading, Lesson, Markdown, Module, Unit
from ..registry import YAML, ReadContext
from .assets import find_assets
from .cache import LessonCache
from .headings import unit_headings
from .lesson import check_id, load_markdown_file, read_text, split_front_matter, strip_prefix, unit_of
from .links import STATIC_DIR, LinkResolver, iter_targets
from .markdown import (
    ComponentBlock,
    LessonSyntaxError,
    make_markdown,
    parse_for_texts,
    parse_lesson,
)
from .overlay import load_overlay
from .problems import read_settings
from .project import COURSE_KEYS, check_grading, read_grading, read_key_parts, read_rules, read_texts
from .yamlio import YamlMap, closest, parse_yaml

PAGES = ("course/about.md", "course/handouts.md", "course/updates.yaml")
"""The course's own pages: About, Handouts, Updates (each may be missing)."""


class _Loader:
    def __init__(self, root: Path, texts_only: bool = False, share: tuple[int, int] | None = None,
                 cache: LessonCache | None = None, full: Collection[str] | None = None):
        self.root = root
        self.full = full  # files read in full (None: all): lessons outside it for their outline only
        self.texts_only = texts_only
        self.share = share
        self.cache = cache
        self.lessons_seen = 0
        self.diags = Findings()

    def in_full(self, rel: str) -> bool:
        return self.full is None or rel in self.full

    def guard(self, func, *args):
        """Run one file's loader; record its error and go on, so one run reports every broken file."""
        try:
            return func(*args)
        except OlxkitError as exc:
            self.diags.extend(exc.diagnostics)
            return None

    # -- course.yaml ---------------------------------------------------------------------------------
    def load(self) -> Course:
        rel = "course/course.yaml"
        if not (self.root / rel).is_file():
            raise error(
                rel,
                0,
                f"no course here: {self.root} has no {rel} (run `olxkit new DIR` to start a course)",
                code="STR001",
            )
        data = YamlMap(parse_yaml(read_text(self.root, rel), rel), rel, what="course.yaml")
        data.check_keys(COURSE_KEYS)
        for key in ("org", "number", "run", "title", "start", "modules"):
            data.require(key)
        parts = read_key_parts(data)
        enrollment = data.mapping("enrollment")
        enrollment.check_keys(("start", "end"))
        about_data = data.mapping("about")
        about_data.check_keys(("short_description", "effort", "duration", "image", "intro_video"))
        self.assets = self.guard(find_assets, self.root, self.diags) or {}
        about = About(
            short_description=about_data.text("short_description", ""),
            effort=about_data.text("effort", ""),
            duration=about_data.text("duration", ""),
            image=about_data.text("image"),
            intro_video=about_data.text("intro_video", ""),
        )
        if about.image and about.image not in self.assets:
            self.diags.add(
                rel, about_data.line_of("image"), f"missing course image `{STATIC_DIR}/{about.image}`", code="AST001"
            )
        grading = self.guard(read_grading, data.mapping("grading"), self.diags) or Grading(0.5, [], data.line)
        problem_defaults = {"showanswer": "finished", "rerandomize": "never"}
        problem_defaults.update(self.guard(read_settings, data.mapping("problems")) or {})
        course = Course(
            root=str(self.root),
            org=parts["org"],
            number=parts["number"],
            run=parts["run"],
            title=data.text("title"),
            language=data.text("language", "en"),
            start=data.date("start"),
            end=data.date("end"),
            enrollment_start=enrollment.date("start"),
            enrollment_end=enrollment.date("end"),
            self_paced=bool(data.boolean("self_paced", False)),
            grading=grading,
            about=about,
            modules=[],
            video_base_url=data.text("video_base_url", "") or "",
            problem_defaults=problem_defaults,
            assets=self.assets,
            advanced_modules=[t for t, _ in data.text_list("advanced_modules")],
            texts=read_texts(data.mapping("texts")),
        )
        course.locale = course.language
        course.date_lines = {"end": data.line_of("end"), "enrollment.start": enrollment.line_of("start"),
                             "enrollment.end": enrollment.line_of("end")}
        course.rules = self.guard(read_rules, data.mapping("rules")) or {}
        self.diags.rules = course.rules  # every finding of the loader is graded by the course's own rules
        if course.end and course.end <= course.start:
            self.diags.add(rel, data.line_of("end"), "the course `end` must be after its `start`", code="DAT001")
        course.olx = self.guard(load_overlay, self.root) or course.olx
        self.load_modules(course, data)
        about, handouts, updates = PAGES  # outside `full`, not read (None, no updates)
        course.about.overview = self.guard(self.optional_markdown, about) if self.in_full(about) else None
        course.handouts = self.guard(self.optional_markdown, handouts) if self.in_full(handouts) else None
        course.updates = (self.guard(self.load_updates) if self.in_full(updates) else None) or []
        self.diags.raise_if_errors()
        check_grading(course, self.diags)
        if not self.texts_only:
            self.check_links(course)
        self.diags.raise_if_errors()
        return course

    # -- assets --------------------------------------------------------------------------------------
    # -- modules and lessons -------------------------------------------------------------------------
    def load_modules(self, course: Course, data: YamlMap) -> None:
        listed = data.text_list("modules")
        seen_modules: dict[str, str] = {}
        self.lesson_ids: dict[str, str] = {}
        for folder, line in listed:
            folder = folder.strip().rstrip("/")
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", folder) or folder.startswith("."):
                self.diags.add(data.path, line, f"`{folder}` is not a module folder name under modules/", code="STR001")
                continue
            if not (self.root / "modules" / folder / "module.yaml").is_file():
                hint = closest(folder, self._module_folders())
                self.diags.add(
                    data.path,
                    line,
                    f"module `{folder}` is listed but modules/{folder}/module.yaml does not exist{hint}",
                    code="STR001",
                )
                continue
            module = self.guard(self.load_module, course, folder)
            if module is None:
                continue
            if module.id in seen_modules:
                self.diags.add(
                    module.path,
                    module.line,
                    f"duplicate module id `{module.id}` (also used by {seen_modules[module.id]})",
                    code="STR003",
                )
                continue
            seen_modules[module.id] = module.path
            course.modules.append(module)
        for module in course.modules:
            # Open edX only needs url_names unique per block type, but Studio's import gate (olxcleaner)
            # rejects a chapter and a sequential that share one.
            if module.id in self.lesson_ids:
                self.diags.add(
                    module.path,
                    module.line,
                    f"module id `{module.id}` is also the id of lesson "
                    f"{self.lesson_ids[module.id]}; give the module another `id:`",
                    code="STR005",
                )
        listed_names = {f.strip().rstrip("/") for f, _ in listed}
        for folder in self._module_folders():
            if folder not in listed_names:
                self.diags.warn(
                    f"modules/{folder}",
                    0,
                    "this module folder is not listed in course/course.yaml `modules:` and is not part of the course",
                    code="STR002",
                )

    def _module_folders(self) -> list[str]:
        base = self.root / "modules"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))

    def load_module(self, course: Course, folder: str) -> Module:
        rel = f"modules/{folder}/module.yaml"
        data = YamlMap(parse_yaml(read_text(self.root, rel), rel), rel, what="module.yaml")
        data.check_keys(("title", "id", "lessons", "start"))
        data.require("title")
        module_id = check_id(data.text("id") or strip_prefix(folder).lower(), rel, data.line_of("id"), "module id")
        module = Module(
            id=module_id,
            title=data.text("title").strip(),
            lessons=[],
            path=rel,
            line=data.line,
            start=data.date("start"),
        )
        listed = set()
        for name, line in data.text_list("lessons"):
            name = name.strip()
            file = name if name.endswith(".md") else f"{name}.md"
            listed.add(file)
            lesson_rel = f"modules/{folder}/{file}"
            if "/" in name or "\\" in name or not (self.root / lesson_rel).is_file():
                existing = sorted(p.name for p in (self.root / "modules" / folder).glob("*.md"))
                self.diags.add(
                    rel,
                    line,
                    f"lesson `{name}` is listed but {lesson_rel} does not exist{closest(file, existing)}",
                    code="STR001",
                )
                continue
            lesson = self.guard(self.load_lesson, course, module, lesson_rel)
            if lesson is None:
                continue
            if lesson.id in self.lesson_ids:
                self.diags.add(
                    lesson.path,
                    lesson.line,
                    f"duplicate lesson id `{lesson.id}` (also used by "
                    f"{self.lesson_ids[lesson.id]}); set a different `id:` in the front matter",
                    code="STR003",
                )
                continue
            self.lesson_ids[lesson.id] = lesson.path
            module.lessons.append(lesson)
        if not data.sequence("lessons") and not data.has("lessons"):
            self.diags.add(rel, data.line, "missing required key `lessons` (the lesson files, in order)", code="SYN003")
        for path in sorted((self.root / "modules" / folder).glob("*.md")):
            if path.name not in listed:
                self.diags.warn(
                    f"modules/{folder}/{path.name}",
                    0,
                    f"this lesson is not listed in {rel} `lessons:` and is not part of the course",
                    code="STR002",
                )
        return module

    def load_lesson(self, course: Course, module: Module, rel: str) -> Lesson:
        if self.cache is None:
            return self._load_lesson(course, module, rel)
        # Everything a lesson's model depends on besides its own file: a change there re-reads every lesson.
        key = (rel, read_text(self.root, rel), module.id, module.title, repr(sorted(course.problem_defaults.items())),
               course.video_base_url, self.cache.assets_key(self.assets), self.in_full(rel))
        hit = self.cache.get(key)
        if hit is not None:
            lesson, warnings = hit
            self.diags.extend(warnings)
            self.lessons_seen += 1
            return lesson
        before = len(self.diags.items)
        lesson = self._load_lesson(course, module, rel)
        self.cache.put(key, lesson, self.diags.items[before:])
        return lesson

    def _load_lesson(self, course: Course, module: Module, rel: str) -> Lesson:
        ordinal = self.lessons_seen
        self.lessons_seen += 1
        text = read_text(self.root, rel)
        front_text, body, offset = split_front_matter(text, rel)
        front = YamlMap(parse_yaml(front_text, rel, line_offset=1), rel, line_offset=1, what="the front matter")
        front.check_keys(("title", "id", "graded", "format", "due", "start", "problems"))
        front.require("title")
        stem = Path(rel).stem
        lesson_id = check_id(front.text("id") or strip_prefix(stem).lower(), rel, front.line_of("id"), "lesson id")
        graded = bool(front.boolean("graded", False))
        fmt = front.text("format")
        if graded and not fmt:
            raise error(
                rel,
                front.line_of("graded"),
                "a graded lesson needs `format:` (an assignment type from course/course.yaml `grading:`)",
                code="GRD006",
            )
        lesson = Lesson(
            id=lesson_id,
            title=front.text("title").strip(),
            units=[],
            path=rel,
            line=1,
            graded=graded,
            format=fmt.strip() if fmt else None,
            due=front.date("due"),
            start=front.date("start"),
            format_line=front.line_of("format"),
            due_line=front.line_of("due"),
        )
        defaults = dict(course.problem_defaults)
        defaults.update(read_settings(front.mapping("problems")))
        if self.share is not None and ordinal % self.share[1] != self.share[0]:
            return lesson  # another process reads this lesson's units
        # Outside `full`, the units without components (their headings found by a line scan where it is sure).
        outline = not self.in_full(rel)
        raw_units, env = (unit_headings(body, offset) if outline else None), {}
        try:
            if raw_units is None:
                raw_units, env = parse_lesson(body, offset, component_types.fence_names(), self.texts_only or outline)
        except LessonSyntaxError as exc:
            raise error(rel, exc.line, str(exc), code=exc.code) from None
        if not raw_units:
            raise error(
                rel, offset + 1, "this lesson has no units; start one with `## Unit title {#unit-id}`", code="STR004"
            )
        unit_ids: dict[str, int] = {}
        base_dir = str(Path(rel).parent.as_posix())
        for raw in raw_units:
            # A broken unit is reported and left out; the lesson's other units are still read and checked.
            unit = self.guard(unit_of, raw, rel, unit_ids) if outline else self.guard(
                self.load_unit, course, module, rel, raw, unit_ids, env, base_dir, defaults, offset)
            if unit is not None:
                lesson.units.append(unit)
        return lesson

    def load_unit(self, course, module, rel, raw, unit_ids: dict[str, int], env, base_dir, defaults, offset) -> Unit:
        unit = unit_of(raw, rel, unit_ids)
        broken = self.load_components(course, module, unit, raw.items, env, base_dir, defaults, offset)
        if not unit.components and not broken:
            raise error(rel, raw.line, f"unit `{raw.title}` is empty; add text or a component", code="STR004")
        return unit

    def load_components(self, course, module, unit, items, env, base_dir, defaults, offset) -> int:
        """Read the unit's components; a broken one is reported and skipped. Returns how many were broken."""
        rel = unit.path
        seen: dict[str, int] = {}
        previous: str | None = None

        def add(component):
            if component.id in seen:
                raise error(
                    rel,
                    component.line,
                    f"duplicate component id `{component.id}` in this unit (also at "
                    f"line {seen[component.id]}); give each an explicit `id:`",
                    code="STR003",
                )
            seen[component.id] = component.line
            unit.components.append(component)

        broken = 0
        prose = component_types.prose()
        for line, item in items:
            if not isinstance(item, ComponentBlock):
                ctx = ReadContext(course, module, unit, base_dir, env, line=line, line_offset=offset,
                                  previous=previous)
                add(prose.read(item, ctx))
                continue
            component = self.guard(self.read_component, course, module, unit, item, env, base_dir, defaults, add)
            if component is None:
                broken += 1
                continue
            previous = component.id
        return broken

    def read_component(self, course, module, unit, item: ComponentBlock, env, base_dir, defaults, add):
        rel = unit.path
        component_type = component_types.fenced(item.type)
        ctx = ReadContext(course, module, unit, base_dir, env, defaults, add, item.line)
        if component_type.source == YAML:
            body_offset = item.line  # YAML line 1 is the line after the fence
            data = YamlMap(parse_yaml(item.body, rel, body_offset), rel, body_offset, f"this {item.type} block")
            if data.mapping_node is None:
                raise error(rel, item.line, f"this {item.type} block is empty; see `olxkit docs {item.type}`",
                            code="STR004")
            component = component_type.read(data, ctx)
            component.line = item.line
        else:
            component = component_type.read(item, ctx)
        check_id(component.id, rel, item.line, f"{item.type} id")
        add(component)
        return component

    # -- course-level pages --------------------------------------------------------------------------
    def optional_markdown(self, rel: str) -> Markdown | None:
        if not (self.root / rel).is_file():
            return None
        return load_markdown_file(self.root, rel, "course", self.texts_only)

    def load_updates(self) -> list[CourseUpdate]:
        rel = "course/updates.yaml"
        if not (self.root / rel).is_file():
            return []
        node = parse_yaml(read_text(self.root, rel), rel)
        if node is None:
            return []
        holder = YamlMap(None, rel)
        if not isinstance(node, SequenceNode):
            raise error(rel, node.start_mark.line + 1, "updates.yaml must be a list of updates, each starting with "
                        "`- date:` at the start of a line (with `title:` and `body:`); see `olxkit docs updates`",
                        code="SYN004")
        updates = []
        for item in node.value:
            data = holder.sub(item, "an update")
            data.check_keys(("date", "title", "body"))
            data.require("date")
            body = data.text("body", required=True)
            env: dict = {"olxkit_footnotes": {}}
            tokens = parse_for_texts(body, env) if self.texts_only else make_markdown().parse(body, env)
            updates.append(
                CourseUpdate(
                    date=data.date("date"),
                    title=data.text("title", ""),
                    body=Markdown(tokens, env, rel, data.text_offset("body"), "course"),
                )
            )
        return updates

    # -- links ---------------------------------------------------------------------------------------
    def check_links(self, course: Course) -> None:
        resolver = LinkResolver.from_course(course)
        pages: list[tuple[Markdown, str | None]] = []
        for lesson in course.lessons():
            for unit in lesson.units:
                for comp in unit.components:
                    # Links in a component's Markdown body are checked here; those in problem texts when the
                    # problem is rendered for export.
                    if isinstance(getattr(comp, "body", None), Markdown):
                        pages.append((comp.body, lesson.path))
        for extra in (course.about.overview, course.handouts, *[u.body for u in course.updates]):
            if extra is not None:
                pages.append((extra, None))
        for body, current in pages:
            for kind, url, line0 in iter_targets(body.tokens):
                line = line0 + 1 + body.line_offset
                if kind == "alt":
                    if not url.strip():
                        self.diags.add(
                            body.path,
                            line,
                            "image without alt text: describe the picture in "
                            "`![…](…)` (screen-reader users depend on it)",
                            code="ACC001",
                        )
                    continue
                _new, err = resolver.resolve(url, kind, body.base_dir, current)
                if err:
                    self.diags.add(body.path, line, err.message, code=err.code)
        # Links in problem texts are resolved (and reported) when the problem is rendered for export.


def load_course(
    root: str | os.PathLike, texts_only: bool = False, share: tuple[int, int] | None = None
) -> Course:
    """Read and check a course project. Raises OlxkitError listing every error found.

    `texts_only` reads the course for its texts (what `olxkit i18n` needs): lessons' inline Markdown is left
    unparsed where the structure does not depend on it, and links are not checked (validate and build do).
    Such a course can be walked for messages but not exported.

    `share=(k, n)` (with `texts_only`) reads the units of lessons k, k+n, k+2n… in course order only; the
    other lessons keep their front matter and no units. n processes, one per share, read the whole course.
    """
    if share is not None and not texts_only:
        raise ValueError("a share of the lessons is only for reading texts")
    loader = _Loader(Path(root).resolve(), texts_only, share)
    course = loader.load()
    course.warnings = loader.diags.warnings  # type: ignore[attr-defined]
    return course


def load_course_with_warnings(root: str | os.PathLike, cache: LessonCache | None = None,
                              full: Collection[str] | None = None):
    """Like load_course, also returning the warnings (unlisted files, unpinned ids…).

    With a `cache` kept between calls, a lesson whose file and course settings did not change is taken from it
    instead of being parsed again (the preview server re-reads the course on every save).

    `full` (project-relative files) reads only those lessons and `PAGES` in full: the other lessons are read for the
    outline (front matter and units, without components and so without their checks; a unit's heading is found
    without parsing the lesson where a line scan is sure of it), the other pages not at all (None, no updates).
    Such a course shows an outline and what was read in full.
    """
    loader = _Loader(Path(root).resolve(), cache=cache, full=full)
    if cache is not None:
        cache.start()
    try:
        course = loader.load()
    finally:
        if cache is not None:
            cache.finish()
    return course, loader.diags.warnings
