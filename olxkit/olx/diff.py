"""What changes between two builds of a course: blocks, course settings, assets and other files.

Either side is an archive (.tar.gz) or an unpacked OLX folder, read by olx/read.py.

Open edX keys learners' answers and scores by block type and url_name, so a problem that disappears, changes
type, or whose questions change type or order takes learner data with it: those changes are learner-data risks.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field

from .. import component_types
from .read import CONTAINERS, Block, Snapshot, load_snapshot

# Blocks that keep no learner answers or scores; every other block type (problems, drag and drop, open
# response…) does, and removing or retyping it is a learner-data risk.
DATE_SETTINGS = {"start", "end", "enrollment_start", "enrollment_end", "announcement", "certificate_available_date"}
GRADING_SETTINGS = {"graceperiod", "minimum_grade_credit", "grading_policy"}


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
    note: str | None = None
    """What learners who already answered keep (a graded answer changed: past scores are not regraded)."""

    def as_dict(self) -> dict:
        return {"change": self.change, "type": self.type, "url_name": self.url_name,
                "display_name": self.display_name, "parent": self.parent, "details": self.details, "risk": self.risk,
                "note": self.note}


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
    return block_type not in CONTAINERS and block_type not in component_types.stateless_tags()


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
            elif a.answers != b.answers:
                pairs = "; ".join(f"{x or '(none)'} → {y or '(none)'}"
                                  for x, y in zip(a.answers, b.answers, strict=False) if x != y)
                change.details.append(f"answer {pairs}")
                if _graded(new, ref):
                    change.note = ("graded answer changed: past scores are not regraded — learners who already "
                                   "answered keep the score they got")
            changes.append(change)
    order = {"removed": 0, "retyped": 1, "added": 2, "changed": 3}
    return sorted(changes, key=lambda c: (order[c.change], c.type, c.url_name))


def _graded(snapshot: Snapshot, ref: str) -> bool:
    """Whether the block `ref` is in a graded subsection."""
    seen = set()
    while ref in snapshot.blocks and ref not in seen:
        seen.add(ref)
        block = snapshot.blocks[ref]
        if block.type == "sequential":
            return block.attrs.get("graded") == "true"
        ref = block.parent or ""
    return False


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
    notes = [b for b in diff.blocks if b.note]
    if notes:
        lines.append(f"graded answers changed: {len(notes)} (past scores are not regraded)")
        lines.extend(f"  {b.type} {b.url_name}: {b.note}" for b in notes)
    risks = diff.risks
    if risks:
        lines.append(f"learner-data risks: {len(risks)}")
        lines.extend(f"  {b.type} {b.url_name}: {b.risk}" for b in risks)
    return "\n".join(lines)
