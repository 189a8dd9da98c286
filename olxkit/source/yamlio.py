"""Safe YAML reading that keeps line numbers and reads text as written.

YAML is parsed with libyaml's C composer (CSafeLoader, ~9x faster than the pure-Python loader) and never
constructed with PyYAML's implicit YAML 1.1 typing: each field is read through a typed accessor, so a title
`Yes` or `1.0` stays the text the author wrote, and a boolean field only accepts `true` or `false`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Diagnostic, OlxkitError, Severity, error

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is bundled in PyYAML wheels
    _Loader = yaml.SafeLoader

_NULLS = {"", "~", "null", "Null", "NULL"}


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Node | None:
    """Parse one YAML document into a node tree, or raise an error naming `path:line:column` and what to do."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line, column, message, code = explain_yaml_error(exc, text, line_offset)
        raise OlxkitError(Diagnostic(path, line + line_offset, message, Severity.ERROR, code, column)) from None
    except yaml.YAMLError as exc:
        raise error(path, line_offset + 1, f"malformed YAML: {exc}", code="SYN001") from None


_FLOW_OPENERS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}")}
_QUOTE_FIRST = "`@%*&!|>"


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str, line_offset: int = 0) -> tuple[int, int, str, str]:
    """(line, column, message, code) of a YAML parse error: where the author has to look, and what to do.

    The parser's problem mark is where it gave up; for an unclosed bracket or quote the place to look is
    where it opened (the context mark), for anything else the problem mark itself.
    """
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    lines = text.split("\n")
    if mark is None:
        return 1, 1, f"malformed YAML: {problem or context}", "SYN001"
    row, col = mark.line, mark.column
    here = lines[row] if row < len(lines) else ""

    def at(r: int, c: int) -> tuple[int, int]:
        return r + 1, c + 1

    indent = here[: len(here) - len(here.lstrip(" \t"))]
    if "\t" in indent or "tab" in problem:
        tab = here.find("\t")
        return (*at(row, max(tab, 0)), "a tab character: YAML indents with spaces only; replace the tab with spaces",
                "YML001")
    cmark = exc.context_mark
    for kind, (opener, closer) in _FLOW_OPENERS.items():
        if kind in context and cmark is not None:
            return (*at(cmark.line, cmark.column), f"the `{opener}` opened here is never closed: add `{closer}` after "
                    f"the last item, or put the value in quotes if the `{opener}` is text", "YML004")
    if "quoted scalar" in context and cmark is not None:
        opening = lines[cmark.line] if cmark.line < len(lines) else ""
        quote = opening[cmark.column] if cmark.column < len(opening) else '"'
        inside = "write a `\"` inside it as `\\\"`" if quote == '"' else "write a `'` inside it as `''`"
        return (*at(cmark.line, cmark.column), f"the quote `{quote}` opened here is never closed: add the closing "
                f"`{quote}` ({inside})", "YML004")
    if "mapping values are not allowed" in problem:
        key, sep, _value = here.partition(": ")
        first_colon = len(key) if sep else len(here)
        name = key.strip().removeprefix("-").strip()
        if first_colon < col and name and not name.startswith(('"', "'")):
            value = here[first_colon + 2 :].strip().replace('"', '\\"')
            return (*at(row, col), f"`: ` inside the value of `{name}`: put the value in quotes, as in "
                    f'`{name}: "{value}"`', "YML002")
        if first_colon < col:
            return (*at(row, col), "`: ` inside a value: put the value in quotes", "YML002")
        return (*at(row, col), "this key is indented deeper than the line above: a key lines up with the other keys "
                "of its mapping (spaces only); if the line above is text that goes on here, put that text in quotes",
                "YML003")
    if "cannot start any token" in problem or "alias" in context or "anchor" in context or "tag" in context:
        char = here[col] if col < len(here) else ""
        if cmark is not None and ("alias" in context or "anchor" in context or "tag" in context):
            row, col = cmark.line, cmark.column
            char = lines[row][col] if col < len(lines[row]) else char
        if char and char in _QUOTE_FIRST:
            what = "a backtick (`)" if char == "`" else f"`{char}`"
            return (*at(row, col), f"a YAML value cannot start with {what}: put the whole value in quotes",
                    "YML002")
    if "block" in context and cmark is not None and ("expected" in problem):
        before = here[:col]
        if before.strip():
            return (*at(row, col), "unexpected text after the value: if the value contains quotes or `: `, "
                    "put the whole value in quotes", "YML002")
        what = "list" if "collection" in context or "sequence" in context else "mapping"
        entries = "items (`- `)" if what == "list" else "keys"
        start = cmark.line + 1 + line_offset
        new_item = ", or start a new item with `- `" if what == "list" else ""
        return (*at(row, col), f"indentation: this line does not fit the {what} that starts at line {start}, "
                f"whose {entries} start at column {cmark.column + 1}; indent it like the entries it belongs to "
                f"(spaces only){new_item}", "YML003")
    return (*at(row, col), f"malformed YAML: {problem or context}; check indentation, quoting and colons", "SYN001")


