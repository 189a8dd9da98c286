"""Course → translation template (POT): one message per block of prose, one per YAML text field."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polib

from ..diagnostics import OlxkitError
from ..model import Course
from ..parallel import parallel_map
from ..source.loader import load_course
from .pofile import catalog_text, new_catalog
from .walk import Item, translate_course

# Below this much lesson Markdown, starting a second process costs more than it saves.
PARALLEL_MIN_BYTES = 256 * 1024


@dataclass
class Message:
    context: str | None
    text: str
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class _Collector:
    def __init__(self):
        self.messages: dict[tuple[str | None, str], Message] = {}
        # (message, note) pairs seen: a text used in many places would otherwise scan its growing notes each time.
        self._noted: set[tuple[tuple[str | None, str], str]] = set()

    def group(self, items: list[Item]) -> list[str]:
        messages, noted = self.messages, self._noted
        for item in items:
            key = (item.context, item.text)
            msg = messages.get(key)
            if msg is None:
                msg = messages[key] = Message(item.context, item.text)
            msg.locations.append((item.path, item.line))
            note = f"{item.crumb} › {item.role}" if item.crumb else item.role
            if (key, note) not in noted:
                noted.add((key, note))
                msg.comments.append(note)
        return [item.text for item in items]


def collect_messages(course: Course) -> list[Message]:
    """Every translatable text of the course, in source order, identical texts merged."""
    collector = _Collector()
    translate_course(course, collector)
    return list(collector.messages.values())


class _Recorder:
    """The texts of one share's walk (see `read_messages`), kept in order rather than merged.

    `skeleton` is the walk with each lesson replaced by its path: course-level texts stay in place. `lessons`
    holds the texts of the lessons whose units this process read; the others (front matter only) are dropped.
    """

    def __init__(self):
        self.skeleton: list[list[Item] | str] = []
        self.lessons: dict[str, list[list[Item]]] = {}
        self._into: list = self.skeleton

    def enter_lesson(self, lesson) -> None:
        if lesson is None:
            self._into = self.skeleton
            return
        self.skeleton.append(lesson.path)
        self._into = self.lessons.setdefault(lesson.path, []) if lesson.units else []

    def group(self, items: list[Item]) -> list[str]:
        self._into.append(items)
        return [item.text for item in items]


def _read_share(root: Path, shares: int, k: int):
    """Read share k of the lessons and walk the course; runs in a forked process for k > 0."""
    try:
        course = load_course(root, texts_only=True, share=(k, shares))
    except OlxkitError as exc:
        return None, None, exc.diagnostics
    recorder = _Recorder()
    translate_course(course, recorder)
    # Only the first share's course stays in this process; the others' would be pickled for nothing.
    return (course if k == 0 else None), recorder, []


def _lesson_bytes(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root / "modules"):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files if f.endswith(".md"))
    return total


def read_messages(root: str | os.PathLike, jobs: int | None = None) -> tuple[Course, list[Message]]:
    """The course read for its texts (`load_course(texts_only=True)`) and its messages, as `collect_messages`.

    A large course is read by `jobs` processes at once (default: one per CPU), each parsing a share of the
    lessons; the messages are put together in course order, the same as one process finds them. The course
    returned has the units of the first share's lessons only: it is for the POT header and instances.
    """
    root = Path(root).resolve()
    if jobs is None:
        jobs = (os.cpu_count() or 1) if _lesson_bytes(root) >= PARALLEL_MIN_BYTES else 1
    if jobs <= 1:
        course = load_course(root, texts_only=True)
        return course, collect_messages(course)
    results = list(parallel_map(partial(_read_share, root, jobs), range(jobs), jobs))
    errors = sorted({d for _course, _recorder, diags in results for d in diags})
    if errors:
        raise OlxkitError(errors)
    course, first, _ = results[0]
    lessons = {path: groups for _c, recorder, _d in results for path, groups in recorder.lessons.items()}
    collector = _Collector()
    for entry in first.skeleton:
        for items in lessons[entry] if isinstance(entry, str) else [entry]:
            collector.group(items)
    return course, list(collector.messages.values())


def _empty_template(course: Course) -> polib.POFile:
    return new_catalog(
        f"{course.title} ({course.org}+{course.number})",
        None,
        f"Translation template of {course.title}.\nMade by `olxkit i18n extract`; do not edit: "
        "translate the locale/<locale>.po files.",
    )


def _entry_parts(msg: Message, line_numbers: bool) -> tuple[list[tuple[str, str]], str]:
    """A message's occurrences (sorted, unique) and its extracted comment, as the template shows them."""
    locations = sorted(set(msg.locations))
    occurrences = [(path, str(line) if line_numbers else "") for path, line in locations]
    comments = msg.comments
    if len(comments) > 3:
        comments = [*comments[:3], f"… and {len(comments) - 3} more places"]
    return occurrences, "\n".join(comments)


def extract_catalog(
    course: Course, line_numbers: bool = True, messages: list[Message] | None = None
) -> polib.POFile:
    """The POT for `course` (or for `messages` read from it): source order, sorted unique references,
    breadcrumbs as extracted comments."""
    pot = _empty_template(course)
    for msg in collect_messages(course) if messages is None else messages:
        occurrences, comment = _entry_parts(msg, line_numbers)
        pot.append(polib.POEntry(msgctxt=msg.context, msgid=msg.text, msgstr="", occurrences=occurrences,
                                 comment=comment))
    return pot


def template_text(
    course: Course, line_numbers: bool = True, messages: list[Message] | None = None
) -> tuple[str, int]:
    """The text of the POT, written directly: the same bytes as `extract_catalog` through polib (a test checks
    it), without building tens of thousands of polib entries only to print them. Returns (text, messages)."""
    parts = [catalog_text(_empty_template(course)).rstrip("\n")]
    messages = collect_messages(course) if messages is None else messages
    for msg in messages:
        occurrences, comment = _entry_parts(msg, line_numbers)
        lines = ["#. " + line for line in comment.split("\n")] if comment else []
        if occurrences:
            lines.append("#: " + " ".join([f"{p}:{n}" if n else p for p, n in occurrences]))
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
