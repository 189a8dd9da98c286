"""Lesson files: reading them, the front matter, unit and lesson ids."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..confine import open_inside
from ..diagnostics import error
from ..model import (
    Markdown,
    Unit,
)
from .markdown import (
    ID_RE,
    RawUnit,
    make_markdown,
    parse_for_texts,
)

_NN_PREFIX = re.compile(r"^\d+[-_]")


def read_text(root: Path, rel: str) -> str:
    """Read a UTF-8 source file; a file in another encoding is an error at the offending line."""
    data = open_inside(root, rel)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            rel,
            line,
            f"this file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it with UTF-8 encoding",
            code="SYN001",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, number of lines before the body)."""
    if not text.startswith("---\n"):
        raise error(
            rel, 1, "a lesson starts with YAML front matter between `---` lines (with at least `title:`)", code="SYN001"
        )
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if not end:
        raise error(rel, 1, "the front matter is not closed: add a `---` line after it", code="SYN001")
    front = text[4 : 4 + end.start()]
    body_start = 4 + end.end() + 1
    offset = text.count("\n", 0, min(body_start, len(text)))
    return front, text[body_start:], offset


def slugify(text: str) -> str:
    """A unit id made from its title (ASCII, lowercase, `-`), for units without `{#id}`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:40].rstrip("-")


def strip_prefix(name: str) -> str:
    """`01-intro` → `intro`: the ordering prefix of a file or folder name is not part of its id."""
    return _NN_PREFIX.sub("", name)


def check_id(value: str, rel: str, line: int, what: str) -> str:
    """`value` if it can be an Open edX url_name part, else an error at rel:line."""
    if not ID_RE.match(value):
        raise error(
            rel,
            line,
            f"{what} `{value}` must use lowercase letters, digits and `-` only "
            "(it becomes part of the Open edX url_name)",
            code="SYN004",
        )
    return value


def unit_of(raw: RawUnit, rel: str, unit_ids: dict[str, int]) -> Unit:
    """The unit a `##` heading starts, without its components: its id checked, pinned or made from the title, and
    unique in the lesson (`unit_ids`: id → line, of the lesson's units so far)."""
    if raw.id is not None:
        unit_id = check_id(raw.id, rel, raw.line, "unit id")
        pinned = True
    else:
        unit_id = slugify(raw.title)
        pinned = False
        if not unit_id:
            raise error(rel, raw.line, "this unit title gives no id; add one: `## Title {#unit-id}`", code="SYN005")
    if unit_id in unit_ids:
        raise error(
            rel,
            raw.line,
            f"duplicate unit id `{unit_id}` (also at line {unit_ids[unit_id]}); give one of them another `{{#id}}`",
            code="STR003",
        )
    unit_ids[unit_id] = raw.line
    return Unit(id=unit_id, title=raw.title, components=[], path=rel, line=raw.line, id_pinned=pinned)


def load_markdown_file(root: Path, rel: str, base_dir: str, texts_only: bool = False) -> Markdown:
    """A whole Markdown file (about.md, handouts.md) parsed as one body."""
    text = read_text(root, rel)
    env: dict = {}
    tokens = parse_for_texts(text, env) if texts_only else make_markdown().parse(text, env)
    env["olxkit_footnotes"] = {}
    return Markdown(tokens=tokens, env=env, path=rel, line_offset=0, base_dir=base_dir)
