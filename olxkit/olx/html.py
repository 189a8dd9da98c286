"""The HTML check: what Studio's import gate rejects in a component's HTML, and where in the source it is."""

from __future__ import annotations

import re

from lxml import etree

from ..model import Markdown
from ..source.markdown import render
from ..textscan import XML_FORBIDDEN

# The elements libxml2's HTML parser knows (its HTML 4 table, as in the libxml2 2.12 of lxml 5.3.2 that Studio
# runs): Studio's import gate rejects any other tag ("Tag section invalid"). libxml2 2.14 (lxml 6) parses HTML5
# and no longer reports unknown tags, so the check is made here, the same whatever lxml is installed.
HTML4_ELEMENTS = frozenset({
    "a", "abbr", "acronym", "address", "applet", "area", "b", "base", "basefont", "bdo", "big", "blockquote",
    "body", "br", "button", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "dir",
    "div", "dl", "dt", "em", "embed", "fieldset", "font", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "hr", "html", "i", "iframe", "img", "input", "ins", "isindex", "kbd", "label", "legend", "li",
    "link", "map", "menu", "meta", "noframes", "noscript", "object", "ol", "optgroup", "option", "p", "param",
    "pre", "q", "s", "samp", "script", "select", "small", "span", "strike", "strong", "style", "sub", "sup",
    "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "title", "tr", "tt", "u", "ul", "var"
})
_UNKNOWN_TAG = re.compile(r"Tag \S+ invalid")


def page_problems(html: str, unchecked: bool) -> list[str]:
    """`check_html(html)` for a page markdown-it rendered, where `unchecked` says whether it holds markup the
    renderer does not vouch for (`render_page_html`: the author's raw HTML, a `$$…$$` in a paragraph). The rest
    of its markup is balanced HTML 4 with every text and attribute escaped, so without that markup or a
    character the parser refuses the verdict is known without parsing (tests/test_html_check.py checks that the
    two agree on random pages)."""
    if unchecked or XML_FORBIDDEN.search(html):
        return check_html(html)
    return []


def check_html(html: str) -> list[str]:
    """What Studio's import gate (lxml's HTML parser, with Studio's libxml2) rejects in `html`, one line each."""
    parser = etree.HTMLParser(recover=True, no_network=True)
    root = etree.fromstring(f"<html><body>{html}</body></html>", parser)
    problems = [(e.line, f"{e.message.strip()} (line {e.line})") for e in parser.error_log
                if e.level >= 2 and not _UNKNOWN_TAG.match(e.message.strip())]
    if root is not None:
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.lower() not in HTML4_ELEMENTS:
                problems.append((el.sourceline or 1, f"Tag {el.tag} invalid (line {el.sourceline or 1})"))
    return [text for _line, text in sorted(problems, key=lambda p: p[0])]


def invalid_block_line(body: Markdown) -> int | None:
    """The source line of the first top-level block whose HTML alone is invalid (found only once the page's HTML
    was: a rare, slower path), or None when only the blocks together are."""
    start = None
    for i, tok in enumerate(body.tokens):
        if tok.level != 0:
            continue
        if tok.nesting == 1:
            start = i
            continue
        first = i if tok.nesting == 0 else start
        if first is None:
            continue
        block = body.tokens[first : i + 1]
        if check_html(render(block, body.env)) and block[0].map:
            return block[0].map[0] + 1 + body.line_offset
        start = None
    return None
