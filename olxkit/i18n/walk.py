"""One traversal of every translatable text in a course, shared by extraction and translation.

Extraction and the translated build must agree exactly on what a message is; both go through `translate_course`
with a different `Translator`, so they cannot drift apart. Each component is walked by its type's registry
entry (olxkit/component_types.py).
"""

from __future__ import annotations

from .. import component_types
from ..model import Course, evolve
from ..registry import WalkContext
from ..source.links import STATIC_DIR
from . import diagrams
from .texts import Item, Translator, Walker, field_text, message_text, translatable


def translate_course(course: Course, translator: Translator) -> Course:
    """A copy of `course` with every translatable text passed through `translator` (the source is untouched)."""
    w = Walker(translator)
    enter_lesson = getattr(translator, "enter_lesson", None)
    cy = "course/course.yaml"
    grading = course.grading
    assignments = [
        evolve(
            a,
            type=w.one(
                "assignment type",
                a.type,
                cy,
                a.line,
                "Grading",
                "assignment type (the name learners see on the Progress page)",
            ),
            short_label=w.one(
                "assignment label",
                a.short_label,
                cy,
                a.line,
                "Grading",
                "short label of an assignment type (a few letters)",
            ),
        )
        for a in grading.assignments
    ]
    renamed = {old.type: new.type for old, new in zip(grading.assignments, assignments, strict=True)}
    about = course.about
    about = evolve(
        about,
        short_description=w.one("about", about.short_description, cy, 1, "About page", "short description"),
        effort=w.one("about", about.effort, cy, 1, "About page", "effort"),
        duration=w.one("about", about.duration, cy, 1, "About page", "duration"),
        overview=w.markdown(about.overview, "About page"),
    )
    modules = []
    for module in course.modules:
        mtitle = w.one("module title", module.title, module.path, module.line, module.title, "module title")
        lessons = []
        for lesson in module.lessons:
            if enter_lesson is not None:
                enter_lesson(lesson)
            crumb_l = f"{module.title} › {lesson.title}"
            ltitle = w.one("lesson title", lesson.title, lesson.path, lesson.line, crumb_l, "lesson title")
            units = []
            for unit in lesson.units:
                crumb = f"{crumb_l} › {unit.title}"
                utitle = w.one("unit title", unit.title, unit.path, unit.line, crumb, "unit title")
                components = []
                for comp in unit.components:
                    comp = component_types.of(comp).translate(comp, WalkContext(w, crumb))
                    components.append(comp)
                units.append(evolve(unit, title=utitle, components=components))
            fmt = renamed.get(lesson.format, lesson.format) if lesson.format else None
            lessons.append(evolve(lesson, title=ltitle, units=units, format=fmt))
            if enter_lesson is not None:
                enter_lesson(None)
        modules.append(evolve(module, title=mtitle, lessons=lessons))
    updates = [
        evolve(
            u,
            title=w.one("update title", u.title, u.body.path, u.body.line_offset, "Course updates", "update title"),
            body=w.markdown(u.body, "Course updates"),
        )
        for u in course.updates
    ]
    return evolve(
        course,
        title=w.one("course title", course.title, cy, 1, "Course", "course title"),
        about=about,
        grading=evolve(grading, assignments=assignments),
        modules=modules,
        handouts=w.markdown(course.handouts, "Handouts"),
        updates=updates,
        generated_assets=_diagrams(course, translator),
    )


_DIAGRAM_ROLES = {
    diagrams.TITLE: "title of the drawing",
    diagrams.DESCRIPTION: "description of the drawing, for screen readers",
    diagrams.LABEL: "text in the drawing: keep each line about as long as the English one, the drawing does not "
    "grow; a new line in the text is a new line in the drawing",
}


def _diagrams(course: Course, translator: Translator) -> dict[str, bytes]:
    """Translated copies of the course's SVG diagrams (each one wholly translated or left as it is)."""
    out = {}
    for rel in sorted(course.assets):
        if not diagrams.is_diagram(rel):
            continue
        try:
            with open(course.assets[rel], "rb") as fh:
                data = fh.read()
            parsed = diagrams.read_diagram(data)
            texts = parsed[1]
        except (OSError, ValueError):
            continue  # not a drawing olxkit can read: shipped as it is
        path = f"{STATIC_DIR}/{rel}"
        items = [Item(t.kind, t.text, path, t.line, f"Drawing {rel}", _DIAGRAM_ROLES[t.kind])
                 for t in texts if translatable(t.text)]
        if not items:
            continue
        found = translator.group(items)
        translated = {(i.context, i.text): new for i, new in zip(items, found, strict=True) if new != i.text}
        if translated:
            out[rel] = diagrams.translate_diagram(data, translated, parsed)
    return out


__all__ = ["Item", "Translator", "translate_course", "message_text", "field_text", "translatable"]
