"""Marks on the texts of a page that fell back to another language: each paragraph, heading, list item, table
cell or problem field shown in the fallback language gets `data-fallback` (what the reviewer's toggle shows
above it) and `lang` (the language it is in: right for screen readers too).

The page's html is the archive's; a fallen-back text is found in it by what it reads as: the text of its
Markdown, rendered as the build renders it, against the text of each element (footnote markers left out).
"""

from __future__ import annotations

import html as html_lib
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

from ..i18n.walk import Item
from ..source.markdown import make_markdown
from ..textscan import FOOTNOTE, PLACEHOLDER, remove_spans, squeeze_spaces

TEXT_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption",
                       "legend", "label", "summary", "caption"})
"""Elements that hold one text of the source (a paragraph, a heading, a list item, a cell, a problem's field)."""
_SKIPPED = ("footnote-ref", "footnote-backref")
_SLOT = "\ue000"
_BLOCKS = frozenset({"p", "ul", "ol", "dl", "table", "div", "blockquote", "figure", "pre", "section"})


@lru_cache(maxsize=1)
def _markdown():
    return make_markdown()


@lru_cache(maxsize=4096)
def reads_as(text: str) -> str:
    """What an inline Markdown text reads as once rendered (markup, entities and spacing left out; an image
    reads as its alternative text)."""
    # A `{{ placeholder }}` (a course text filled in by the build) reads as anything: `_SLOT` stands for it.
    text = remove_spans(remove_spans(text, (FOOTNOTE,)), (PLACEHOLDER,), _SLOT)
    rendered = _markdown().renderInline(text, {"olxkit_footnotes": {}})
    try:
        return _element_text(lxml_html.fragment_fromstring(rendered, create_parent="div"))
    except etree.ParserError:
        return _norm(html_lib.unescape(rendered))


def _norm(text: str) -> str:
    return squeeze_spaces(text.replace("\xa0", " ")).strip().casefold()


def _element_text(el) -> str:
    """The text of `el` itself: footnote markers and the blocks inside it (a list in a list item, a paragraph
    of a loose one: texts of their own) left out, images read as their alternative text."""
    parts = []

    def walk(node):
        if node.text:
            parts.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):
                pass
            elif child.tag == "img":
                parts.append(child.get("alt") or "")
            elif child.tag not in _BLOCKS and not any(c in (child.get("class") or "") for c in _SKIPPED):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _norm("".join(parts))


def mark(fragment: str, items: list[Item], label: str, lang: str) -> tuple[str, list[Item]]:
    """`fragment` (html) with each element that shows one of `items` marked; and the items not found in it.

    Each item marks the innermost element that reads as it, the first one not marked yet in document order.
    """
    if not items or not fragment.strip():
        return fragment, list(items)
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    candidates = [el for el in root.iter() if isinstance(el.tag, str) and el.tag in TEXT_TAGS]
    texts = {id(el): _element_text(el) for el in candidates}
    used: set[int] = set()
    missing = []
    for item in items:
        wanted = reads_as(item.text)
        found = next((el for el in candidates if id(el) not in used and wanted and _reads(texts[id(el)], wanted)),
                     None)
        if found is None:
            missing.append(item)
            continue
        # A loose list item holds its text in a paragraph: mark the paragraph.
        inner = next((el for el in found.iter() if el is not found and id(el) in texts
                      and _reads(texts[id(el)], wanted)), None)
        found = inner if inner is not None else found
        used.add(id(found))
        found.set("data-fallback", label)
        if not found.get("lang"):
            found.set("lang", lang)
    if not used:
        return fragment, missing
    out = (root.text or "") + "".join(etree.tostring(child, method="html", encoding="unicode") for child in root)
    return out, missing


def _reads(text: str, wanted: str) -> bool:
    """Whether an element's `text` is the `wanted` one (whose `_SLOT`s, filled in by the build, match anything)."""
    if _SLOT not in wanted:
        return text == wanted
    parts = wanted.split(_SLOT)
    if not (text.startswith(parts[0]) and text.endswith(parts[-1])) or len(text) < len(parts[0]) + len(parts[-1]):
        return False
    at, end = len(parts[0]), len(text) - len(parts[-1])
    for part in parts[1:-1]:
        at = text.find(part, at, end)
        if at < 0:
            return False
        at += len(part)
    return True


def reads_as_page(fragment: str) -> str:
    """What a whole html fragment reads as (to tell which of several fragments holds a text)."""
    if not fragment.strip():
        return ""
    return _norm("".join(lxml_html.fragment_fromstring(fragment, create_parent="div").itertext()))