def node_line(node: Node, line_offset: int = 0) -> int:
    return node.start_mark.line + 1 + line_offset


def closest(word: str, options: Iterable[str]) -> str:
    """A ' (did you mean `x`?)' hint, or an empty string."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean `{match[0]}`?)" if match else ""


class YamlMap:
    """Typed, located access to a YAML mapping. Every error names the file and line of the value."""

    def __init__(self, node: Node | None, path: str, line_offset: int = 0, what: str = "this block"):
        self.path = path
        self.offset = line_offset
        self.what = what
        if node is None:
            self.mapping_node = None
            self.line = line_offset + 1
            self.entries: dict[str, tuple[ScalarNode, Node]] = {}
            return
        if not isinstance(node, MappingNode):
            raise error(
                path, node_line(node, line_offset), f"{what} must be a mapping of `key: value` lines", code="SYN004"
            )
        self.mapping_node = node
        self.line = node_line(node, line_offset)
        self.entries = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise error(path, node_line(key, line_offset), "keys must be plain words", code="SYN004")
            if key.value in self.entries:
                raise error(path, node_line(key, line_offset), f"duplicate key `{key.value}` in {what}", code="SYN002")
            self.entries[key.value] = (key, value)

    # -- structure ---------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return list(self.entries)

    def has(self, key: str) -> bool:
        return key in self.entries and not _is_null(self.entries[key][1])

    def line_of(self, key: str) -> int:
        if key in self.entries:
            return node_line(self.entries[key][1], self.offset)
        return self.line

    def text_offset(self, key: str) -> int:
        """Lines before the text of `key` (for Markdown inside YAML): a block scalar starts on the next line."""
        node = self.node(key)
        if node is None:
            return self.line - 1
        return node_line(node, self.offset) - (0 if node.style in ("|", ">") else 1)

    def key_line(self, key: str) -> int:
        if key in self.entries:
            return node_line(self.entries[key][0], self.offset)
        return self.line

    def check_keys(self, allowed: Iterable[str]) -> None:
        """Reject keys olxkit does not know, naming the closest valid one."""
        allowed = list(allowed)
        for key, (knode, _v) in self.entries.items():
            if key not in allowed:
                raise error(
                    self.path,
                    node_line(knode, self.offset),
                    f"unknown key `{key}` in {self.what}{closest(key, allowed)}; valid keys: {', '.join(allowed)}",
                    code="SYN002",
                )

    def require(self, key: str) -> None:
        if not self.has(key):
            raise error(self.path, self.line, f"missing required key `{key}` in {self.what}", code="SYN003")

    def node(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return None if entry is None or _is_null(entry[1]) else entry[1]

    # -- typed values ------------------------------------------------------------------------------
    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        """A text value exactly as written (`Yes`, `1.0` and `on` stay text)."""
        node = self.node(key)
        if node is None:
            if required:
                self.require(key)
            return default
        return self.text_of(node, key)

    def text_of(self, node: Node, key: str = "value") -> str:
        if not isinstance(node, ScalarNode):
            raise error(
                self.path, node_line(node, self.offset), f"`{key}` must be text, not a list or mapping", code="SYN004"
            )
        value = node.value
        if node.style in ("|", ">"):
            value = value.rstrip("\n")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        node = self.node(key)
        if node is None:
            return default
        value = self.text_of(node, key).strip().lower()
        if not node.style and value in ("true", "false"):
            return value == "true"
        raise error(
            self.path, node_line(node, self.offset), f"`{key}` must be true or false, not `{node.value}`", code="SYN004"
        )

    def number(
        self, key: str, default: float | None = None, minimum: float | None = None, positive: bool = False
    ) -> float | None:
        node = self.node(key)
        if node is None:
            return default
        raw = self.text_of(node, key).strip()
        try:
            value = float(raw)
        except ValueError:
            raise error(
                self.path, node_line(node, self.offset), f"`{key}` must be a number, not `{raw}`", code="SYN004"
            ) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise error(self.path, node_line(node, self.offset), f"`{key}` must be a finite number", code="SYN004")
        if minimum is not None and value < minimum:
            raise error(
                self.path,
                node_line(node, self.offset),
                f"`{key}` must be at least {minimum:g}, not {raw}",
                code="SYN004",
            )
        if positive and value <= 0:
            raise error(
                self.path, node_line(node, self.offset), f"`{key}` must be greater than 0, not {raw}", code="SYN004"
            )
        return value

    def integer(self, key: str, default: int | None = None, minimum: int | None = None) -> int | None:
        node = self.node(key)
        if node is None:
            return default
        raw = self.text_of(node, key).strip()
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise error(
                self.path, node_line(node, self.offset), f"`{key}` must be a whole number, not `{raw}`", code="SYN004"
            )
        value = int(raw)
        if minimum is not None and value < minimum:
            raise error(
                self.path,
                node_line(node, self.offset),
                f"`{key}` must be at least {minimum}, not {value}",
                code="SYN004",
            )
        return value

    def choice(self, key: str, options: Iterable[str], default: str | None = None) -> str | None:
        value = self.text(key)
        if value is None:
            return default
        options = list(options)
        if value not in options:
            raise error(
                self.path,
                self.line_of(key),
                f"`{key}: {value}` is not valid{closest(value, options)}; use one of: {', '.join(options)}",
                code="SYN004",
            )
        return value

    def date(self, key: str, default: datetime | None = None) -> datetime | None:
        node = self.node(key)
        if node is None:
            return default
        raw = self.text_of(node, key).strip()
        value = parse_date(raw)
        if value is None:
            raise error(
                self.path,
                node_line(node, self.offset),
                f"`{key}: {raw}` is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an offset is given)",
                code="SYN004",
            )
        return value

    def mapping(self, key: str, what: str | None = None) -> YamlMap:
        """The nested mapping under `key` (an empty one when the key is absent)."""
        return YamlMap(self.node(key), self.path, self.offset, what or f"`{key}`")

    def sequence(self, key: str) -> list[Node]:
        node = self.node(key)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            raise error(
                self.path,
                node_line(node, self.offset),
                f"`{key}` must be a list (lines starting with `- `)",
                code="SYN004",
            )
        return list(node.value)

    def text_list(self, key: str) -> list[tuple[str, int]]:
        """A list of texts, each with its line."""
        node = self.node(key)
        if node is not None and isinstance(node, ScalarNode):
            return [(self.text_of(node, key), node_line(node, self.offset))]
        return [(self.text_of(item, key), node_line(item, self.offset)) for item in self.sequence(key)]

    def sub(self, node: Node, what: str) -> YamlMap:
        return YamlMap(node, self.path, self.offset, what)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and not node.style and node.value in _NULLS


def parse_date(raw: str) -> datetime | None:
    """Parse an ISO date or date-time; naive values are UTC. Returns an aware UTC datetime.

    Only the calendar form YYYY-MM-DD[THH:MM[:SS]][offset] is a date (not `2026-W05`, not an ordinal day), and
    one that leaves the years 1–9999 once in UTC (`0001-01-01T00:00+01:00`) is not.
    """
    raw = raw.strip()
    if not re.match(r"\d{4}-\d{2}-\d{2}(?![\d-])", raw):
        return None
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        value = datetime.fromisoformat(raw.replace(" ", "T", 1))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def format_date(value: datetime) -> str:
    """Open edX's date format: `2026-02-02T00:00:00Z` (four-digit years, as Open edX parses them)."""
    v = value.astimezone(UTC)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"
