"""What changes between two builds of a course: blocks, course settings, assets and other files.

Either side is an archive (.tar.gz) or an unpacked OLX folder. Archives are read in memory, never extracted,
and refused when a member is absolute, climbs out with `..`, or is a link or a device. XML is parsed without
entity expansion, DTDs or network access.

Open edX keys learners' answers and scores by block type and url_name, so a problem that disappears, changes
type, or whose questions change type or order takes learner data with it: those changes are learner-data risks.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..diagnostics import error

# Blocks whose children are blocks; the children of any other block are its content.
CONTAINERS = {"course", "chapter", "sequential", "vertical", "split_test", "conditional", "library_content",
              "itembank"}
# Blocks that keep no learner answers or scores; every other block type (problems, drag and drop, open
# response…) does, and removing or retyping it is a learner-data risk.
NO_LEARNER_STATE = CONTAINERS | {"html", "video", "discussion"}
DATE_SETTINGS = {"start", "end", "enrollment_start", "enrollment_end", "announcement", "certificate_available_date"}
GRADING_SETTINGS = {"graceperiod", "minimum_grade_credit", "grading_policy"}
MAX_MEMBERS = 200_000
MAX_TEXT_BYTES = 512 << 20
MAX_TOTAL_BYTES = 8 << 30
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                          huge_tree=False)


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
            return etree.fromstring(self.files.data[name], _PARSER)
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
        root = self.xml("course.xml")
        org, number, run = root.get("org", ""), root.get("course", ""), root.get("url_name", "")
        self.walk("course", root, None)
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
                files[rel] = digest
        return Snapshot(self.files.label, f"course-v1:{org}+{number}+{run}", self.blocks, policy, grading,
                        assets, files)

    def walk(self, tag: str, element: etree._Element, parent: str | None) -> None:
        url_name = element.get("url_name", "")
        pointer_file = f"{tag}/{url_name}.xml"
        if url_name and len(element.attrib) == 1 and len(element) == 0 \
                and self.prefix + pointer_file in self.files.data:
            element = self.xml(pointer_file)
        elif tag == "course" and parent is None:
            # course.xml points at course/<run>.xml, which holds the chapters.
            run_file = f"course/{url_name}.xml"
            if self.prefix + run_file in self.files.data:
                element = self.xml(run_file)
        # The course's own url_name is its run: name the root `course` so that two runs compare block by block.
        ref = "course" if parent is None else f"{tag}/{url_name}"
        if ref in self.blocks:
            return  # Studio keeps the first of two blocks with one url_name, too
        attrs = {k: v for k, v in element.attrib.items() if k != "url_name" and not (tag == "html" and k == "filename")}
        block = Block(tag, url_name, element.get("display_name", ""), parent, attrs, [], "")
        self.blocks[ref] = block
        if tag in CONTAINERS:
            for index, child in enumerate(c for c in element if isinstance(c.tag, str)):
                if not child.get("url_name"):
                    child.set("url_name", f"{url_name}#{index}")  # Studio would invent one; keep it stable here
                block.children.append(f"{child.tag}/{child.get('url_name')}")
                self.walk(child.tag, child, ref)
            return
        digest = hashlib.sha256(repr(sorted(attrs.items())).encode())
        digest.update((element.text or "").encode())
        for child in element:
            digest.update(etree.tostring(child, method="c14n"))
        if tag == "html" and element.get("filename"):
            html = f"html/{element.get('filename')}.html"
            if self.prefix + html in self.files.data:
                self.used.add(html)
                digest.update(self.files.data[self.prefix + html])
        block.content = digest.hexdigest()
        if tag == "problem":
            block.responses = tuple(el.tag for el in element.iter() if isinstance(el.tag, str)
                                    and el.tag.endswith("response"))


# -- comparing -------------------------------------------------------------------------------------------------

@dataclass
class BlockChange:
    change: str
    """added, removed, retyped or changed"""
    type: str
    url_name: str
    display_name: str
    parent: str | None
    details: list[str] = field(default_factory=list)
    risk: str | None = None
    """Why learners' data is at risk, when it is."""

    def as_dict(self) -> dict:
        return {"change": self.change, "type": self.type, "url_name": self.url_name,
                "display_name": self.display_name, "parent": self.parent, "details": self.details, "risk": self.risk}


@dataclass
class SettingChange:
    area: str
    """dates, grading or settings"""
    key: str
    old: object
    new: object

    def as_dict(self) -> dict:
        return {"area": self.area, "key": self.key, "old": self.old, "new": self.new}


