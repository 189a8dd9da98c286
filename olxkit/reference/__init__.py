"""The authoring reference, installed with olxkit: `olxkit docs [TOPIC]` prints it, or one section of it.

The reference is authoring.md in this folder (package data), so a user with only `pip install olxkit` has it.
Topics are its `##`/`###` sections, found by a name (`course.yaml`, `updates`, `problem`, `numerical`…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{2,4})\s+(.*?)\s*$")
# Other names people look a topic up by.
ALIASES = {
    "course": "course/course.yaml", "instances": "course/instances.yaml", "glossary": "course/glossary.yaml",
    "module": "modules/nn-slug/module.yaml", "modules": "modules/nn-slug/module.yaml",
    "updates": "course/updates.yaml", "about": "course/about.md and course/handouts.md",
    "handouts": "course/about.md and course/handouts.md", "lesson": "lessons", "front-matter": "lessons",
    "problems": "problem", "settings": "problem settings", "grading": "graded lessons and the grading policy",
    "ids": "ids: what keeps learner data safe", "errors": "mistakes olxkit reports",
}


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    """The heading as written, without its `#`s."""
    text: str
    """The heading and everything up to the next heading of the same or a higher level."""

    @property
    def name(self) -> str:
        """The heading as a topic name: lowercase, no backticks, no text after a colon."""
        return self.title.replace("`", "").split(": ")[0].strip().lower()


def reference_text() -> str:
    """The whole authoring reference (Markdown)."""
    return resources.files(__package__).joinpath("authoring.md").read_text(encoding="utf-8")


def sections(text: str | None = None) -> list[Section]:
    """The `##`, `###` and `####` sections of the reference, in order (headings inside code blocks are not)."""
    lines = (reference_text() if text is None else text).split("\n")
    starts: list[tuple[int, int, str]] = []
    fence = None
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if opening and (fence is None or line.strip().startswith(fence)):
            fence = None if fence else opening.group(1)
            continue
        heading = None if fence else _HEADING.match(line)
        if heading:
            starts.append((number, len(heading.group(1)), heading.group(2)))
    out = []
    for index, (number, level, title) in enumerate(starts):
        end = next((n for n, lv, _t in starts[index + 1:] if lv <= level), len(lines))
        out.append(Section(level, title, "\n".join(lines[number:end]).rstrip() + "\n"))
    return out


def find(topic: str) -> Section | None:
    """The section a topic names: its heading, an alias, or the one heading that contains the words."""
    wanted = topic.strip().lower().strip("`")
    wanted = ALIASES.get(wanted, wanted)
    every = sections()
    for test in (lambda s: s.name == wanted, lambda s: s.name.endswith("/" + wanted),
                 lambda s: wanted in s.name):
        found = [s for s in every if test(s)]
        if found:
            return min(found, key=lambda s: s.level)
    return None


def topics() -> list[str]:
    """The topic names, one per section, indented by level."""
    return [("  " * (s.level - 2)) + s.name for s in sections()]
