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

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

# Every character that can start or end a construct this module writes, or one it leaves to markdown-it.
_STOP = re.compile(r"[*`$\n\[~\\&<\]_\t]")
_LEAVE = frozenset("\\&<]_\t")
# A `*` or `~~` run opens only (left- and not right-flanking) after these, or at the start, before a letter or
# digit; it closes only (right- and not left-flanking) after a letter or digit, before these or at the end.
_BEFORE_OPEN = frozenset(" \n(")
_AFTER_CLOSE = frozenset(" \n.,;:!?)")
_TAGS = {"*": ("<em>", "</em>"), "**": ("<strong>", "</strong>"), "***": ("<em><strong>", "</strong></em>"),
         "~~": ("<s>", "</s>")}
# A link target markdown-it's normalizeLink and validateLink leave as written: a relative path, or an http(s)
# address of a plain host, of characters that need no encoding.
_PLAIN_TARGET = re.compile(r"(?:https?://[a-z0-9][a-z0-9.-]*+)?[A-Za-z0-9._/#-]*+")


class Link:
    """A link of a run: its target is resolved where the run is rendered (`join`). `label` is the label's HTML,
    `text` the label as written and `start` the offset of its `[` in the run (what the checks read, `link_tokens`)."""

    __slots__ = ("target", "label", "text", "start")

    def __init__(self, target: str, label: str, text: str, start: int):
        self.target = target
        self.label = label
        self.text = text
        self.start = start


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def simple_inline_html(src: str, resolve=None) -> str | None:
    """The inline HTML markdown-it makes of `src` (a run's content), or None when `src` is not plain enough.
    `resolve(url, "link")` rewrites link targets, as `OlxRenderer.link_open` does."""
    parts = inline_parts(src)
    return parts if parts is None or isinstance(parts, str) else join(parts, resolve)


def join(parts: list, resolve) -> str:
    """The HTML of `inline_parts`' pieces, each link's target resolved now (in the order of the text)."""
    out = []
    for part in parts:
        if isinstance(part, Link):
            target = resolve(part.target, "link") if resolve else part.target
            out.append(f'<a href="{_escape(str(target))}">{part.label}</a>')
        else:
            out.append(part)
    return "".join(out)


def inline_parts(src: str) -> str | list | None:
    """`simple_inline_html` in pieces: the HTML, or a list of HTML strings and `Link`s, or None."""
    if not src or src[0] in " \n" or src[-1] in " \n" or " \n" in src or "\n " in src or "\r" in src \
            or "\0" in src:
        return None  # line-edge spaces (hard breaks, stripping), characters the normalize rule replaces
    out: list = []
    opened: list[tuple[str, int]] = []  # the open `*` or `~~` runs (innermost last) and their places in `out`
    links = False
    pos = 0
    end = len(src)
    plain = ">" not in src and '"' not in src
    search = _STOP.search
    while True:
        match = search(src, pos)
        if match is None:
            if opened:
                return None
            out.append(src[pos:] if plain else src[pos:].replace(">", "&gt;").replace('"', "&quot;"))
            return out if links else "".join(out)
        at = match.start()
        if at > pos:
            out.append(src[pos:at] if plain else src[pos:at].replace(">", "&gt;").replace('"', "&quot;"))
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
        elif char == "[":
            # `[label](target)`: after a space or `(` (not an image, a footnote or a citation), a plain label
            # (no brackets, code or math, which the label scan would skip over) and a plain target, no title.
            close = src.find("]", at + 1)
            if at and src[at - 1] not in " (" or close < 0 or src[close + 1 : close + 2] != "(":
                return None
            label = src[at + 1 : close]
            stop = src.find(")", close + 2)
            if stop < 0 or "[" in label or "`" in label or "$" in label or label[:1] == "^":
                return None
            target = src[close + 2 : stop]
            text = inline_parts(label)
            if not isinstance(text, str) or not target or _PLAIN_TARGET.fullmatch(target) is None \
                    or target.startswith("//"):
                return None
            out.append(Link(target, text, label, at))
            links = True
            pos = stop + 1
        else:  # a run of `*` or `~`
            stop = at + 1
            while stop < end and src[stop] == char:
                stop += 1
            run = src[at:stop]
            if run not in _TAGS:
                return None
            before = src[at - 1] if at else " "
            after = src[stop] if stop < end else " "
            if before in _BEFORE_OPEN and after.isalnum():
                if any(mark[0] == char for mark, _place in opened):
                    return None
                opened.append((run, len(out)))
                out.append("")
            elif before.isalnum() and after in _AFTER_CLOSE:
                if not opened or opened[-1][0] != run:
                    return None
                start_tag, end_tag = _TAGS[run]
                out[opened.pop()[1]] = start_tag
                out.append(end_tag)
            else:
                return None
            pos = stop