@dataclass
class CourseDiff:
    old: str
    new: str
    old_key: str
    new_key: str
    blocks: list[BlockChange]
    settings: list[SettingChange]
    assets: dict[str, list[str]]
    files: dict[str, list[str]]

    @property
    def risks(self) -> list[BlockChange]:
        return [b for b in self.blocks if b.risk]

    @property
    def empty(self) -> bool:
        return (self.old_key == self.new_key and not self.blocks and not self.settings
                and not any(self.assets.values()) and not any(self.files.values()))

    def counts(self) -> dict[str, int]:
        out = {kind: sum(b.change == kind for b in self.blocks) for kind in ("added", "removed", "retyped", "changed")}
        out.update(settings=len(self.settings), assets=sum(len(v) for v in self.assets.values()),
                   files=sum(len(v) for v in self.files.values()), risks=len(self.risks))
        return out

    def summary(self) -> str:
        """One line: `2 added, 1 changed blocks; 1 setting; 3 assets` (or `no changes`)."""
        if self.empty:
            return "no changes"
        c = self.counts()
        parts = []
        blocks = ", ".join(f"{c[k]} {k}" for k in ("added", "removed", "retyped", "changed") if c[k])
        if blocks:
            parts.append(f"blocks: {blocks}")
        for key, noun in (("settings", "setting"), ("assets", "asset"), ("files", "other file")):
            if c[key]:
                parts.append(f"{c[key]} {noun}{'s' if c[key] != 1 else ''}")
        if self.old_key != self.new_key:
            parts.insert(0, f"course key {self.old_key} → {self.new_key}")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "old": self.old, "new": self.new, "course_key": {"old": self.old_key, "new": self.new_key},
            "counts": self.counts(), "blocks": [b.as_dict() for b in self.blocks],
            "settings": [s.as_dict() for s in self.settings], "assets": self.assets, "files": self.files,
            "risks": [b.as_dict() for b in self.risks],
        }


def diff_paths(old: str | os.PathLike, new: str | os.PathLike) -> CourseDiff:
    return compare(load_snapshot(old), load_snapshot(new))


def compare(old: Snapshot, new: Snapshot) -> CourseDiff:
    """Blocks added, removed, retyped and changed; settings, assets and other files changed."""
    return CourseDiff(old.label, new.label, old.course_key, new.course_key, _block_changes(old, new),
                      _setting_changes(old, new), _digest_changes(old.assets, new.assets),
                      _digest_changes(old.files, new.files))


def _keeps_state(block_type: str) -> bool:
    return block_type not in NO_LEARNER_STATE


def _block_changes(old: Snapshot, new: Snapshot) -> list[BlockChange]:
    types_old, types_new = defaultdict(set), defaultdict(set)
    for b in old.blocks.values():
        types_old[b.url_name].add(b.type)
    for b in new.blocks.values():
        types_new[b.url_name].add(b.type)
    changes = []
    for ref in sorted(old.blocks.keys() - new.blocks.keys()):
        b = old.blocks[ref]
        now = sorted(types_new[b.url_name] - types_old[b.url_name])
        if now:
            change = BlockChange("retyped", b.type, b.url_name, b.display_name, b.parent,
                                 [f"type {b.type} → {', '.join(now)}"])
            if _keeps_state(b.type):
                change.risk = (f"this {b.type} becomes a {', '.join(now)}: learners' answers and scores on it "
                               "leave the course")
        else:
            change = BlockChange("removed", b.type, b.url_name, b.display_name, b.parent)
            if _keeps_state(b.type):
                change.risk = f"this {b.type} is removed: learners' answers and scores on it leave the course"
        changes.append(change)
    for ref in sorted(new.blocks.keys() - old.blocks.keys()):
        b = new.blocks[ref]
        if not (types_old[b.url_name] - types_new[b.url_name]):  # else reported as retyped above
            changes.append(BlockChange("added", b.type, b.url_name, b.display_name, b.parent))
    for ref in sorted(old.blocks.keys() & new.blocks.keys()):
        a, b = old.blocks[ref], new.blocks[ref]
        details = _details(a, b, old, new)
        if details:
            change = BlockChange("changed", b.type, b.url_name, b.display_name, b.parent, details)
            lost = [i for i, kind in enumerate(a.responses) if i >= len(b.responses) or b.responses[i] != kind]
            if lost:
                change.risk = (f"its questions change ({', '.join(a.responses)} → {', '.join(b.responses) or 'none'})"
                               ": learners' saved answers no longer match them")
                change.details.append("questions retyped")
            changes.append(change)
    order = {"removed": 0, "retyped": 1, "added": 2, "changed": 3}
    return sorted(changes, key=lambda c: (order[c.change], c.type, c.url_name))


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return json.dumps(text, ensure_ascii=False) if len(text) <= 40 else "…"


