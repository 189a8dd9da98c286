"""The texts of SVG diagrams: extracted for translators like every other text, written back into each variant.

A diagram's title, description and labels become messages (msgctxt `diagram title`, `diagram description`,
`diagram label`). A label is what a reader sees as one piece of text, even when the drawing breaks it into lines:
consecutive `<text>` lines of the same style under each other, or the line `<tspan>`s of one `<text>`, make one
message with a newline between lines, so a translator translates the phrase and chooses the line breaks. A bold
`<tspan>` inside a line is written `**…**`. The translated SVG keeps the drawing and puts each translated line
where the source line was, adding or dropping lines at the same spacing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

_SVG = "{http://www.w3.org/2000/svg}"
# Hostile input: no entities, no DTD, no network (as for every XML olxkit reads).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# `name.de.svg` / `name.de_AT.svg` is a hand-made localised drawing: used as it is, never translated.
LOCALISED = re.compile(r"\.[a-z]{2,3}(?:_[A-Z]{2})?\.svg$")

TITLE, DESCRIPTION, LABEL = "diagram title", "diagram description", "diagram label"


@dataclass
class DiagramText:
    """One translatable text of a diagram."""

    kind: str
    """msgctxt: diagram title, diagram description or diagram label"""
    text: str
    line: int
    nodes: list = field(default_factory=list, repr=False)
    """the elements holding it: one per line (`<text>` or line `<tspan>`), or the one `<text>` of an inline label"""
    inline: bool = False


def is_diagram(rel: str) -> bool:
    """An asset whose texts are translated through the catalogs (an SVG that is not a hand-made localised one)."""
    return rel.lower().endswith(".svg") and not LOCALISED.search(rel)


def read_diagram(data: bytes) -> tuple[etree._ElementTree, list[DiagramText]]:
    """Parse an SVG and find its texts, in document order. Raises ValueError when it is not well-formed XML."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    texts: list[DiagramText] = []
    previous: DiagramText | None = None
    for el in tree.getroot().iter(f"{_SVG}title", f"{_SVG}desc", f"{_SVG}text"):
        tag = etree.QName(el).localname
        if tag in ("title", "desc"):
            if (el.text or "").strip():
                texts.append(DiagramText(TITLE if tag == "title" else DESCRIPTION, el.text.strip(), el.sourceline,
                                         [el]))
            previous = None
            continue
        spans = list(el)
        if spans and all(etree.QName(s).localname == "tspan" and s.get("dy") for s in spans[1:]) and not (
            el.text or ""
        ).strip():
            # Lines as <tspan x=… dy=…> children of one <text>.
            texts.append(DiagramText(LABEL, "\n".join((s.text or "").strip() for s in spans), el.sourceline, spans))
            previous = None
            continue
        if spans:
            # Inline spans (a bold word in a sentence): `**word**` in the message.
            parts = [el.text or ""]
            for s in spans:
                parts += ["**", s.text or "", "**", s.tail or ""]
            texts.append(DiagramText(LABEL, "".join(parts).strip(), el.sourceline, [el], inline=True))
            previous = None
            continue
        text = (el.text or "").strip()
        if not text:
            continue
        if previous is not None and _next_line(previous.nodes[-1], el):
            previous.nodes.append(el)
            previous.text += "\n" + text
            continue
        previous = DiagramText(LABEL, text, el.sourceline, [el])
        texts.append(previous)
    return tree, texts


def _font_size(el) -> float:
    for node in (el, *el.iterancestors()):
        size = node.get("font-size")
        if size:
            try:
                return float(re.sub(r"px$", "", size))
            except ValueError:
                break
    return 16.0


def _next_line(above, el) -> bool:
    """`el` continues the label of `above`: same parent, style and x, just below it."""
    if above.getparent() is not el.getparent() or el.getprevious() is not above:
        return False
    a = {k: v for k, v in above.attrib.items() if k != "y"}
    b = {k: v for k, v in el.attrib.items() if k != "y"}
    if a != b:
        return False
    try:
        step = float(el.get("y")) - float(above.get("y"))
    except (TypeError, ValueError):
        return False
    return 0 < step <= 2.0 * _font_size(el)


def _set_lines(label: DiagramText, lines: list[str]) -> None:
    nodes = label.nodes
    for node, line in zip(nodes, lines, strict=False):
        node.text = line
    if len(lines) < len(nodes):
        for node in nodes[len(lines):]:
            parent = node.getparent()
            # Keep the layout's whitespace: the next sibling takes over this node's tail.
            prev = node.getprevious()
            if prev is not None:
                prev.tail = node.tail
            parent.remove(node)
        return
    last = nodes[-1]
    spans = etree.QName(last).localname == "tspan"
    if spans:
        step_attr, step = "dy", last.get("dy") or f"{round(1.25 * _font_size(last), 1):g}"
    else:
        ys = [float(n.get("y", "0")) for n in nodes]
        gap = (ys[-1] - ys[0]) / (len(ys) - 1) if len(ys) > 1 else 1.3 * _font_size(last)
        step_attr, step = "y", None
    for line in lines[len(nodes):]:
        clone = copy.deepcopy(last)
        clone.text = line
        if spans:
            clone.set(step_attr, step)
        else:
            clone.set("y", f"{float(last.get('y', '0')) + gap:g}")
        last.addnext(clone)
        clone.tail = last.tail
        last = clone


def _set_inline(label: DiagramText, text: str) -> None:
    el = label.nodes[0]
    pieces = text.split("**")
    spans = list(el)
    if len(pieces) != 2 * len(spans) + 1:
        return  # the markup does not match the drawing's spans: keep the source (i18n check reports it)
    el.text = pieces[0]
    for i, span in enumerate(spans):
        span.text = pieces[2 * i + 1]
        span.tail = pieces[2 * i + 2]


def translate_diagram(data: bytes, translated: dict[tuple[str, str], str], parsed=None) -> bytes:
    """The SVG with every text found in `translated` ((kind, source text) → translation) replaced.

    `parsed` is `read_diagram(data)` when the caller has it already (it is changed in place)."""
    tree, texts = parsed if parsed is not None else read_diagram(data)
    for label in texts:
        new = translated.get((label.kind, label.text))
        if new is None or new == label.text:
            continue
        if label.kind != LABEL:
            label.nodes[0].text = new
        elif label.inline:
            _set_inline(label, new)
        else:
            _set_lines(label, [line.strip() for line in new.split("\n")])
    return etree.tostring(tree, encoding="utf-8", xml_declaration=data.lstrip().startswith(b"<?xml")) + b"\n"


__all__ = ["DiagramText", "LABEL", "TITLE", "DESCRIPTION", "is_diagram", "read_diagram", "translate_diagram"]
