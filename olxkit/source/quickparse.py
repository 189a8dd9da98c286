"""markdown-it-py without work that changes nothing in what olxkit reads from its tokens.

1. Each block rule calls `LOGGER.debug(...)` on entry, and a paragraph asks every rule that may end it about each
   of its lines: ≈ 500,000 calls (and as many `isEnabledFor`) for a 7 MB course, logged nowhere. Our parser runs
   copies of those rules whose `LOGGER` is a silent one. The library's modules and loggers are left as they are
   (other code in the process, and anyone debugging markdown-it, see them unchanged).
2. `lheading` (setext headings) scans a paragraph's lines, asking every terminator rule about each line, only to
   find out that no line is an `===`/`---` underline — then the paragraph rule does the very same scan. A setext
   heading needs a line of the paragraph that starts with `=` or `-`: without one, the answer is known at once.
3. Reading a lesson for its texts (`parse_for_texts`) parses an inline run only for its footnote citations, which
   number the footnotes: `citation_parser` finds exactly the citations a full parse finds (see there), without
   the emphasis, line-break and entity work a full parse does on the rest of the run; and a heading without any
   character an inline rule starts at is one text token, made directly (`PlainFirst`).
"""

from __future__ import annotations

import re
import types
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.ruler import Ruler
from markdown_it.token import Token


class _Silent:
    """A logger whose `debug` does nothing, at C speed (`"".format` ignores its arguments)."""

    debug = "".format


_SILENT = _Silent()


def _quiet(fn):
    """A copy of a rule function that logs to `_SILENT` (the same function if it does not log)."""
    scope = getattr(fn, "__globals__", None)
    if not isinstance(fn, types.FunctionType) or scope is None or "LOGGER" not in fn.__code__.co_names:
        return fn
    copy = types.FunctionType(fn.__code__, {**scope, "LOGGER": _SILENT}, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    copy.__doc__ = fn.__doc__
    return copy


def _quick_lheading(lheading):
    def quick_lheading(state, startLine: int, endLine: int, silent: bool) -> bool:
        if state.is_code_block(startLine):
            return False
        bmarks, tshift, emarks, src = state.bMarks, state.tShift, state.eMarks, state.src
        line = startLine + 1
        while line < endLine:
            pos = bmarks[line] + tshift[line]
            if pos >= emarks[line]:  # an empty line ends the paragraph
                break
            if src[pos] in "-=":
                return lheading(state, startLine, endLine, silent)
            line += 1
        # As `lheading` leaves it when it finds no underline (the paragraph rule, next, expects it).
        state.parentType = "paragraph"
        return False

    return quick_lheading


def speed_up_block_rules(md: MarkdownIt) -> MarkdownIt:
    """Give `md`'s block parser the quiet rules and the quick setext-heading test (same tokens, less work)."""
    ruler = md.block.ruler
    for rule in ruler.__rules__:
        fn = _quiet(rule.fn)
        rule.fn = _quick_lheading(fn) if rule.name == "lheading" else fn
    ruler.__cache__ = None
    return md


# The inline rules that may consume a footnote citation's characters (or start one): code spans, math, escapes,
# links and images, autolinks and raw HTML hide or hold a `[^…]`; the footnote rules themselves. The others
# (emphasis, strikethrough, line breaks, entities) only make tokens of characters no kept rule starts at.
_CITATION_RULES = ("math_inline", "escape", "backticks", "link", "image", "footnote_inline", "footnote_ref",
                   "autolink", "html_inline")
# Where a kept rule may start: `$` math, `\` escape, `` ` `` code, `[` link or citation, `!` image, `^` inline
# footnote, `<` autolink or HTML.
_CITATION_STOPS = re.compile(r"[$\\`\[!^<]")


def _text_to_next_stop(state, silent: bool) -> bool:
    """markdown-it's `text` rule, stopping only where a kept rule may start."""
    pos = state.pos
    found = _CITATION_STOPS.search(state.src, pos, state.posMax)
    end = found.start() if found else state.posMax
    if end == pos:
        return False
    if not silent:
        state.append_pending(state.src[pos:end])
    state.pos = end
    return True


@lru_cache(maxsize=2)
def citation_parser(md: MarkdownIt) -> ParserInline:
    """An inline parser for `md` that finds the same footnote citations, in the same order, as `md.inline`.

    Its rules are `md`'s that can start at, or consume, a citation's characters; every other position is plain
    text, as the dropped rules would leave it as far as the kept ones are concerned (no kept rule starts there).
    Link labels and inline footnotes are still read by `md`'s full parser (the rules call `state.md.inline`), so
    their bounds are the full parse's. The tokens are for the footnote plugin's numbering, not for rendering:
    emphasis and line breaks are not marked.
    """
    parser = ParserInline()
    parser.ruler = Ruler()
    parser.ruler.push("text", _text_to_next_stop)
    for rule in md.inline.ruler.__rules__:
        if rule.enabled and rule.name in _CITATION_RULES:
            parser.ruler.push(rule.name, rule.fn)
    parser.ruler2 = Ruler()  # no emphasis delimiters to pair
    return parser


# Characters at which some inline rule of olxkit's parser can start (or a line break): without any of them, markdown-it
# gives a run one `text` token holding the whole run.
_INLINE_STARTS = re.compile(r"[\n\\`~*_\[\]!^<>&$]")


class PlainFirst:
    """An inline parser that makes a run without markup one text token itself, and hands the others to `md`'s."""

    def __init__(self, md: MarkdownIt):
        self.md = md

    def parse(self, src: str, md: MarkdownIt, env, tokens: list) -> list:
        if src and not _INLINE_STARTS.search(src):
            tokens.append(Token("text", "", 0, content=src))
            return tokens
        return self.md.inline.parse(src, md, env, tokens)
