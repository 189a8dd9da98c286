"""`olxkit import`: an Open edX course export → an olxkit project that builds back into the same course.

    from olxkit.importer import import_course
    report = import_course("course.tar.gz", "my-course")

The source is read in memory and checked (importer.safe), read as Studio's importer reads it (importer.olx),
written as a project (importer.project), then built and compared with the export block by block: what does not
come back the same is kept as it came, and the attributes and policy fields that differ are pinned in
course/olx.yaml. The project appears at the output only when all of that succeeded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..diagnostics import OlxkitError
from ..fsio import replace_folder
from .olx import OlxCourse, read_olx
from .plan import Plan, dump_yaml
from .project import new_writer
from .report import ImportReport, make_report
from .safe import MAX_BYTES, Refused, SourceFiles, read_source, refuse
from .verify import compare


def import_course(
    source: str | os.PathLike,
    output: str | os.PathLike,
    *,
    force: bool = False,
    max_bytes: int = MAX_BYTES,
    progress=None,
) -> ImportReport:
    """Import the export at `source` into a new project at `output`; raise OlxkitError (nothing written) if not."""
    say = progress or (lambda _msg: None)
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise refuse(str(out), "the output exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise refuse(str(out), "the output folder is not empty; name a new folder, or add --force to replace it")
    say(f"Reading {source}")
    files = read_source(source, max_bytes, progress=say)
    olx = read_olx(files)
    say(f"Read {sum(1 for _ in olx.blocks())} blocks")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.import.", dir=out.parent))
    try:
        plan = Plan(olx)
        project, result = _converge(plan, work, say)
        report = make_report(plan, files, result)
        replace_folder(project, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _converge(plan: Plan, work: Path, say):
    """Write the project, build it once and compare it with the export block by block.

    Blocks that do not come back the same are then kept as they came, and the project is written again: a
    block kept as it came is its own file, so that second writing needs no second build.
    """
    from ..build import build

    project = work / "project"
    files = new_writer(plan, project, say).write()
    _write_project(project, files, plan, pins=False)
    say("Checking the round trip: building the project and comparing it with the export")
    try:
        result = build(project, work / "build", tree=False, progress=lambda msg: say(f"build: {msg}"))
    except OlxkitError as exc:
        raise OlxkitError([_as_import_error(d) for d in exc.diagnostics]) from None
    rebuilt = read_olx(read_source(result.results[0].archive))
    raw_before, kept_before = set(plan.raw), set(plan.kept_files)
    compare(plan.course, rebuilt, plan)
    if plan.raw != raw_before or plan.kept_files != kept_before:
        say(f"{len(plan.raw - raw_before) + len(plan.kept_files - kept_before)} blocks or files do not come back "
            "the same: keeping them as they came")
        shutil.rmtree(project)
        files = new_writer(plan, project, say).write()
    else:
        files = {}  # written already; only olx.yaml gains the pins
    _write_project(project, files, plan, pins=True)
    return project, rebuilt


def _as_import_error(diag):
    from ..diagnostics import Diagnostic

    return Diagnostic(diag.path, diag.line, f"the imported project does not build: {diag.message}",
                      diag.severity, "IMP009")


def _write_project(root: Path, files: dict[str, bytes], plan: Plan, pins: bool) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    overlay: dict = {}
    if plan.names:
        overlay["names"] = dict(sorted(plan.names.items()))
    if pins:
        if plan.attributes:
            overlay["attributes"] = dict(sorted(plan.attributes.items()))
        if plan.policy:
            overlay["policy"] = plan.policy
        if plan.grading is not None:
            overlay["grading"] = plan.grading
    if plan.course.course_children:
        overlay["course_children"] = plan.course.course_children
    if not plan.html_lang:
        overlay["html_lang"] = False
    if overlay:
        header = ("# Kept by `olxkit import` from the original export: what the Markdown and YAML cannot say.\n"
                  "# names: url_names pinned to the original ones (learner data stays with them); attributes:\n"
                  "# OLX attributes per block; policy/grading: policy.json fields. See docs/importing.md.\n")
        (root / "course").mkdir(parents=True, exist_ok=True)
        (root / "course" / "olx.yaml").write_bytes((header + dump_yaml(overlay)).encode("utf-8"))


__all__ = ["import_course", "ImportReport", "Refused", "SourceFiles", "OlxCourse", "read_source", "read_olx"]
