"""Comparing an export with the build of its imported project, block by block.

Used by the import itself (what does not come back the same is kept raw; attributes and policy fields that differ
are pinned) and by `equivalent` (the round-trip check the tests and `olxkit import --check` use).
"""

from __future__ import annotations

import re

from lxml import etree

from .html2md import same_html
from .olx import Block, OlxCourse

_WS = re.compile(r"\s+")


def index(course: OlxCourse) -> dict[str, Block]:
    return {("course" if b.parent is None else b.ref): b for b in course.blocks()}


def element_text(element: etree._Element) -> str:
    """A leaf block's content as canonical XML, whitespace between elements and around text normalised."""
    copy = etree.fromstring(etree.tostring(element))
    for el in copy.iter():
        if el.text is not None:
            el.text = _WS.sub(" ", el.text).strip() or None
        if el.tail is not None:
            el.tail = _WS.sub(" ", el.tail).strip() or None
    copy.attrib.clear()
    return etree.tostring(copy, method="c14n").decode("utf-8")


def same_content(a: Block, b: Block, exact: bool) -> bool:
    if a.tag == "html":
        if exact:
            return a.html == b.html
        return same_html(a.html or "", b.html or "")
    if a.tag == "problem":
        from .capa2yaml import same_problem

        # The same bytes are the same problem (an archive olxkit made comes back so); else compare what it asks.
        return etree.tostring(a.element) == etree.tostring(b.element) or same_problem(a.element, b.element)
    return element_text(a.element) == element_text(b.element)


def compare(original: OlxCourse, rebuilt: OlxCourse, plan) -> list[str]:
    """Pin what differs in attributes and policy; mark blocks whose content differs as raw. Returns problems left."""
    plan.attributes = {}
    plan.policy = {}
    plan.grading = None
    old, new = index(original), index(rebuilt)
    problems = []
    for ref, block in old.items():
        other = new.get(ref)
        if other is None:
            if not _skipped(plan, block):
                problems.append(f"{ref}: missing after the round trip")
                _raw(plan, block, "did not come back from its source")
            continue
        key = f"course/{original.run}" if ref == "course" else ref
        pins = {k: v for k, v in block.attrs.items() if other.attrs.get(k) != v}
        pins.update({k: None for k in other.attrs if k not in block.attrs})
        if block.tag == "html":
            pins.pop("filename", None)
        if pins:
            plan.attributes[key] = pins
        if block.tag in ("course", "chapter", "sequential", "vertical"):
            if [c.ref for c in block.children] != [c.ref for c in other.children]:
                problems.append(f"{ref}: children differ after the round trip")
            continue
        if block.ref in plan.raw:
            continue
        if not same_content(block, other, plan.html_lang):
            _raw(plan, block, "its converted source does not build back into the same content")
    for ref in plan.raw:
        # Kept as it came: its own file (or element) carries its attributes.
        plan.attributes.pop(ref, None)
    _policy(original, rebuilt, plan)
    _files(original, rebuilt, plan)
    return problems


def _files(original: OlxCourse, rebuilt: OlxCourse, plan) -> None:
    """Static files, About pages, course info, tabs…: any the build did not give back the same is kept as it came."""
    skip = {f"policies/{original.run}/policy.json", f"policies/{original.run}/grading_policy.json",
            f"policies/{original.run}.json", "course.xml"}
    for rel, data in original.files.items():
        if rel in original.used or rel in skip or rel in plan.kept_files:
            continue
        new = rebuilt.files.get(rel)
        if new == data:
            continue
        if new is not None and rel.endswith(".html") and not rel.startswith("static/") and not plan.html_lang \
                and same_html(data.decode("utf-8"), new.decode("utf-8")):
            continue
        plan.kept_files.add(rel)


def _skipped(plan, block: Block) -> bool:
    return any(ref == block.ref for ref, _why in plan.skipped)


def _raw(plan, block: Block, reason: str) -> None:
    plan.raw.add(block.ref)
    plan.reasons.setdefault(block.ref, reason)


def _policy(original: OlxCourse, rebuilt: OlxCourse, plan) -> None:
    key = f"course/{original.run}"
    old = original.policy.get(key, {})
    new = rebuilt.policy.get(key, {})
    course = {k: v for k, v in old.items() if new.get(k, _MISSING) != v}
    course.update({k: None for k in new if k not in old})
    if course:
        plan.policy["course"] = course
    for entry, value in original.policy.items():
        if entry != key:
            plan.policy[entry] = value
    if original.grading is not None and original.grading != rebuilt.grading:
        plan.grading = original.grading


_MISSING = object()


def differences(original: OlxCourse, rebuilt: OlxCourse, exact: bool = False) -> list[str]:
    """Every way `rebuilt` is not the same course as `original` (empty when the round trip lost nothing)."""
    out = []
    old, new = index(original), index(rebuilt)
    for ref, block in old.items():
        other = new.get(ref)
        if other is None:
            out.append(f"{ref}: missing")
            continue
        if (other.parent.ref if other.parent else None) != (block.parent.ref if block.parent else None) \
                and ref != "course":
            out.append(f"{ref}: parent changed")
        attrs = {k: v for k, v in block.attrs.items() if not (block.tag == "html" and k == "filename")}
        other_attrs = {k: v for k, v in other.attrs.items() if not (block.tag == "html" and k == "filename")}
        if attrs != other_attrs:
            out.append(f"{ref}: attributes differ: {sorted(set(attrs.items()) ^ set(other_attrs.items()))}")
        if block.tag in ("course", "chapter", "sequential", "vertical"):
            if [c.ref for c in block.children] != [c.ref for c in other.children]:
                out.append(f"{ref}: children or their order differ")
        elif not same_content(block, other, exact):
            out.append(f"{ref}: content differs")
    for ref in new:
        if ref not in old:
            out.append(f"{ref}: added")
    if original.policy != rebuilt.policy:
        out.append("policy.json differs")
    if original.grading != rebuilt.grading:
        out.append("grading_policy.json differs")
    for rel, data in original.files.items():
        if rel in original.used or rel.endswith("policy.json"):
            continue
        if rebuilt.files.get(rel) != data:
            if rel.endswith(".html") and rel in rebuilt.files and not exact and same_html(
                    data.decode("utf-8"), rebuilt.files[rel].decode("utf-8")):
                continue
            out.append(f"{rel}: file differs or is missing")
    return out
