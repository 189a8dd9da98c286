"""The preview's state: the course read through the build's own pipeline, kept between saves.

The course is re-read on every save with a `LessonCache`, so only the lessons whose files changed are parsed
again. Each instance's variant is made when the instance is first shown, and each lesson's OLX files when the
lesson is first shown: the html a page shows is the html `olxkit build` writes into the archive.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import component_types
from ..diagnostics import Diagnostic, OlxkitError, Severity
from ..i18n import locales
from ..i18n.variant import FallbackReport, make_variant
from ..i18n.walk import Item
from ..model import Course, Instance, Lesson, Module, Unit
from ..olx_export import OlxTree, export_olx
from ..source.cache import LessonCache
from ..source.instances import load_instances
from ..source.loader import PAGES, load_course_with_warnings
from .variants import lesson_variant, outline_variant, pages_variant, static_variant, with_lesson

WATCHED = ("course", "modules", "locale")
"""The project folders the preview watches and re-reads (course/static/ is inside course/)."""


@dataclass
class Place:
    """One unit of the outline, in course order."""

    index: int
    module: Module
    lesson: Lesson
    unit: Unit

    @property
    def url_name(self) -> str:
        return f"{self.lesson.id}_{self.unit.id}"


@dataclass
class Site:
    """One instance as a learner sees it: its variant of the course, each lesson translated when first shown, and
    the OLX of each lesson shown so far."""

    instance: Instance
    slug: str
    variant: Course
    """Course-wide texts and titles translated; the components are the source's until their lesson is shown."""
    report: FallbackReport
    places: list[Place]
    blocks: dict[str, tuple[int, str]]
    """url_name of any block (lesson, unit, component) → (index of its unit in `places`, anchor)."""
    source: Course
    tables: dict
    known: set[str]
    translated: bool
    """True when `variant` is already the whole variant (the source language: nothing to translate)."""
    fallbacks: dict[str, list[Item]] = field(default_factory=dict)
    """source file → the texts shown in the fallback language so far, by line."""
    lessons: dict[str, Lesson] = field(default_factory=dict)
    olx: dict[str, OlxTree] = field(default_factory=dict)
    course_files: OlxTree | None = None
    statics: Course | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self):
        self._fell_back(self.report)

    @property
    def language(self) -> str:
        return locales.bcp47(self.instance.locale)

    @property
    def source_language(self) -> str:
        return locales.bcp47(self.source.language)

    @property
    def is_source(self) -> bool:
        return locales.normalize(self.instance.locale) == locales.normalize(self.source.language)

    def _fell_back(self, report: FallbackReport) -> None:
        if self.is_source:
            return
        for item in report.fell_back:
            items = self.fallbacks.setdefault(item.path, [])
            bisect.insort(items, item, key=lambda i: i.line)

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson as this instance shows it (translated on first use)."""
        with self.lock:
            lesson = self.lessons.get(lesson_id)
            if lesson is None:
                if self.translated:
                    lesson = next(le for le in self.variant.lessons() if le.id == lesson_id)
                else:
                    lesson, report = lesson_variant(self.source, lesson_id, self.instance, self.tables, self.known)
                    self._fell_back(report)
                self.lessons[lesson_id] = lesson
            return lesson

    def unit(self, place: Place) -> Unit:
        """The unit at `place` as this instance shows it."""
        return next(u for u in self.lesson(place.lesson.id).units if u.id == place.unit.id)

    def lesson_olx(self, lesson_id: str) -> OlxTree:
        """The lesson's OLX files, exactly as the build writes them (made once per version)."""
        with self.lock:
            tree = self.olx.get(lesson_id)
            if tree is None:
                variant = with_lesson(self.variant, self.lesson(lesson_id))
                tree, diags = export_olx(variant, lessons={lesson_id}, course_files=False)
                if diags.errors:
                    raise OlxkitError(diags.errors)
                self.olx[lesson_id] = tree
            return tree

    def pages(self) -> OlxTree:
        """The course-wide files (About, Handouts, Updates, policies)."""
        with self.lock:
            if self.course_files is None:
                variant = self.variant
                if not self.translated:
                    variant, report = pages_variant(self.source, variant, self.instance, self.tables, self.known)
                    self._fell_back(report)
                tree, diags = export_olx(variant, lessons=(), course_files=True)
                if diags.errors:
                    raise OlxkitError(diags.errors)
                self.course_files = tree
            return self.course_files

    def static_files(self) -> tuple[dict[str, str], dict[str, bytes]]:
        """The files under /static/ (name → source file) and the translated drawings (name → bytes)."""
        with self.lock:
            if self.statics is None:
                self.statics = self.variant if self.translated else static_variant(
                    self.source, self.instance, self.tables, self.known)
            return self.statics.assets, self.statics.generated_assets

    def fallback_items(self, path: str, start: int, end: int) -> list[Item]:
        """Texts from lines [start, end) of `path` that this instance shows in the fallback language."""
        with self.lock:
            items = self.fallbacks.get(path, [])
            low = bisect.bisect_left(items, start, key=lambda i: i.line)
            return [item for item in items[low:] if item.line < end]

    def fallback_texts(self, path: str, start: int, end: int) -> list[str]:
        return [item.text for item in self.fallback_items(path, start, end)]

    def place_of(self, lesson_id: str, unit_id: str) -> Place | None:
        for place in self.places:
            if place.lesson.id == lesson_id and place.unit.id == unit_id:
                return place
        return None


