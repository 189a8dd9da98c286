"""Reading a built course back: an archive (.tar.gz) or an unpacked OLX folder, as a snapshot of its blocks.

Archives are read in memory, never extracted, and refused when a member is absolute, climbs out with `..`, or is
a link or a device. XML is parsed without entity expansion, DTDs or network access.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..diagnostics import error

# Blocks whose children are blocks; the children of any other block are its content.
CONTAINERS = {"course", "chapter", "sequential", "vertical", "split_test", "conditional", "library_content",
              "itembank"}
MAX_MEMBERS = 200_000
MAX_TEXT_BYTES = 512 << 20
MAX_TOTAL_BYTES = 8 << 30
# Which blocks each structural block may hold, as Studio's import gate enforces it.
ALLOWED_CHILDREN = {"course": {"chapter"}, "chapter": {"sequential"}, "sequential": {"vertical"}}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                          huge_tree=False)


def parse_xml(data: bytes) -> etree._Element:
    """One OLX file, parsed without entity expansion, DTDs or network access (XMLSyntaxError when broken)."""
    return etree.fromstring(data, _PARSER)


def pointer_path(tag: str, url_name: str) -> str:
    """The file a pointer `<tag url_name="…"/>` loads its block from: a `:` in the url_name is a sub-folder
    (`<html url_name="secret:lab"/>` loads html/secret/lab.xml; Open edX's `name_to_pathname`)."""
    return f"{tag}/{url_name.replace(':', '/')}.xml"


def is_pointer(element: etree._Element) -> bool:
    """`<tag url_name="…"/>` and nothing else: Open edX loads the block from its own file (`pointer_path`).
    With any other attribute, child or text it is an inline block (Open edX's own `is_pointer_tag` rule)."""
    return set(element.attrib) == {"url_name"} and len(element) == 0 and not (element.text or "").strip()


def run_file(course_pointer: etree._Element) -> str:
    """course.xml names the run; the course's chapters are in course/<run>.xml."""
    return pointer_path("course", course_pointer.get("url_name", ""))


def html_path(element: etree._Element) -> str | None:
    """The file an html block's content is in (`filename="x"` → html/x.html), or None when it is inline."""
    filename = element.get("filename") if element.tag == "html" else None
    return f"html/{filename}.html" if filename else None


def empty_inline(element: etree._Element) -> bool:
    """A structural block or problem written inline with attributes and nothing inside: Open edX reads it as an
    empty block (it is not a pointer, so its file, if any, is never read)."""
    return bool(element.get("url_name")) and len(element) == 0 and element.tag in _LOADED_FROM_FILES


_LOADED_FROM_FILES = {"chapter", "sequential", "vertical", "problem"}


@dataclass
class Loaded:
    """One block of a course as Open edX loads it (`walk_course`)."""

    tag: str
    url_name: str
    """As written ("" when the element has none)."""
    element: etree._Element | None
    """Its definition: from its own file for a pointer (or, when that file is missing, the pointer as written);
    None when the file is not well-formed XML (`error`)."""
    file: str | None
    """The file its definition was read from; None for a block written inline in its parent's file."""
    where: str
    """The file the element naming this block is written in."""
    parent: Loaded | None = None
    index: int = 0
    """Its position among its parent's blocks."""
    missing: str | None = None
    """The file a pointer names when the course does not have it."""
    error: str | None = None
    line: int = 0

    @property
    def name(self) -> str:
        """The url_name, or for a block without one a stable stand-in (Studio would invent one)."""
        if self.url_name:
            return self.url_name
        return f"{self.parent.name if self.parent else ''}#{self.index}"

    @property
    def ref(self) -> str:
        """`type/url_name`; the course itself is `course` (its url_name is its run: two runs compare)."""
        return "course" if self.parent is None else f"{self.tag}/{self.name}"


def walk_course(files, visit, prefix: str = "") -> None:
    """Every block of the course in `files` (OLX path → bytes, under `prefix`), depth first, read the way Open
    edX's import reads them: course.xml, then course/<run>.xml, then each container's blocks, a pointer's
    definition from its own file (`pointer_path`). `visit(block: Loaded)` returns whether to go into the
    block's children. The one OLX reader of diff and validate's OLX gate.
    """
    name = prefix + "course.xml"
    try:
        pointer = parse_xml(files[name])
    except etree.XMLSyntaxError as exc:
        visit(Loaded("course", "", None, "course.xml", "course.xml", error=f"not well-formed XML: {exc.msg}",
                     line=exc.lineno or 0))
        return
    _walk(files, prefix, pointer, "course", "course.xml", None, 0, visit, root=True)


def _walk(files, prefix, element, tag, where, parent, index, visit, root=False) -> None:
    url_name = element.get("url_name", "")
    file = run_file(element) if root else pointer_path(tag, url_name) if url_name and is_pointer(element) else None
    block = Loaded(tag, url_name, element, None, where, parent, index)
    if file is not None:
        if prefix + file in files:
            block.file = file
            try:
                block.element = parse_xml(files[prefix + file])
            except etree.XMLSyntaxError as exc:
                block.element, block.error, block.line = None, f"not well-formed XML: {exc.msg}", exc.lineno or 0
        else:
            block.missing = file
    if not visit(block) or block.element is None or tag not in CONTAINERS:
        return
    inside = block.file or where
    position = 0
    for child in block.element:
        if isinstance(child.tag, str):
            _walk(files, prefix, child, child.tag, inside, block, position, visit)
            position += 1


# -- reading an archive or a folder ----------------------------------------------------------------------------

@dataclass
class _Files:
    """Every file of one side: the text files' bytes, and a digest of every file (static assets included)."""

    label: str
    data: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    archive: bool = False

    def where(self, name: str) -> str:
        return f"{self.label}!{name}" if self.archive else str(Path(self.label) / name)


def _unreadable(where: str, message: str, line: int = 0):
    return error(where, line, message, code="SYN001")


def _is_static(name: str) -> bool:
    return name.startswith("static/") or "/static/" in name


def _unsafe_name(name: str) -> bool:
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


def _read_archive(path: Path) -> _Files:
    import hashlib  # imported where used: loading OpenSSL costs every build that never hashes
    files = _Files(str(path), archive=True)
    total = everything = 0
    try:
        with tarfile.open(path, "r:*") as tar:
            for count, member in enumerate(tar, 1):
                name = member.name
                if count > MAX_MEMBERS:
                    raise _unreadable(str(path), f"more than {MAX_MEMBERS} members; this is not a course archive")
                if _unsafe_name(name):
                    raise _unreadable(str(path), f"unsafe member `{name}` (absolute path or `..`); not reading it")
                if member.isdir():
                    continue
                if not member.isfile():
                    kind = "link" if member.issym() or member.islnk() else "device or special file"
                    raise _unreadable(str(path), f"unsafe member `{name}` ({kind}); course archives hold only "
                                      "files and folders")
                everything += member.size
                if everything > MAX_TOTAL_BYTES:  # a decompression bomb would keep the hashing busy for hours
                    raise _unreadable(str(path), f"more than {MAX_TOTAL_BYTES >> 30} GB unpacked; not reading it")
                name = name.removeprefix("./")
                if name in files.digests:
                    raise _unreadable(str(path), f"member `{name}` appears twice; not reading an ambiguous archive")
                digest = hashlib.sha256()
                keep = not _is_static(name)
                chunks = []
                with tar.extractfile(member) as fh:
                    while chunk := fh.read(1 << 20):
                        digest.update(chunk)
                        if keep:
                            total += len(chunk)
                            if total > MAX_TEXT_BYTES:
                                raise _unreadable(str(path), "the course's XML and HTML are larger than "
                                                  f"{MAX_TEXT_BYTES >> 20} MB; not reading it")
                            chunks.append(chunk)
                files.digests[name] = digest.hexdigest()
                if keep:
                    files.data[name] = b"".join(chunks)
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise _unreadable(str(path), f"not a readable .tar.gz archive ({exc})") from None
    return files


def _read_folder(root: Path) -> _Files:
    import hashlib
    files = _Files(str(root))
    real_root = root.resolve()
    seen_dirs: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = Path(dirpath).resolve()
        if real in seen_dirs or not real.is_relative_to(real_root):
            dirnames[:] = []  # a link loop or a link out of the tree: do not descend
            continue
        seen_dirs.add(real)
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            rel = path.relative_to(root).as_posix()
            if not path.resolve().is_relative_to(real_root):
                raise _unreadable(str(path), "a link that points out of the OLX folder; not reading it")
            if not path.is_file():
                continue
            data = path.read_bytes()
            files.digests[rel] = hashlib.sha256(data).hexdigest()
            if not _is_static(rel):
                files.data[rel] = data
    return files


# -- the course model of one side ------------------------------------------------------------------------------

@dataclass
class Block:
    type: str
    url_name: str
    display_name: str
    parent: str | None
    """`type/url_name` of the parent block."""
    attrs: dict[str, str]
    children: list[str]
    content: str
    """Digest of everything inside a leaf block (child elements, text, its html file)."""
    responses: tuple[str, ...] = ()
    """A problem's response types in order; saved answers are keyed by their position."""
    answers: tuple[str, ...] = ()
    """A problem's correct answers, one text per response (what `diff` shows when a graded answer changes)."""


@dataclass
class Snapshot:
    """One side of a diff: the blocks, course settings, assets and other files of one course export."""

    label: str
    course_key: str
    blocks: dict[str, Block]
    policy: dict
    grading: dict
    assets: dict[str, str]
    files: dict[str, str]


def load_snapshot(path: str | os.PathLike) -> Snapshot:
    """Read an archive or an OLX folder (one holding course.xml) into a Snapshot; OlxkitError if unusable."""
    path = Path(path)
    if path.is_dir():
        files = _read_folder(path)
    elif path.is_file():
        files = _read_archive(path)
    else:
        raise error(str(path), 0, "no such archive or folder", code="STR001")
    return _Reader(files).snapshot()


class _Reader:
    def __init__(self, files: _Files):
        self.files = files
        roots = [n for n in files.data if n == "course.xml" or n.endswith("/course.xml")]
        if not roots:
            raise _unreadable(files.label, "no course.xml here: not an Open edX course archive or OLX folder")
        depth = min(n.count("/") for n in roots)
        top = [n for n in roots if n.count("/") == depth]
        if len(top) > 1:
            raise _unreadable(files.label, f"{len(top)} courses here ({', '.join(sorted(top))}); "
                              "name one archive or OLX folder")
        self.prefix = top[0][: -len("course.xml")]
        self.used: set[str] = set()
        self.blocks: dict[str, Block] = {}

    def rel(self, name: str) -> str:
        return name[len(self.prefix):]

    def xml(self, rel: str) -> etree._Element:
        name = self.prefix + rel
        self.used.add(rel)
        try:
            return parse_xml(self.files.data[name])
        except etree.XMLSyntaxError as exc:
            raise _unreadable(self.files.where(name), f"not well-formed XML: {exc.msg}", exc.lineno or 0) from None

    def json(self, rel: str) -> dict:
        name = self.prefix + rel
        if name not in self.files.data:
            return {}
        self.used.add(rel)
        try:
            value = json.loads(self.files.data[name].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _unreadable(self.files.where(name), f"not valid JSON: {exc}", getattr(exc, "lineno", 0)) from None
        return value if isinstance(value, dict) else {}

    def snapshot(self) -> Snapshot:
        import hashlib
        root = self.xml("course.xml")
        org, number, run = root.get("org", ""), root.get("course", ""), root.get("url_name", "")
        walk_course(self.files.data, self.visit, self.prefix)
        policy = self.json(f"policies/{run}/policy.json")
        policy = policy.get(f"course/{run}", policy)
        grading = self.json(f"policies/{run}/grading_policy.json")
        assets, files = {}, {}
        for name, digest in self.files.digests.items():
            if not name.startswith(self.prefix):
                continue
            rel = self.rel(name)
            if rel.startswith("static/"):
                assets[rel] = digest
            elif rel not in self.used:
                if rel.endswith(".html"):
                    digest = hashlib.sha256(html_key(self.files.data[name].decode("utf-8", "replace")).encode()
                                            ).hexdigest()
                files[rel] = digest
        return Snapshot(self.files.label, f"course-v1:{org}+{number}+{run}", self.blocks, policy, grading,
                        assets, files)

    def visit(self, loaded: Loaded) -> bool:
        import hashlib
        if loaded.error:
            where = self.files.where(self.prefix + (loaded.file or loaded.where))
            raise _unreadable(where, loaded.error, loaded.line)
        if loaded.file:
            self.used.add(loaded.file)
        ref = loaded.ref
        if loaded.parent is not None:
            self.blocks[loaded.parent.ref].children.append(ref)
        if ref in self.blocks:
            return False  # Studio keeps the first of two blocks with one url_name, too
        tag, element = loaded.tag, loaded.element
        attrs = {k: v for k, v in element.attrib.items() if k != "url_name" and not (tag == "html" and k == "filename")}
        block = Block(tag, loaded.name, element.get("display_name", ""), loaded.parent and loaded.parent.ref, attrs,
                      [], "")
        self.blocks[ref] = block
        if tag in CONTAINERS:
            return True
        digest = hashlib.sha256(repr(sorted(attrs.items())).encode())
        if tag == "html":
            # The same page written another way (whitespace, `<br>` or `<br />`, entities) is the same page.
            html = (element.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in element)
            name = html_path(element)
            if name and self.prefix + name in self.files.data:
                self.used.add(name)
                html = self.files.data[self.prefix + name].decode("utf-8", "replace")
            digest.update(html_key(html).encode())
        elif tag == "problem":
            digest.update(problem_key(element).encode())
        else:
            digest.update((element.text or "").encode())
            for child in element:
                digest.update(etree.tostring(child, method="c14n"))
        block.content = digest.hexdigest()
        if tag == "problem":
            block.responses, block.answers = response_answers(element)
        return False


# -- what two ways of writing the same content have in common -------------------------------------------------

_WS = re.compile(r"[ \t\n\r\f]+")


def _html_tree(element, in_pre: bool = False) -> tuple:
    pre = in_pre or element.tag == "pre"
    items = []
    for text, child in [(element.text, None), *[(c.tail, c) for c in element]]:
        if child is not None and isinstance(child.tag, str):
            items.append(_html_tree(child, pre))
        text = text or ""
        if not pre:
            text = _WS.sub(" ", text).strip()
        if text:
            items.append(text)
    tag = element.tag if isinstance(element.tag, str) else ""
    return (tag, tuple(sorted(element.attrib.items())), tuple(items))


def html_key(html: str) -> str:
    """The page's DOM, whitespace between and around words normalised (not in <pre>): two html texts with the
    same key show the same page."""
    from lxml import html as lxml_html

    if not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div", parser=lxml_html.HTMLParser(no_network=True))
    except (etree.ParserError, ValueError):
        return html
    return repr(_html_tree(root))


def problem_key(problem: etree._Element) -> str:
    """What a learner is asked and how it is graded: the problem without its own attributes (settings are
    compared on their own), every solution moved to the end, whitespace normalised, `correct` lower-cased and
    a text input's width left out. Two problems with the same key ask and grade the same."""
    copy = etree.fromstring(etree.tostring(problem, with_tail=False))
    copy.attrib.clear()
    solutions = list(copy.iter("solution"))
    for sol in solutions:
        sol.getparent().remove(sol)
        sol.tail = None
        copy.append(sol)
    for el in copy.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text is not None:
            el.text = _WS.sub(" ", el.text).strip() or None
        if el.tail is not None:
            el.tail = _WS.sub(" ", el.tail).strip() or None
        if el.get("correct") is not None:
            el.set("correct", el.get("correct").lower())
        if el.tag == "textline":
            el.attrib.pop("size", None)
    return etree.tostring(copy, method="c14n").decode("utf-8")


def response_answers(problem: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(response types, correct answers) of a problem, in order: one short text per response."""
    responses, answers = [], []
    for response in problem.iter():
        if isinstance(response.tag, str) and response.tag.endswith("response"):
            responses.append(response.tag)
            answers.append(_answer_text(response))
    return tuple(responses), tuple(answers)


def block_answers(tag: str, element: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`response_answers` of a CAPA problem; any other block keeps no answers by position."""
    return response_answers(element) if tag == "problem" else ((), ())


def _text_of(element: etree._Element) -> str:
    """An element's own text and its children's, without hints and feedback, whitespace normalised."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not child.tag.endswith("hint"):
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return _WS.sub(" ", "".join(parts)).strip()


def _answer_text(response: etree._Element) -> str:
    tag = response.tag
    if tag == "stringresponse":
        accepted = [response.get("answer", "")] + [a.get("answer", "") for a in response.iter("additional_answer")]
        return " | ".join(accepted)
    if tag == "numericalresponse":
        tolerance = next((p.get("default") for p in response.iter("responseparam") if p.get("type") == "tolerance"),
                         None)
        return response.get("answer", "") + (f" ± {tolerance}" if tolerance else "")
    if tag in ("choiceresponse", "multiplechoiceresponse"):
        return " ; ".join(_text_of(c) for c in response.iter("choice") if (c.get("correct") or "").lower() == "true")
    if tag == "optionresponse":
        return " ; ".join(_text_of(o) for o in response.iter("option") if (o.get("correct") or "").lower() == "true")
    return ""
