"""An instance's course for the preview, translated as far as the pages shown need it.

The build translates the whole course and gates every translation of its catalogs before it writes anything. A
preview shows one page at a time: its outline needs the titles, a unit page one lesson. So the preview translates
the course-wide texts and titles first (`outline_variant`), and each lesson when it is first shown
(`lesson_variant`), with `make_variant` itself, along the same chain; its catalogs are gated text by text as the
translations are looked up (`catalogs.LazyTable`), through the build's own gate (`gate.gate`). A text gets the same
translation, or falls back the same way, as in the build: the gate's verdict on a translation does not depend on
the other translations, and a lesson's texts do not depend on another lesson's.
"""

from __future__ import annotations

from dataclasses import replace

from ..i18n.diagrams import is_diagram
from ..i18n.variant import FallbackReport, make_variant
from ..model import About, Course, Instance, Lesson


def _bare(course: Course) -> Course:
    """`course` without its components."""
    return replace(course, modules=[
        replace(module, lessons=[replace(lesson, units=[replace(unit, components=[]) for unit in lesson.units])
                                 for lesson in module.lessons])
        for module in course.modules])


def _without_drawings(course: Course) -> dict[str, str]:
    return {rel: src for rel, src in course.assets.items() if not is_diagram(rel)}


def outline_variant(course: Course, instance: Instance, tables: dict, known: set[str]) -> tuple[Course, FallbackReport]:
    """The variant's titles translated; the components are the source's (a lesson's are translated by
    `lesson_variant` when it is shown), and so are About, Handouts and Updates (`pages_variant`) and the drawings
    (`static_variant`). Ids, order, file names and links are those of the whole variant."""
    variant, report = make_variant(replace(_bare(course), about=About(), handouts=None, updates=[],
                                           assets=_without_drawings(course)), instance, tables, known)
    drawings = {rel: src for rel, src in course.assets.items() if rel not in variant.assets and is_diagram(rel)}
    modules = []
    for module, source_module in zip(variant.modules, course.modules, strict=True):
        lessons = []
        for lesson, source_lesson in zip(module.lessons, source_module.lessons, strict=True):
            units = [replace(unit, components=source.components)
                     for unit, source in zip(lesson.units, source_lesson.units, strict=True)]
            lessons.append(replace(lesson, units=units))
        modules.append(replace(module, lessons=lessons))
    return replace(variant, modules=modules, about=course.about, handouts=course.handouts, updates=course.updates,
                   assets={**variant.assets, **drawings}), report


def static_variant(course: Course, instance: Instance, tables: dict, known: set[str]) -> Course:
    """The variant's files under course/static/ (`assets`) and its translated drawings (`generated_assets`)."""
    variant, _report = make_variant(replace(_bare(course), about=About(), handouts=None, updates=[]), instance,
                                    tables, known)
    return variant


def pages_variant(course: Course, variant: Course, instance: Instance, tables: dict,
                  known: set[str]) -> tuple[Course, FallbackReport]:
    """`variant` (from `outline_variant`) with About, Handouts and Updates translated."""
    pages, report = make_variant(replace(_bare(course), assets=_without_drawings(course)), instance, tables, known)
    return replace(variant, about=pages.about, handouts=pages.handouts, updates=pages.updates), report


def lesson_variant(course: Course, lesson_id: str, instance: Instance, tables: dict,
                   known: set[str]) -> tuple[Lesson, FallbackReport]:
    """One lesson of the variant, translated as the whole variant translates it."""
    for module in course.modules:
        for lesson in module.lessons:
            if lesson.id == lesson_id:
                # The course around it is left out: no About, Handouts, Updates or drawings to translate again.
                alone = replace(course, modules=[replace(module, lessons=[lesson])], about=About(), handouts=None,
                                updates=[], assets=_without_drawings(course))
                variant, report = make_variant(alone, instance, tables, known)
                return variant.modules[0].lessons[0], report
    raise KeyError(lesson_id)


def with_lesson(variant: Course, lesson: Lesson) -> Course:
    """`variant` with its lesson of the same id replaced by `lesson` (to export that lesson)."""
    return replace(variant, modules=[
        replace(module, lessons=[lesson if other.id == lesson.id else other for other in module.lessons])
        if any(other.id == lesson.id for other in module.lessons) else module
        for module in variant.modules])


def __getattr__(name: str):
    # `LazyTable` lives in .catalogs, imported only when a catalog is read (it imports the gate's checks).
    if name == "LazyTable":
        from .catalogs import LazyTable

        return LazyTable
    raise AttributeError(name)
