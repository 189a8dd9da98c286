"""The import plan (where each block of an export goes in the project) and the small text helpers the
importer's writers share: YAML out, ids, titles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from .olx import Block, OlxCourse


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """libyaml's writer when there is one (Python's is most of an import's time otherwise)."""


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def slugify(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].rstrip("-")
    return slug or fallback


def unique_name(base: str, used: set[str]) -> str:
    name, n = base, 2
    while name in used:
        name = f"{base}-{n}"
        n += 1
    used.add(name)
    return name


@dataclass
class Component:
    block: Block
    kind: str
    """text, problem, video, discussion, olx"""
    cid: str
    body: str
    """Markdown for text; the fence body for the others."""
    reason: str = ""
    """Why a block is kept as it came (empty when converted)."""


@dataclass
class Plan:
    """Where every block of the export goes in the project, and what is kept as it came."""

    course: OlxCourse
    raw: set[str] = field(default_factory=set)
    kept_files: set[str] = field(default_factory=set)
    """Files of the export the build did not give back the same: kept as they came (course/olx/)."""
    """Refs of blocks to keep as they came (decided by `verify` after a first try)."""
    reasons: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    overlay_files: dict[str, bytes] = field(default_factory=dict)
    attributes: dict[str, dict] = field(default_factory=dict)
    policy: dict[str, dict] = field(default_factory=dict)
    grading: dict | None = None
    html_lang: bool = True
    components: list[Component] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    lesson_files: dict[str, str] = field(default_factory=dict)
    """sequential ref → lesson file (project-relative)."""
    unit_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    """vertical ref → (lesson file, unit id); for links."""


def unquote(value: str) -> str:
    return value[1:-1] if value.startswith('"') and value.endswith('"') else value


_TITLE_ESCAPE = re.compile(r"([\\`*_\[\]{}<>#!|~&$])")


def escape_title(title: str) -> str:
    """A display name as a Markdown heading's text (every character that could be markup escaped)."""
    return _TITLE_ESCAPE.sub(r"\\\1", " ".join(title.split()))
