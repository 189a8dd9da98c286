"""Course → translation template (POT): one message per block of prose, one per YAML text field."""

from __future__ import annotations

from dataclasses import dataclass, field

import polib

from ..model import Course
from .pofile import new_catalog
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


def extract_catalog(course: Course, line_numbers: bool = True) -> polib.POFile:
    """The POT for `course`: source order, sorted unique references, breadcrumbs as extracted comments."""
    pot = new_catalog(
        f"{course.title} ({course.org}+{course.number})",
        None,
        f"Translation template of {course.title}.\nMade by `olxkit i18n extract`; do not edit: "
        "translate the locale/<locale>.po files.",
    )
    for msg in collect_messages(course):
        locations = sorted(set(msg.locations))
        occurrences = [(path, str(line) if line_numbers else "") for path, line in locations]
        comments = msg.comments[:3] + ([f"… and {len(msg.comments) - 3} more places"] if len(msg.comments) > 3 else [])
        pot.append(
            polib.POEntry(
                msgctxt=msg.context, msgid=msg.text, msgstr="", occurrences=occurrences, comment="\n".join(comments)
            )
        )
    return pot
