"""The build: sources → course model → per-instance variants → OLX trees → archives.

Nothing is written unless every variant could be made: all errors are found in memory first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .check.lint import lint_course
from .confine import check_output_folder
from .diagnostics import Diagnostic, Findings, OlxkitError, Severity
from .fsio import BuildLock, replace_folder, stage_folder, write_atomic
from .i18n import locales
from .i18n.variant import LOCALE_DIR, TablePrefetch, fallback_findings, load_tables, make_variant
from .model import Course
from .olx.archive import archive_bytes, write_files
from .olx.learners import learner_changes, merge_learner_blocks
from .olx.manifest import read_learners, update_manifest
from .olx_export import export_olx, merge
from .parallel import parallel_map, pull_map, without_gc
from .source.instances import load_instances, locales_of, select
from .source.loader import load_course_with_warnings
from .source.project import language_of


@dataclass
class BuildResult:
    """What one instance's build produced."""

    instance: str
    locale: str
    course_key: str
    language: str
    archive: Path
    tree: Path | None
    size: int
    counts: dict[str, int]
    coverage: float = 100.0
    fallbacks: int = 0
    is_source: bool = True
    learner_changes: list[dict] = field(default_factory=list)
    """What changed for learners since the previous build of this instance into the same folder."""

    def as_dict(self) -> dict:
        return {
            "instance": self.instance,
            "locale": self.locale,
            "course_key": self.course_key,
            "language": self.language,
            "archive": str(self.archive),
            "tree": str(self.tree) if self.tree else None,
            "size": self.size,
            "blocks": dict(sorted(self.counts.items())),
            "coverage": round(self.coverage, 1),
            "fallbacks": self.fallbacks,
            "learner_changes": self.learner_changes,
        }


@dataclass
class BuildReport:
    results: list[BuildResult]
    warnings: list[Diagnostic] = field(default_factory=list)
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """instance id → the errors that kept its archive from being written (the others' were written)"""
    removed: list[str] = field(default_factory=list)
    """Outputs an earlier build wrote into the folder that this build no longer writes, now deleted."""


class PartialBuildError(OlxkitError):
    """Some instances failed, the others' archives were written: `report` has both (exit status 1)."""

    def __init__(self, diagnostics, report: BuildReport | None = None):
        super().__init__(diagnostics)
        self.report = report

    def __reduce__(self):
        return type(self), (self.diagnostics, self.report)