def link_tokens(src: str) -> list[Token] | None:
    """What the link checks read of the run `src` (lint, `links.iter_targets`), for a run `inline_parts` vouches
    for: each link as markdown-it parses it (`link_open` with its `href`, the label's text, `link_close`) and the
    soft line breaks before and inside it, by which the checks count lines. None for any other run.

    Such a run is left unparsed by the build (`runs.parse_early`): its label holds only text and
    `*`/`~~` emphasis (every `*` and `~` in it is a delimiter, or `inline_parts` declines), and its target is one
    markdown-it leaves as written.
    """
    parts = inline_parts(src)
    if parts is None:
        return None
    out: list[Token] = []
    done = 0
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, Link):
            continue
        out.extend(Token("softbreak", "br", 0) for _ in range(src.count("\n", done, part.start)))
        out.append(Token("link_open", "a", 1, attrs={"href": part.target}))
        for n, piece in enumerate(part.text.replace("*", "").replace("~", "").split("\n")):
            if n:
                out.append(Token("softbreak", "br", 0))
            if piece:
                out.append(Token("text", "", 0, content=piece))
        out.append(Token("link_close", "a", -1))
        done = part.start + len(part.text) + len(part.target) + 4  # `[` label `](` target `)`
    return out


def render_with(renderer, tokens: list, options, env: dict, ready: dict[int, str | list]) -> str:
    """`renderer.render(tokens, options, env)` where the inline runs in `ready` (by id) are already HTML (or
    `inline_parts` pieces, whose links are resolved with the env's `olxkit_resolve` as they are rendered).

    Tokens the renderer has no rule for and that carry no attributes (paragraphs, lists, headings, emphasis…)
    are written here as `RendererHTML.renderToken` writes them; text is escaped as its `text` rule escapes it;
    every other token goes to the renderer's own rule.
    """
    rules = renderer.rules
    default_text = rules.get("text").__func__ is RendererHTML.text and not options["breaks"]
    xhtml = options["xhtmlOut"]
    out: list[str] = []
    append = out.append
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            html = ready.get(id(token))
            if html is not None:
                append(html if isinstance(html, str) else join(html, env.get("olxkit_resolve")))
            elif token.children:
                append(_render_inline(renderer, rules, token.children, options, env, default_text, xhtml))
        else:
            append(_any_token(renderer, rules, tokens, i, options, env, xhtml))
    return "".join(out)


def _render_inline(renderer, rules, children: list, options, env: dict, default_text: bool, xhtml: bool) -> str:
    """`renderer.renderInline(children, options, env)`."""
    out: list[str] = []
    append = out.append
    for i, token in enumerate(children):
        kind = token.type
        if kind == "text" and default_text:
            append(_escape(token.content))
        elif kind == "softbreak" and default_text:
            append("\n")
        else:
            append(_any_token(renderer, rules, children, i, options, env, xhtml))
    return "".join(out)


def _any_token(renderer, rules, tokens: list, i: int, options, env: dict, xhtml: bool) -> str:
    """The renderer's rule for the token, else `renderToken`'s HTML."""
    token = tokens[i]
    if token.type in rules:
        return rules[token.type](tokens, i, options, env)
    if token.attrs:
        return renderer.renderToken(tokens, i, options, env)
    return "" if token.hidden else _plain_token(tokens, i, token, xhtml)


def _plain_token(tokens: list, i: int, token, xhtml: bool) -> str:
    """`RendererHTML.renderToken` of a token that is not hidden and has no attributes."""
    nesting = token.nesting
    head = "\n<" if token.block and nesting != -1 and i and tokens[i - 1].hidden else "<"
    if nesting == -1:
        head += "/"
    tag = head + token.tag + (" /" if nesting == 0 and xhtml else "")
    if not token.block:
        return tag + ">"
    if nesting == 1 and i + 1 < len(tokens):
        after = tokens[i + 1]
        if after.type == "inline" or after.hidden or (after.nesting == -1 and after.tag == token.tag):
            return tag + ">"
    return tag + ">\n"
