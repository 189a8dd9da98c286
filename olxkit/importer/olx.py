"""Reading an Open edX course export (in memory) into a tree of blocks, the way Studio's importer reads it.

Pointer tags load `<tag>/<url_name>.xml`; html blocks load `html/<filename>.html`; inline children are kept
inline. Policies, About pages, course info, tabs, static files and drafts are read as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree

from ..olx.read import html_path, is_pointer, pointer_path
from .safe import SourceFiles, refuse

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
CONTAINERS = ("course", "chapter", "sequential", "vertical")


@dataclass
class Block:
    tag: str
    url_name: str
    attrs: dict[str, str]
    """The attributes of the block's definition element, url_name (and html's filename) left out."""
    element: etree._Element
    """The definition element (the pointed-to file's root for a pointer)."""
    children: list[Block] = field(default_factory=list)
    pointer: bool = False
    """Came as `<tag url_name=…/>` with its definition in `<tag>/<url_name>.xml`."""
    file: str | None = None
    html: str | None = None
    """An html block's HTML (its .html file, or its inline content)."""
    html_file: str | None = None
    parent: Block | None = None

    @property
    def ref(self) -> str:
        return f"{self.tag}/{self.url_name}"

    @property
    def display_name(self) -> str:
        return self.attrs.get("display_name", "")


@dataclass
class OlxCourse:
    label: str
    org: str
    number: str
    run: str
    root: Block
    policy: dict[str, dict]
    grading: dict | None
    files: dict[str, bytes]
    """Every file of the export, by path (static/, about/, info/, tabs/, drafts/ included)."""
    used: set[str] = field(default_factory=set)
    """Files that the block tree was read from."""
    course_children: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(where, message): things an import keeps but cannot make sense of."""

    def blocks(self):
        stack = [self.root]
        while stack:
            block = stack.pop()
            yield block
            stack.extend(reversed(block.children))

    def course_policy(self) -> dict:
        return self.policy.get(f"course/{self.run}", {})


class _Reader:
    def __init__(self, source: SourceFiles):
        self.source = source
        self.files = source.files
        self.used: set[str] = set()
        self.seen: set[str] = set()
        self.warnings: list[tuple[str, str]] = []

    def where(self, rel: str) -> str:
        return f"{self.source.label}!{rel}"

    def xml(self, rel: str) -> etree._Element:
        self.used.add(rel)
        try:
            root = etree.fromstring(self.files[rel], PARSER)
        except etree.XMLSyntaxError as exc:
            raise refuse(self.where(rel), f"not well-formed XML: {exc.msg}", exc.lineno or 0) from None
        return root

    def json(self, rel: str):
        if rel not in self.files:
            return None
        self.used.add(rel)
        try:
            return json.loads(self.files[rel].decode("utf-8"))
        except json.JSONDecodeError as exc:
            raise refuse(self.where(rel), f"not valid JSON: {exc.msg}", exc.lineno) from None

    def read(self) -> OlxCourse:
        pointer = self.xml("course.xml")
        if pointer.tag != "course":
            raise refuse(self.where("course.xml"), f"the root element is <{pointer.tag}>, not <course>")
        org, number = pointer.get("org", ""), pointer.get("course", "")
        run = pointer.get("url_name") or pointer.get("slug") or ""
        if not (org and number and run):
            raise refuse(self.where("course.xml"), "course.xml needs org, course and url_name")
        element = pointer
        if f"course/{run}.xml" in self.files:
            element = self.xml(f"course/{run}.xml")
        root = Block("course", run, _attrs(element), element, pointer=element is not pointer,
                     file=f"course/{run}.xml" if element is not pointer else None)
        extra = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "chapter":
                self.walk(child, root)
            else:
                extra.append(etree.tostring(child, encoding="unicode", with_tail=False))
        policy = self.json(f"policies/{run}/policy.json")
        if policy is None:
            policy = self.json(f"policies/{run}.json") or {}
        if not isinstance(policy, dict) or not all(isinstance(v, dict) for v in policy.values()):
            raise refuse(self.where(f"policies/{run}/policy.json"), "policy.json is not an object of objects")
        grading = self.json(f"policies/{run}/grading_policy.json")
        course = OlxCourse(self.source.label, org, number, run, root, policy,
                           grading if isinstance(grading, dict) else None, self.files, self.used,
                           extra, self.warnings)
        return course

    def walk(self, element: etree._Element, parent: Block) -> Block | None:
        tag = element.tag
        url_name = element.get("url_name", "")
        pointer = bool(url_name) and is_pointer(element)
        file = None
        if pointer:
            file = pointer_path(tag, url_name)
            if file not in self.files:
                raise refuse(self.where(f"{parent.tag}/{parent.url_name}.xml"),
                             f"<{tag} url_name=\"{url_name}\"/> points at {file}, which is not in the export")
            element = self.xml(file)
        if not url_name:
            raise refuse(self.where(parent.file or "course.xml"), f"a <{tag}> without url_name; Studio exports name "
                                                                 "every block (add url_name)")
        block = Block(tag, url_name, _attrs(element), element, pointer=pointer, file=file, parent=parent)
        if block.ref in self.seen:
            self.warnings.append((block.ref, "a second block with this url_name; Studio keeps the first, so does "
                                             "the import"))
            return None
        self.seen.add(block.ref)
        parent.children.append(block)
        if tag in CONTAINERS:
            for child in element:
                if isinstance(child.tag, str):
                    self.walk(child, block)
        elif tag == "html":
            rel = html_path(element)
            if rel:
                filename = element.get("filename")
                if rel not in self.files:
                    raise refuse(self.where(file or "html"), f"<html filename=\"{filename}\"> needs {rel}, which is "
                                                             "not in the export")
                self.used.add(rel)
                block.html_file = rel
                block.html = self.files[rel].decode("utf-8")
            else:
                block.html = (element.text or "") + "".join(
                    etree.tostring(c, encoding="unicode") for c in element)
        return block


def _attrs(element: etree._Element) -> dict[str, str]:
    return {k: v for k, v in element.attrib.items() if k != "url_name"}


def read_olx(source: SourceFiles) -> OlxCourse:
    """The course in `source` as a block tree, with its policies and files (Refused when it cannot be read)."""
    return _Reader(source).read()