def build(
    project: str | os.PathLike = ".",
    out_dir: str | os.PathLike | None = None,
    *,
    instances: list[str] | None = None,
    tree: bool = True,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> BuildReport:
    """Build every enabled instance of the course in `project` (or the ones named) into `out_dir`.

    The sources are read once; each instance gets its variant (translated along de_AT → de → source).
    Raises OlxkitError with every error found. An error in the sources (or in every instance) leaves `out_dir`
    untouched. An error in some instances only (a catalog, `--strict`, `min_coverage`) raises PartialBuildError
    once every other instance's archive is written; its `report` says which were written and which failed.
    """
    return _build(project, out_dir, instances, tree, strict, progress, jobs)


@without_gc
def _build(project, out_dir, instances, tree, strict, progress, jobs) -> BuildReport:
    say = progress or (lambda _msg: None)
    project = Path(project)
    out = Path(out_dir) if out_dir is not None else project / "build"
    check_output_folder(project, out)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    prefetch = None
    if jobs > 1:
        # Read (and gate) the catalogs on another core while this one reads the sources, in the order the
        # variants will want them: every instance's when every instance is built, else the named instances'.
        codes = _catalogs_of(project, instances)
        if codes:
            prefetch = TablePrefetch(project, codes)
    try:
        return _build_with(project, out, instances, tree, strict, say, jobs, prefetch)
    finally:
        if prefetch is not None:
            prefetch.close()


def _catalogs_of(project: Path, ids: list[str] | None) -> list[str]:
    """The catalogs (locale codes) the instances `ids` (None: every instance) read, in their order in
    course/instances.yaml, from a quick look at it and course.yaml. Unsure (no instance file read): every
    catalog for every instance, [] for named ones; the build then reads them where it makes each variant, and
    reports there."""
    source = locales.normalize(language_of(project))
    found = locales_of(project, ids)
    if not found and ids is None:
        return sorted(p.stem for p in (project / LOCALE_DIR).glob("*.po"))
    codes = [code for locale in found for code in reversed(locales.chain(locale, source)) if code != source]
    return [code for code in dict.fromkeys(codes) if (project / LOCALE_DIR / f"{code}.po").is_file()]


def _build_with(project, out, instances, tree, strict, say, jobs, prefetch) -> BuildReport:
    say(f"Reading {project.resolve()}")
    course, warnings = load_course_with_warnings(project)
    all_instances = load_instances(project, course)
    chosen = select(all_instances, instances)
    say(
        f"Read {len(course.modules)} modules, {sum(1 for _ in course.lessons())} lessons; "
        f"{len(chosen)} instance{'s' if len(chosen) != 1 else ''} to build"
    )
    known = {i.locale for i in all_instances}
    # The checks that need no build (accessibility, assets, dates) run first; an error among them stops the build.
    diags = Findings([*warnings, *lint_course(course, [i for i in all_instances if i.enabled])], course.rules)
    diags.raise_if_errors()
    source = locales.normalize(course.language)
    # Trees are written by the workers into staging folders, moved into place only if the whole build succeeds.
    out_existed = out.exists()
    with BuildLock(out, say) as tmp:  # one build at a time from here; what a killed build left is removed
        return _write_variants(out, out_existed, tmp, chosen, course, project, known, strict, prefetch, jobs, tree,
                               say, diags, source, every_instance=instances is None)


def _write_variants(out, out_existed, tmp, chosen, course, project, known, strict, prefetch, jobs, tree, say, diags,
                    source, every_instance: bool) -> BuildReport:
    """Make each chosen instance's variant, then write its archive and tree (holding the build lock)."""
    staging = [stage_folder(out / i.archive_stem, tmp) if tree else None for i in chosen]
    context = _VariantContext(course=course, instances=chosen, project=project, known=known, strict=strict,
                              prefetch=prefetch, export_jobs=jobs if len(chosen) == 1 else 1, staging=staging)
    planned = []
    failed: dict[str, list[Diagnostic]] = {}
    try:
        # Each variant to the next free process, the translated ones in the order their catalogs are gated and the
        # source's last: it is the cheapest (no catalog, no walk), and a short last task leaves the least time in
        # which one core has work and the other none.
        order = sorted(range(len(chosen)), key=lambda k: chosen[k].locale == source)
        made = dict(zip(order, pull_map(partial(_make_variant, context), order, jobs), strict=True))
        for number, (items, summary, data) in enumerate((made[k] for k in range(len(chosen))), 1):
            instance = chosen[number - 1]
            # Each instance stands alone: an error in its variant (a catalog it reads, --strict, min_coverage)
            # keeps its own archive from being written, never another instance's.
            graded = Findings(items, course.rules).graded()
            errors = [d for d in graded if d.severity >= Severity.ERROR]
            if errors:
                failed[instance.id] = errors
                say(f"[{number}/{len(chosen)}] FAILED {instance.key} ({instance.locale}): {len(errors)} errors")
            else:
                say(f"[{number}/{len(chosen)}] made {instance.key} ({instance.locale})")
                planned.append((instance, summary, data, staging[number - 1]))
            diags.extend(d for d in graded if d.severity < Severity.ERROR)
        if not planned:
            raise OlxkitError(list(dict.fromkeys(d for errors in failed.values() for d in errors)))
    except BaseException:
        for folder in staging:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        if not out_existed:
            shutil.rmtree(tmp, ignore_errors=True)
            if out.is_dir() and not any(out.iterdir()):
                out.rmdir()
        raise
    for instance, stage in zip(chosen, staging, strict=True):
        if instance.id in failed and stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    results = []
    before = read_learners(out)
    learners = {}
    for instance, summary, data, stage in planned:
        archive = out / f"{instance.archive_stem}.tar.gz"
        say(f"Writing {archive}")
        size = write_atomic(archive, data, temp_dir=tmp)
        folder = None
        if stage is not None:
            folder = out / instance.archive_stem
            replace_folder(stage, folder)
        results.append(
            BuildResult(
                instance=instance.id,
                locale=instance.locale,
                course_key=instance.key,
                language=summary["language"],
                archive=archive,
                tree=folder,
                size=size,
                counts=summary["counts"],
                coverage=summary["coverage"],
                fallbacks=summary["fallbacks"],
                is_source=instance.locale == source,
                learner_changes=learner_changes(before[instance.id], summary["learners"])
                if instance.id in before else [],
            )
        )
        learners[instance.id] = summary["learners"]
    written = {r.instance: [r.archive.name] + ([r.tree.name] if r.tree else []) for r in results}
    # A failed instance keeps what an earlier build wrote for it.
    removed = update_manifest(out, written, every_instance=every_instance and not failed, learners=learners)
    report = BuildReport(results, diags.warnings, failed, removed)
    if failed:
        raise PartialBuildError(list(dict.fromkeys(d for errors in failed.values() for d in errors)), report)
    return report


@dataclass
class _VariantContext:
    """What every variant's worker reads (inherited through fork with the function, never pickled)."""

    course: Course
    instances: list
    project: Path
    known: set[str]
    strict: bool
    prefetch: TablePrefetch | None
    export_jobs: int
    staging: list[Path | None]


def _make_variant(ctx: _VariantContext, index: int):
    """Variant, OLX and archive bytes of one instance; runs in a worker process (fork) or inline."""
    course, instance = ctx.course, ctx.instances[index]
    diags = Findings(rules=course.rules)
    codes = locales.chain(instance.locale, course.language)
    if ctx.prefetch is not None:
        tables = ctx.prefetch.tables(codes)
    else:
        tables = load_tables(ctx.project, codes, last=len(ctx.instances) == 1)
    variant, report = make_variant(course, instance, tables, ctx.known, more=len(ctx.instances) > 1)
    del tables  # the variant holds what it uses; the export reuses the tables' memory
    if instance.locale != locales.normalize(course.language):
        diags.extend(fallback_findings(report, instance, ctx.strict))
    jobs = ctx.export_jobs
    staging = ctx.staging[index]
    learners = None
    if jobs > 1:
        # A single instance: share its lessons between processes instead (each writes its share of the tree and
        # reads its share's learner blocks: a lesson's files are all in one share).
        shares = list(parallel_map(partial(_export_share, variant, staging), [(k, jobs) for k in range(jobs)], jobs))
        olx, export_diags = merge([(share, share_diags) for share, share_diags, _blocks in shares])
        learners = merge_learner_blocks([blocks for _share, _diags, blocks in shares])
    else:
        olx, export_diags = export_olx(variant, learners=True)
    diags.extend(export_diags.items)
    if jobs <= 1 and staging is not None and not diags.errors:
        write_files(olx, staging)
    data = b"" if diags.errors else archive_bytes(olx)
    # Only what the parent reports travels back: pickling the OLX tree would cost more than making it.
    summary = {"language": variant.language, "coverage": report.coverage, "fallbacks": len(report.fell_back),
               "counts": dict(olx.counts),
               "learners": {} if diags.errors else learners if learners is not None else olx.learners}
    return diags.items, summary, data


def _export_share(variant, staging: Path | None, part: tuple[int, int]):
    share, diags = export_olx(variant, part=part, learners=True)
    diags.rules = variant.rules
    if diags.errors:
        return share, diags, {}
    if staging is not None:
        write_files(share, staging)
    return share, diags, share.learners


def load(project: str | os.PathLike = ".") -> Course:
    """Read and check a course project without building it."""
    course, _warnings = load_course_with_warnings(project)
    return course


__all__ = ["BuildResult", "BuildReport", "PartialBuildError", "build", "load", "OlxkitError"]
