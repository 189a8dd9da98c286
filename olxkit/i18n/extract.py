"""Course → translation template (POT): one message per block of prose, one per YAML text field."""

from __future__ import annotations

from dataclasses import dataclass, field

import polib

from ..model import Course
from .pofile import catalog_text, new_catalog
from .walk import Item, translate_course


@dataclass
class Message:
    context: str | None
    text: str
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class _Collector:
    def __init__(self):
        self.messages: dict[tuple[str | None, str], Message] = {}

    def group(self, items: list[Item]) -> list[str]:
        for item in items:
            key = (item.context, item.text)
            msg = self.messages.get(key)
            if msg is None:
                msg = self.messages[key] = Message(item.context, item.text)
            msg.locations.append((item.path, item.line))
            note = f"{item.crumb} › {item.role}" if item.crumb else item.role
            if note not in msg.comments:
                msg.comments.append(note)
        return [item.text for item in items]


def collect_messages(course: Course) -> list[Message]:
    """Every translatable text of the course, in source order, identical texts merged."""
    collector = _Collector()
    translate_course(course, collector)
    return list(collector.messages.values())


def _empty_template(course: Course) -> polib.POFile:
    return new_catalog(
        f"{course.title} ({course.org}+{course.number})",
        None,
        f"Translation template of {course.title}.\nMade by `olxkit i18n extract`; do not edit: "
        "translate the locale/<locale>.po files.",
    )


def _entry_parts(msg: Message, line_numbers: bool) -> tuple[list[tuple[str, str]], str]:
    locations = sorted(set(msg.locations))
    occurrences = [(path, str(line) if line_numbers else "") for path, line in locations]
    comments = msg.comments[:3] + ([f"… and {len(msg.comments) - 3} more places"] if len(msg.comments) > 3 else [])
    return occurrences, "\n".join(comments)


def extract_catalog(course: Course, line_numbers: bool = True) -> polib.POFile:
    """The POT for `course`: source order, sorted unique references, breadcrumbs as extracted comments."""
    pot = _empty_template(course)
    for msg in collect_messages(course):
        occurrences, comment = _entry_parts(msg, line_numbers)
        pot.append(polib.POEntry(msgctxt=msg.context, msgid=msg.text, msgstr="", occurrences=occurrences,
                                 comment=comment))
    return pot


def template_text(course: Course, line_numbers: bool = True) -> tuple[str, int]:
    """The text of the POT, written directly: the same bytes as `extract_catalog` through polib (a test checks
    it), without building tens of thousands of polib entries only to print them. Returns (text, messages)."""
    parts = [catalog_text(_empty_template(course)).rstrip("\n")]
    messages = collect_messages(course)
    for msg in messages:
        occurrences, comment = _entry_parts(msg, line_numbers)
        lines = [f"#. {line}" for line in comment.split("\n")] if comment else []
        if occurrences:
            lines.append("#: " + " ".join(f"{p}:{n}" if n else p for p, n in occurrences))
        if msg.context is not None:
            lines += _field("msgctxt", msg.context)
        lines += _field("msgid", msg.text)
        lines.append('msgstr ""')
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n", len(messages)


def _field(name: str, value: str) -> list[str]:
    """A PO field as polib writes it without wrapping: multi-line values start with an empty string."""
    lines = value.splitlines(True)
    lines = ["", *lines] if len(lines) > 1 else [value]
    return [f'{name} "{polib.escape(lines[0])}"'] + [f'"{polib.escape(line)}"' for line in lines[1:]]