def _details(a: Block, b: Block, old: Snapshot, new: Snapshot) -> list[str]:
    details = []
    if a.display_name != b.display_name:
        details.append(f"title {_short(a.display_name)} → {_short(b.display_name)}")
    for key in sorted((a.attrs.keys() | b.attrs.keys()) - {"display_name"}):
        if a.attrs.get(key) != b.attrs.get(key):
            before = _short(a.attrs[key]) if key in a.attrs else "(none)"
            after = _short(b.attrs[key]) if key in b.attrs else "(none)"
            details.append(f"{key} {before} → {after}")
    if a.children != b.children:
        gone = [c for c in a.children if c not in b.children]
        added = [c for c in b.children if c not in a.children]
        if gone or added:
            details.append(f"children +{len(added)} −{len(gone)}")
        else:
            details.append("children reordered")
    if a.content != b.content:
        details.append("content")
    if a.parent != b.parent:
        details.append(f"moved from {a.parent} to {b.parent}")
    return details


def _setting_changes(old: Snapshot, new: Snapshot) -> list[SettingChange]:
    out = []
    for key in sorted(old.policy.keys() | new.policy.keys()):
        before, after = old.policy.get(key), new.policy.get(key)
        if before != after:
            area = "dates" if key in DATE_SETTINGS else "grading" if key in GRADING_SETTINGS else "settings"
            out.append(SettingChange(area, key, before, after))
    graders_old = {g.get("type"): g for g in old.grading.get("GRADER", []) if isinstance(g, dict)}
    graders_new = {g.get("type"): g for g in new.grading.get("GRADER", []) if isinstance(g, dict)}
    for kind in sorted(graders_old.keys() | graders_new.keys(), key=str):
        a, b = graders_old.get(kind), graders_new.get(kind)
        if a is None or b is None:
            out.append(SettingChange("grading", f"assignment type {kind}", a, b))
            continue
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key) and key != "type":
                out.append(SettingChange("grading", f"{kind} {key}", a.get(key), b.get(key)))
    cut_old, cut_new = old.grading.get("GRADE_CUTOFFS", {}), new.grading.get("GRADE_CUTOFFS", {})
    for grade in sorted(cut_old.keys() | cut_new.keys()):
        if cut_old.get(grade) != cut_new.get(grade):
            out.append(SettingChange("grading", f"cutoff {grade}", cut_old.get(grade), cut_new.get(grade)))
    return out


def _digest_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, list[str]]:
    return {"added": sorted(new.keys() - old.keys()), "removed": sorted(old.keys() - new.keys()),
            "changed": sorted(k for k in old.keys() & new.keys() if old[k] != new[k])}


# -- text report -----------------------------------------------------------------------------------------------

_SIGN = {"added": "+", "removed": "-", "retyped": "!", "changed": "~"}


def format_text(diff: CourseDiff) -> str:
    """The diff for people: one line per change, grouped, with the learner-data risks at the end."""
    lines = [f"{diff.old} → {diff.new}"]
    if diff.old_key != diff.new_key:
        lines.append(f"course key: {diff.old_key} → {diff.new_key}")
    else:
        lines.append(f"course: {diff.new_key}")
    if diff.empty:
        lines.append("no changes")
        return "\n".join(lines)
    if diff.blocks:
        c = diff.counts()
        lines.append("blocks: " + ", ".join(f"{c[k]} {k}" for k in ("added", "removed", "retyped", "changed")
                                            if c[k]))
        for b in diff.blocks:
            renamed = any(d.startswith("title ") for d in b.details)
            title = f' "{b.display_name}"' if b.display_name and not renamed else ""
            where = f" in {b.parent}" if b.change in ("added", "removed") and b.parent else ""
            extra = f": {'; '.join(b.details)}" if b.details else ""
            flag = "  [learner data]" if b.risk else ""
            lines.append(f"  {_SIGN[b.change]} {b.type:<11} {b.url_name}{title}{where}{extra}{flag}")
    if diff.settings:
        lines.append(f"course settings: {len(diff.settings)} changed")
        for s in diff.settings:
            before = "(none)" if s.old is None else json.dumps(s.old, ensure_ascii=False)
            after = "(none)" if s.new is None else json.dumps(s.new, ensure_ascii=False)
            lines.append(f"  ~ {s.area}: {s.key}: {before} → {after}")
    for title, changes in (("assets", diff.assets), ("other files", diff.files)):
        if any(changes.values()):
            lines.append(f"{title}: " + ", ".join(f"{len(v)} {k}" for k, v in changes.items() if v))
            for kind in ("added", "removed", "changed"):
                lines.extend(f"  {_SIGN[kind]} {name}" for name in changes[kind])
    risks = diff.risks
    if risks:
        lines.append(f"learner-data risks: {len(risks)}")
        lines.extend(f"  {b.type} {b.url_name}: {b.risk}" for b in risks)
    return "\n".join(lines)