def slug_of(instance: Instance, taken: set[str]) -> str:
    """The instance's address in the preview: its language tag (`/de-AT/`), else its id when that is taken."""
    slug = locales.bcp47(instance.locale)
    return instance.id if slug in taken else slug


class Preview:
    """The course of one project, re-read on demand; the last good version stays while a save is broken."""

    def __init__(self, project: str | os.PathLike, instance: str | None = None):
        self.root = Path(project).resolve()
        self.only = instance
        self.cache = LessonCache()
        self.version = 0
        self.course: Course | None = None
        self.instances: list[Instance] = []
        self.slugs: dict[str, Instance] = {}
        self.sites: dict[str, Site] = {}
        self.findings: list[Diagnostic] = []
        """The errors of the last read, when it failed (the pages show them over the last good version)."""
        self.reparsed: list[str] = []
        """Lesson files parsed again by the last read."""
        self.last_reload_s = 0.0
        self.read_at_ns = 0
        """When the last read started (wall clock, ns): files changed since may not be in it."""
        self.known: set[str] = set()
        self._tables: dict[str, tuple[tuple | None, dict]] = {}
        self.outlined: set[str] = set()
        """Lesson files this version has read for the outline only, and course pages (`PAGES`) not read yet (see
        `reload`)."""
        self._lock = threading.RLock()
        self._wanted: set[str] = set()
        self._gave_up = False  # `complete` found errors in this version: not tried again before the next

    # -- reading -------------------------------------------------------------------------------------------
    def reload(self, outline: bool = False) -> bool:
        """Read the project again: a new version. False (with `findings`) when it is broken; the last good version
        stays.

        With `outline`, the lessons are read for the outline only (front matter and unit headings, see
        `load_course_with_warnings`) and the course pages not at all: each is read in full when a page first shows
        it (`show`), the rest by `complete`, after the first page. The server starts so: its first page does not
        wait for lessons it does not show.
        """
        with self._lock:
            self.read_at_ns = time.time_ns()
            self._gave_up = False
            if not self._read(set() if outline else None, fresh=True):
                return False
            self.version += 1
            return True

    def lesson_path(self, lesson_id: str) -> str | None:
        """The file of the lesson with this id in the current version (None if there is none)."""
        return next((le.path for le in self.course.lessons() if le.id == lesson_id), None) if self.course else None

    def show(self, *paths: str) -> None:
        """Read these files (lessons, course pages: `PAGES`) in full if this version has not yet: a page is about
        to show them. Raises OlxkitError (`findings` set) when they are broken; the version stays as it was."""
        with self._lock:
            wanted = self.outlined.intersection(paths)
            if wanted and not self._read(self._known_files() - self.outlined | wanted, fresh=False):
                raise OlxkitError(self.findings)

    def _known_files(self) -> set[str]:
        assert self.course is not None
        return {le.path for le in self.course.lessons()} | {rel for rel in PAGES if (self.root / rel).is_file()}

    def complete(self) -> bool:
        """Read in full the lessons this version has only the outline of, with every check of a full read (the
        links across the course…). False (with `findings`, the version staying as it was) when that finds errors:
        open pages are to be told, as after a broken save."""
        with self._lock:
            if not self.outlined or self._gave_up:
                return not self._gave_up
            self._gave_up = not self._read(None, fresh=False)
            return not self._gave_up

    def _read(self, full: set[str] | None, fresh: bool) -> bool:
        """Read the course (`full`: the lessons read in full, None for all). A `fresh` read is a new version (made
        at once for the instances being looked at); another reads more of the same version."""
        started = time.perf_counter()
        try:
            course, _warnings = load_course_with_warnings(self.root, self.cache, full)
            every = load_instances(self.root, course)
            instances = [i for i in every if i.enabled]
            if self.only is not None:
                chosen = [i for i in instances if self.only in (i.id, i.locale, locales.bcp47(i.locale))]
                if not chosen:
                    known = ", ".join(i.id for i in instances)
                    raise OlxkitError([Diagnostic("course/instances.yaml", 1,
                                                  f"no enabled instance `{self.only}` (there are: {known})",
                                                  Severity.ERROR, "SRV001")])
                instances = chosen
            slugs: dict[str, Instance] = {}
            for inst in instances:
                slugs[slug_of(inst, set(slugs))] = inst
            old = (self.course, self.instances, self.slugs, self.sites, self.known, self.outlined)
            self.course, self.instances, self.slugs, self.sites = course, instances, slugs, {}
            self.known = {i.locale for i in every}  # as the build: every instance's locale
            self.outlined = set() if full is None else self._known_files() - full
            try:
                # The instances being looked at are made now, so that a broken page shows as findings at once.
                for slug in sorted(self._wanted & set(slugs)) if fresh else ():
                    site = self.site(slug)
                    for path in self.cache.parsed:
                        for lesson in course.lessons():
                            if lesson.path == path and path not in self.outlined:
                                site.lesson_olx(lesson.id)
            except OlxkitError:
                self.course, self.instances, self.slugs, self.sites, self.known, self.outlined = old
                raise
        except OlxkitError as exc:
            self.findings = sorted(d for d in exc.diagnostics if d.severity >= Severity.ERROR) or exc.diagnostics
            self.reparsed = list(self.cache.parsed)
            self.last_reload_s = time.perf_counter() - started
            return False
        if fresh or full is None:
            self.findings = []  # a read of part of the course leaves the errors found in the whole
        self.reparsed = list(self.cache.parsed)
        self.last_reload_s = time.perf_counter() - started
        return True

    def _table(self, code: str) -> dict:
        path = self.root / "locale" / f"{code}.po"
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        cached = self._tables.get(code)
        if cached is None or cached[0] != stamp:
            # Gated text by text as the pages look translations up; kept (with the verdicts) while unchanged.
            if stamp:
                from .catalogs import LazyTable  # the gate's checks: imported when there is a catalog to gate

                table = LazyTable(path, f"locale/{code}.po", code)
            else:
                table = {}
            cached = (stamp, table)
            self._tables[code] = cached
        return cached[1]

    def site(self, slug: str) -> Site:
        """The instance at `slug` (KeyError if there is none), its outline made on first use."""
        with self._lock:
            self._wanted.add(slug)
            site = self.sites.get(slug)
            if site is not None:
                return site
            course, instance = self.course, self.slugs[slug]
            assert course is not None
            codes = locales.chain(instance.locale, course.language)
            tables = {code: self._table(code) for code in codes}
            whole = locales.normalize(instance.locale) == locales.normalize(course.language)
            make = make_variant if whole else outline_variant
            variant, report = make(course, instance, tables, self.known)
            site = Site(instance, slug, variant, report, *_index(variant), source=course, tables=tables,
                        known=self.known, translated=whole)
            self.sites[slug] = site
            return site


def _index(course: Course) -> tuple[list[Place], dict[str, tuple[int, str]]]:
    places: list[Place] = []
    blocks: dict[str, tuple[int, str]] = {}
    name = course.olx.name  # an imported course keeps its own url_names
    for module in course.modules:
        module_first = len(places)
        for lesson in module.lessons:
            first = len(places)
            for unit in lesson.units:
                place = Place(len(places), module, lesson, unit)
                places.append(place)
                blocks[name("vertical", place.url_name)] = (place.index, "")
                for comp in unit.components:
                    url_name = component_name(course, place, comp)
                    blocks[url_name] = (place.index, url_name)
            if lesson.units:
                blocks[name("sequential", lesson.id)] = (first, "")
        if len(places) > module_first:
            blocks[name("chapter", module.id)] = (module_first, "")
    return places, blocks


def component_name(course: Course, place: Place, comp) -> str:
    """The url_name the export gives a component (the one its OLX file is named after)."""
    tag = component_types.of(comp).tag(comp)
    return course.olx.name(tag, f"{place.url_name}_{comp.id}")
