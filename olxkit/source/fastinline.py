"""The HTML of a plain inline run without markdown-it: text, `*em*`, `**strong**`, `***both***`, `` `code` ``,
`$math$` and line breaks, written where every delimiter can be read only one way.

Most of a course's inline runs (paragraphs, choices, hints, feedback) hold nothing else, and markdown-it's inline
parser plus its generic renderer cost most of an export (a state, a token per piece, a rule lookup per token).
`simple_inline_html(src)` returns the HTML `make_markdown()` renders for `src` as an inline run, byte for byte,
or None when the run holds anything it does not vouch for (links, raw HTML, entities, escapes, `_`, `~`, an
ambiguous `*`, …): the caller then parses it. tests/test_fast_inline.py compares both on random runs and on the
embedded and bench courses.
"""

from __future__ import annotations

import re

# Every character that can start or end a construct this module writes, or one it leaves to markdown-it.
_STOP = re.compile(r"[*`$\n\\&<\[\]_~\t\r\0]")
_LEAVE = frozenset("\\&<[]_~\t\r\0")
# A `*` run opens only (left- and not right-flanking) after these, or at the start, before a letter or digit; it
# closes only (right- and not left-flanking) after a letter or digit, before these or at the end.
_BEFORE_OPEN = frozenset(" \n(")
_AFTER_CLOSE = frozenset(" \n.,;:!?)")
_TAGS = {1: ("<em>", "</em>"), 2: ("<strong>", "</strong>"), 3: ("<em><strong>", "</strong></em>")}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def simple_inline_html(src: str) -> str | None:
    """The inline HTML markdown-it makes of `src` (a run's content), or None when `src` is not plain enough."""
    if not src or src[0] in " \n" or src[-1] in " \n" or " \n" in src or "\n " in src or "\r" in src \
            or "\0" in src:
        return None  # line-edge spaces (hard breaks, stripping), characters the normalize rule replaces
    out: list[str] = []
    opened = 0  # length of the open `*` run (0: none)
    opened_at = 0
    pos = 0
    end = len(src)
    search = _STOP.search
    while True:
        match = search(src, pos)
        if match is None:
            if opened:
                return None
            out.append(src[pos:].replace(">", "&gt;").replace('"', "&quot;"))
            return "".join(out)
        at = match.start()
        if at > pos:
            out.append(src[pos:at].replace(">", "&gt;").replace('"', "&quot;"))
        char = src[at]
        if char in _LEAVE:
            return None
        if char == "\n":
            out.append("\n")  # a soft break
            pos = at + 1
        elif char == "`":
            close = src.find("`", at + 1)
            if close < 0 or close == at + 1 or src[close + 1 : close + 2] == "`":
                return None
            code = src[at + 1 : close]
            if code[0] == " " or code[-1] == " " or "\n" in code:
                return None
            out.append(f"<code>{_escape(code)}</code>")
            pos = close + 1
        elif char == "$":
            # dollarmath (allow_digits=False, double_inline=True): opened after a space or `(` only (never at the
            # start, where the plugin reads the run's last character as the one before), not doubled, closed by
            # the next `$` not escaped and not followed by a digit.
            if at == 0 or src[at - 1] not in " (" or src[at + 1 : at + 2] in ("$", ""):
                return None
            close = src.find("$", at + 1)
            if close < 0 or src[close - 1] == "\\" or src[close + 1 : close + 2].isdigit():
                return None
            math = src[at + 1 : close].strip()
            if not math or "\n" in math:
                return None
            out.append(f'<span class="math inline">\\({_escape(math)}\\)</span>')
            pos = close + 1
        else:  # a run of `*`
            stop = at + 1
            while stop < end and src[stop] == "*":
                stop += 1
            count = stop - at
            before = src[at - 1] if at else " "
            after = src[stop] if stop < end else " "
            if count > 3:
                return None
            if before in _BEFORE_OPEN and after.isalnum():
                if opened:
                    return None
                opened, opened_at = count, len(out)
                out.append("")
            elif before.isalnum() and after in _AFTER_CLOSE:
                if opened != count:
                    return None
                start_tag, end_tag = _TAGS[count]
                out[opened_at] = start_tag
                out.append(end_tag)
                opened = 0
            else:
                return None
            pos = stop


def render_with(renderer, tokens: list, options, env: dict, ready: dict[int, str]) -> str:
    """`renderer.render(tokens, options, env)` where the inline runs in `ready` (by id) are already HTML."""
    rules = renderer.rules
    out: list[str] = []
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            html = ready.get(id(token))
            if html is not None:
                out.append(html)
            elif token.children:
                out.append(renderer.renderInline(token.children, options, env))
        elif kind in rules:
            out.append(rules[kind](tokens, i, options, env))
        else:
            out.append(renderer.renderToken(tokens, i, options, env))
    return "".join(out)
