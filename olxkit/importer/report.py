"""What an import made: lessons, units, components, the share converted, and every place kept raw and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    source: str
    course_key: str
    modules: int
    lessons: int
    units: int
    components: int
    converted: dict[str, int]
    """block type → blocks now written as Markdown or YAML"""
    kept: dict[str, int]
    """block type → blocks kept as they came (olx components, files under course/olx/)"""
    findings: list[dict] = field(default_factory=list)
    """{code, block, message}: every place that could not be represented natively, and why"""
    drafts: int = 0
    files_kept: int = 0
    ignored: list[str] = field(default_factory=list)
    pinned_blocks: int = 0
    """Blocks whose OLX attributes olxkit's source cannot say, pinned in course/olx.yaml `attributes:`."""
    policy_kept: list[str] = field(default_factory=list)
    """policy.json fields (course entry) and entries kept in course/olx.yaml `policy:`."""

    @property
    def native_share(self) -> float:
        total = sum(self.converted.values()) + sum(self.kept.values())
        return 100.0 * sum(self.converted.values()) / total if total else 100.0

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "course_key": self.course_key,
            "modules": self.modules,
            "lessons": self.lessons,
            "units": self.units,
            "components": self.components,
            "converted": dict(sorted(self.converted.items())),
            "kept_raw": dict(sorted(self.kept.items())),
            "native_share": round(self.native_share, 1),
            "drafts_kept": self.drafts,
            "files_kept": self.files_kept,
            "ignored": self.ignored,
            "pinned_blocks": self.pinned_blocks,
            "policy_kept": self.policy_kept,
            "findings": self.findings,
        }

    def format_text(self) -> str:
        lines = [f"{self.course_key}: {self.modules} modules, {self.lessons} lessons, {self.units} units, "
                 f"{self.components} components"]
        for kind in sorted(set(self.converted) | set(self.kept)):
            done, raw = self.converted.get(kind, 0), self.kept.get(kind, 0)
            lines.append(f"  {kind}: {done} converted, {raw} kept as OLX")
        lines.append(f"  {self.native_share:.0f}% of the components are now Markdown or YAML")
        if self.drafts:
            lines.append(f"  {self.drafts} draft files (unpublished changes) kept as they came in course/olx/drafts/; "
                         "the lessons show the published version")
        if self.pinned_blocks:
            lines.append(f"  {self.pinned_blocks} blocks keep OLX attributes the source cannot say (course/olx.yaml "
                         "`attributes:`)")
        if self.policy_kept:
            lines.append(f"  policy fields kept in course/olx.yaml: {', '.join(self.policy_kept)}")
        if self.files_kept:
            lines.append(f"  {self.files_kept} files kept as they came in course/olx/")
        for f in self.findings:
            lines.append(f"  {f['code']} {f['block']}: {f['message']}")
        return "\n".join(lines)


def make_report(plan, files, rebuilt) -> ImportReport:
    olx = plan.course
    converted: Counter = Counter()
    kept: Counter = Counter()
    findings = []
    for comp in plan.components:
        if comp.kind == "olx":
            kept[comp.block.tag] += 1
            code = "IMP010" if comp.block.tag in ("html", "problem", "video", "discussion") else "IMP011"
            findings.append({"code": code, "block": comp.block.ref, "message": f"kept as OLX: {comp.reason}"})
        else:
            converted[comp.block.tag] += 1
    prompts = sum(1 for b in olx.blocks() if b.tag == "html") - converted["html"] - kept["html"]
    if prompts > 0:
        converted["html"] += prompts
    for ref, why in plan.skipped:
        findings.append({"code": "IMP012", "block": ref, "message": f"not represented: {why}"})
    for ref, why in olx.warnings:
        findings.append({"code": "IMP013", "block": ref, "message": why})
    if plan.grading is not None:
        findings.append({"code": "IMP014", "block": "grading_policy.json",
                         "message": "the grading policy is kept as it came in course/olx.yaml (course.yaml "
                                    "`grading:` cannot say it: letter grades, weights or counts)"})
    chapters = olx.root.children
    seqs = [s for c in chapters for s in c.children]
    verticals = [v for s in seqs for v in s.children]
    leaves = sum(len(v.children) for v in verticals)
    drafts = sum(1 for rel in plan.overlay_files if rel.startswith("drafts/"))
    return ImportReport(
        source=files.label,
        course_key=f"course-v1:{olx.org}+{olx.number}+{olx.run}",
        modules=len(chapters),
        lessons=len(seqs),
        units=len(verticals),
        components=leaves,
        converted=dict(converted),
        kept=dict(kept),
        findings=findings,
        drafts=drafts,
        files_kept=len(plan.overlay_files),
        ignored=sorted(files.ignored),
        pinned_blocks=len(plan.attributes),
        policy_kept=sorted([*plan.policy.get("course", {})] + [k for k in plan.policy if k != "course"]),
    )
