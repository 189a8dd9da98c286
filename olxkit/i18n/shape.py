"""A translation's markup shape: what its Markdown parse depends on, computed without parsing.

Translators change words and keep the markup. Two texts that differ only in their words parse to the same
tokens, and so have the same inventory (link targets, code, math, emphasis…) and the same blocks: comparing
their shapes, a few string operations per text, saves the build's gate and `i18n check` two markdown-it parses
per translation (the source's and the translation's). Any text whose shape differs from its source's (or that
has no shape) is parsed and compared in full, so the shortcut can only say "the same" when the parse would.

The shape keeps every character as written, except runs of *inert* characters (letters, spaces and common
punctuation), which markdown-it's inline rules consume as plain text: each run becomes a marker that keeps what
the parser can see of it, the classes (whitespace, punctuation, other) of its first and last characters, which
decide whether emphasis delimiters next to it open or close. Where letters themselves matter, the text is kept
verbatim: link and image targets, code spans, math, footnote and reference labels, escapes, and in a block text
the start of each line (list markers, indentation). Raw HTML, entities, reference definitions and admonitions
give no shape (their parse depends on names); a `<` or `&` followed by whitespace, which can start neither, is
kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

# Raw HTML and entities give no shape (their parse depends on names), but a `<` or `&` followed by whitespace starts
# nothing (no tag, autolink, HTML block or entity): it is text, kept as written. One pattern, the gate's shortcut's.
from .quick import MARKUP_START

# Inert: every character but ASCII digits (`$5$2`, `1.` and numbers are read by rules that look at digits),
# ASCII controls (line breaks, tabs) and the ASCII punctuation markdown-it's rules start at or look for (with
# this parser's rules: no typographer, no linkify; `-`, `+`, `#`, `:`, `=` only start blocks at a line's start,
# which a block text keeps). The parser's rules all start at ASCII characters; what else they look at is kept
# (zones) or recorded (flanks).
_INERT = re.compile(r"[^\x00-\x1f\x7f0-9!$&()*<>\[\\\]^_`{|}~]++")
# Emphasis and strikethrough delimiters: whether one opens or closes depends on the characters either side.
# (A pattern that starts with a possessive repeat is searched character by character: one plain character
# first lets the regex engine skip ahead to the candidates, twice as fast.)
_DELIMITERS = re.compile(r"[*_~][*_~]*+")
# Where a link target may end: whitespace, or a parenthesis (targets may hold balanced ones).
_TARGET_STOP = re.compile(r"[\s()]")
# The start of each line of a block text where a block can begin: indentation, list and quote markers, numbers,
# headings, table pipes, fences, setext and thematic lines.
_LINE_START = re.compile(r"(?m)^[-+*>#|=~_:`$\d.)\[\]! \t]++")
_DOLLAR_STARTS_RUN = re.compile(r"(?m)^[-+*>#=~_:`\d.)\[\]! \t]*+\$")


@lru_cache(maxsize=4096)
def _cls(ch: str) -> tuple[bool, ...]:
    """What the emphasis rule (whitespace, punctuation) and the check of stray marks (`\\w`, `\\s`) see."""
    code = ord(ch)
    return (isWhiteSpace(code), isPunctChar(ch) or isMdAsciiPunct(code), ch.isalnum() or ch == "_", ch.isspace())


@lru_cache(maxsize=4096)
def _pair(pair: tuple[str, str]) -> tuple:
    return tuple(_cls(ch) if ch else None for ch in pair)


# Every delimiter byte made `*`, so that one split finds the runs; the classes of each Latin-1 character.
_ONE_DELIMITER = bytes(ord("*") if chr(i) in "*_~" else i for i in range(256))
_BYTE_CLASS = [_cls(chr(i)) for i in range(256)]


def _flanks(text: str) -> tuple:
    """The classes of the characters either side of each delimiter run (what decides emphasis)."""
    try:
        # Every character below U+0100 (most texts): split at the delimiters in C and read the classes of the
        # characters next to each run from a table (a regex scan and a call per run cost twice as much).
        parts = text.encode("latin-1").translate(_ONE_DELIMITER).split(b"*")
    except UnicodeEncodeError:
        n = len(text)
        out = []
        for m in _DELIMITERS.finditer(text):
            start, end = m.span()
            out.append(_pair((text[start - 1] if start else "", text[end] if end < n else "")))
        return tuple(out)
    if len(parts) == 1:
        return ()
    # parts[0] precedes the first run; a run of k delimiters leaves k - 1 empty parts; each later part that is
    # not empty follows a run; an empty last part means the text ends with a run.
    first = parts[0]
    before = _BYTE_CLASS[first[-1]] if first else None
    out = []
    for part in parts[1:]:
        if part:
            out.append((before, _BYTE_CLASS[part[0]]))
            before = _BYTE_CLASS[part[-1]]
    if not parts[-1]:
        out.append((before, None))
    return tuple(out)


def _zones(text: str, block: bool) -> list[tuple[int, int]]:
    """Spans kept verbatim, where the parse or the inventory depends on the very characters."""
    if not ("`" in text or "$" in text or "\\" in text or "[" in text or "]" in text or "\n" in text
            or text[-1:].isspace() or (block and _LINE_START.match(text))):
        return []
    spans = []
    i = text.find("`")
    if i >= 0:
        spans.append((i, text.rfind("`") + 1))
    i = text.find("$")
    if i >= 0:
        # With the characters either side: the math rule looks for a digit there (`²` is one). At the start of
        # a run it looks at the run's last character (`src[pos - 1]`, pos 0).
        spans.append((max(i - 1, 0), text.rfind("$") + 2))
        if i == 0:
            spans.append((len(text) - 1, len(text)))
    i = text.find("\\")
    while i >= 0:
        # An escaped `*` is text: the rule for stray marks looks at the character before the backslash.
        spans.append((max(i - 1, 0), i + 2))
        i = text.find("\\", i + 2)
    for opener in ("[^", "]["):
        i = text.find(opener)
        while i >= 0:
            end = text.find("]", i + 2)
            end = len(text) if end < 0 else end + 1
            spans.append((i, end))
            i = text.find(opener, end)
    i = text.find("](")
    while i >= 0:
        # A link's or an image's target: up to the first whitespace or the `)` that closes it.
        j, depth = i + 2, 0
        while True:
            found = _TARGET_STOP.search(text, j)
            j = found.start() if found else len(text)
            if not found or found.group() not in "()" or (found.group() == ")" and depth == 0):
                break
            depth += 1 if found.group() == "(" else -1
            j += 1
        if j < len(text) and text[j] != ")":
            # Whitespace: a title may follow, or this is no link at all: keep the rest of the line.
            j = text.find("\n", j)
            j = len(text) if j < 0 else j
        spans.append((i, min(j + 1, len(text))))
        i = text.find("](", j)
    # Whitespace that ends a line or the text is trimmed, or makes a hard break: a mark before it is at the end.
    pos = 0
    while True:
        nl = text.find("\n", pos)
        stop = len(text) if nl < 0 else nl
        kept = pos + len(text[pos:stop].rstrip())
        if kept < stop:
            spans.append((kept, stop))
        if nl < 0:
            break
        pos = nl + 1
    if block:
        spans.extend(m.span() for m in _LINE_START.finditer(text))
    return spans


def shape(text: str, block: bool) -> tuple | None:
    """The markup shape of `text` (a block text when `block`), or None when it has none (see the module)."""
    # Carriage returns (read as line breaks) and our own marks give none either.
    if ("\r" in text or "\x00" in text or "\x01" in text or (block and ("]:" in text or "!!!" in text))
            or (("<" in text or "&" in text) and MARKUP_START.search(text))):
        return None
    if block and "$" in text and ("|" in text or _DOLLAR_STARTS_RUN.search(text)):
        return None  # a paragraph, item or cell that starts with `$`: its last character counts (see _zones)
    spans = sorted(_zones(text, block))
    flanks = _flanks(text) if "*" in text or "_" in text or "~" in text else ()
    if not spans:
        skeleton = _INERT.sub("\x00", text)
    else:
        parts, pos = [], 0
        for start, end in spans:
            if start > pos:
                parts.append(_INERT.sub("\x00", text[pos:start]))
            if end > pos:
                parts.append("\x01" + text[max(start, pos):end] + "\x01")
                pos = end
        if pos < len(text):
            parts.append(_INERT.sub("\x00", text[pos:]))
        skeleton = "".join(parts)
    if not block:
        # Inline, words before the first mark and after the last are read as text whatever they are (what the
        # rules look at next to a mark is in its zone or its flanks): a translation may begin or end with words
        # where its source begins or ends with a mark (`![…](…) caption` → `«it» ![…](…) didascalia`). Not in a
        # block text, where the first and last lines can make blocks (`abc\n---` is a heading, `\n---` a rule).
        skeleton = skeleton.strip("\x00")
    return skeleton, flanks


python_shape = shape
"""The reference implementation: `shape` is its compiled twin in `speedups.c` where that was built (the same results,
tests/test_i18n_shape.py), this elsewhere."""


try:
    from .speedups import setup as _setup_compiled
    from .speedups import shape
except ImportError:  # built without a C compiler
    shape = python_shape
else:
    _setup_compiled(_BYTE_CLASS, _cls)


def same_shape(source: str, target: str, block: bool) -> bool:
    """Whether `target` is `source` with only its words changed: both parse to the same markup."""
    a = source_shape(source, block)
    return a is not None and a == shape(target, block)


# A source text is compared with its translation in every catalog: its shape is worked out once.
source_shape = lru_cache(maxsize=None)(shape)  # a small tuple per source text: sized by the course
