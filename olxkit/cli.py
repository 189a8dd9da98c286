"""The `olxkit` command line: a thin layer over the library. Exit status: 0 ok, 1 findings, 2 usage or crash."""

from __future__ import annotations

import sys

import click

from . import __version__
from .commands import docs as docs_commands
from .commands import i18n as i18n_commands
from .commands import importing as import_commands
from .commands import publish as publish_commands
from .commands import serve as serve_commands
from .commands.common import FORMATS, handle_errors, project_argument, stderr


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="olxkit")
def cli():
    """Compile a course written in Markdown and YAML into Open edX course archives (OLX).

    Start with `olxkit new my-course`, edit the files, then run `olxkit build my-course`.
    The course format: `olxkit docs` (the authoring reference, installed with olxkit).
    """


@cli.command()
@project_argument
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the archives and OLX trees [default: PROJECT/build].",
)
@click.option(
    "-i",
    "--instance",
    "instances",
    multiple=True,
    metavar="ID",
    help="Build only this instance (repeatable) [default: every enabled instance].",
)
@click.option("--strict", is_flag=True, help="Fail when any text falls back to another language (release builds).")
@click.option("--no-tree", is_flag=True, help="Write only the .tar.gz archives, not the unpacked OLX trees.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
    help="Processes to build with; 1 builds in this process. The archives are the same bytes whatever N "
    "[default: one per CPU].",
)
@click.option(
    "--format", "fmt", type=FORMATS, default="text", show_default=True, help="Summary format; json is for CI."
)
@click.option("-q", "--quiet", is_flag=True, help="Do not show progress.")
@handle_errors
def build(project, out_dir, instances, strict, no_tree, jobs, fmt, quiet):
    """Build the course in PROJECT into importable Open edX archives, one per instance.

    Reads course/course.yaml, the modules listed there, course/instances.yaml (the partner instances, each with
    its locale and course key) and the catalogs in locale/. Every instance gets
    `<org>+<number>+<run>.tar.gz` (the archive Studio imports) and the same files unpacked beside it.
    Untranslated texts fall back along de_AT → de → source language, with a warning (an error with --strict or
    below an instance's min_coverage). Every translation is checked first (as `i18n check` does); one with an
    error is not used, its text falls back, with a warning at the catalog's file:line. Errors are reported as
    `file:line: message`. An error in the sources writes nothing. An error that belongs to one instance (its
    catalog, --strict, min_coverage) fails that instance only: the others' archives are still written, and the
    exit status is 1 (0: all written; 1: an error, see which instances failed; 2: usage error or crash).
    SOURCE_DATE_EPOCH sets the time stored in the archives. Archives and trees an earlier build wrote into the
    folder and this one no longer writes are removed (nothing else is ever deleted), and each instance lists
    what changed for learners since the previous build: problems removed or retyped, ids changed, graded
    answers changed (past scores are not regraded). PROJECT may be any folder inside the project.
    """
    from .build import PartialBuildError
    from .build import build as run_build

    progress = None if quiet or fmt == "json" else (lambda msg: stderr(f"  {msg}"))
    try:
        report = run_build(
            project, out_dir, instances=list(instances) or None, tree=not no_tree, strict=strict, progress=progress,
            jobs=jobs,
        )
    except PartialBuildError as exc:
        # Some instances failed; the others' archives are written: say both, and exit 1.
        report = exc.report
        for diag in exc.diagnostics if fmt != "json" else ():
            stderr(diag.format())
    if fmt == "json":
        from .report import as_json, finding

        errors = [d for errs in report.failed.values() for d in errs]
        failed = [{"instance": name, "errors": [finding(d) for d in errs]} for name, errs in report.failed.items()]
        click.echo(as_json("build", sorted(set(report.warnings) | set(errors)),
                           archives=[r.as_dict() for r in report.results], failed=failed,
                           removed=report.removed))
        if report.failed:
            sys.exit(1)
        return
    for diag in report.warnings:
        stderr(diag.format())
    for result in report.results:
        blocks = ", ".join(f"{count} {kind}" for kind, count in sorted(result.counts.items()))
        click.echo(f"{result.course_key} [{result.instance}, {result.locale}]: {blocks}")
        extra = "" if result.is_source else f", {result.coverage:.0f}% translated"
        click.echo(f"  archive {result.archive} ({_size(result.size)}{extra})")
        if result.learner_changes:
            click.echo(f"  for learners, since the previous build ({len(result.learner_changes)}):")
            for change in result.learner_changes:
                click.echo(f"    {change['message']}")
    for name in report.removed:
        click.echo(f"  removed {name} (an earlier build's output this build no longer writes)")
    if report.warnings:
        click.echo(f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}")
    for name, errors in report.failed.items():
        stderr(f"olxkit: instance `{name}` failed ({len(errors)} error{'s' if len(errors) != 1 else ''}); its "
                "archive was not written (a previous one is left as it was)")
    if report.failed:
        stderr(f"olxkit: {len(report.failed)} of {len(report.failed) + len(report.results)} instances failed; "
                f"the other {len(report.results)} archives were written")
        sys.exit(1)


@cli.command()
@project_argument
@click.option("-i", "--instance", "instances", multiple=True, metavar="ID",
              help="Check only this instance (repeatable) [default: every enabled instance].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs (docs/validate.schema.json), github for workflow annotations.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error",
              show_default=True, help="Lowest severity that makes the exit status 1.")
@click.option("--all", "show_all", is_flag=True, help="Also print info-level findings (text and github formats).")
@click.option("--olxcleaner", is_flag=True,
              help="Also run olxcleaner (Studio's import validator; pip install olxcleaner) on every built variant.")
@handle_errors
def validate(project, instances, fmt, fail_on, show_all, olxcleaner):
    """Find everything that would break or degrade the course on any instance, before importing it.

    Checks the sources (structure, links, assets, accessibility, dates, grading, problems), every instance's
    translation (coverage, fuzzy entries, translation QA, glossary) and the OLX each instance gets (the
    structural checks of Studio's import). Each finding is `path:line:col: severity[code] message`, sorted;
    `olxkit docs rules` explains every code, and `rules:` in course/course.yaml can ignore a code or re-grade it.
    Exit status: 0 clean, 1 when a finding reaches --fail-on, 2 usage error.
    """
    from .check.validate import olxcleaner_installed
    from .check.validate import validate as run_validate
    from .diagnostics import Severity
    from .report import as_github, as_json, as_text

    if olxcleaner and not olxcleaner_installed():
        # A missing tool is a usage problem (exit 2), not a finding about the course (exit 1).
        stderr("olxkit: --olxcleaner needs the olxcleaner package (Studio's import validator): "
                "pip install olxcleaner")
        sys.exit(2)

    findings = run_validate(project, instances=list(instances) or None, olxcleaner=olxcleaner)
    if fmt == "json":
        click.echo(as_json("validate", findings))
    elif fmt == "github":
        text = as_github([d for d in findings if show_all or d.severity >= Severity.WARNING])
        if text:
            click.echo(text)
    else:
        *lines, counts = as_text(findings, show_all)
        for line in lines:
            click.echo(line)
        click.echo(counts, err=True)
    if fail_on != "never":
        threshold = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}[fail_on]
        if any(d.severity >= threshold for d in findings):
            sys.exit(1)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--title", default="My Course", show_default=True, help="Course title.")
@click.option("--org", default="MyOrg", show_default=True, help="Organisation part of the course key.")
@click.option("--number", default="C101", show_default=True, help="Course number part of the course key.")
@click.option("--run", "run_name", default="2026_T1", show_default=True, help="Run part of the course key.")
@handle_errors
def new(directory, title, org, number, run_name):
    """Create a minimal course project in DIRECTORY that builds as it is.

    DIRECTORY must not exist or be empty. The project has one module with a lesson (text, a discussion and a
    practice problem) and a graded quiz, to copy from.
    """
    from .source.scaffold import create_project

    files = create_project(directory, title=title, org=org, number=number, run=run_name)
    click.echo(f"Created {directory} ({len(files)} files). Next: olxkit build {directory}")


@cli.command("pin-ids")
@project_argument
@click.option("--check", is_flag=True, help="Only report unpinned units (exit 1 if any); change nothing.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@handle_errors
def pin_ids(project, check, fmt):
    """Write an explicit `{#id}` on every unit heading that has none.

    A unit without an explicit id takes it from its title, so renaming the unit would change its Open edX
    url_name and detach learners' progress from it. Run this once before a course goes live.
    """
    from .source.scaffold import pin_unit_ids

    changed = pin_unit_ids(project, write=not check)
    if fmt == "json":
        from .report import as_json

        click.echo(as_json("pin-ids", [], ok=not (check and changed), written=not check,
                           units=[{"path": p, "line": n, "id": i} for p, n, i in changed]))
        sys.exit(1 if check and changed else 0)
    for path, line, unit_id in changed:
        click.echo(f"{path}:{line}: {'unpinned unit, would pin' if check else 'pinned'} {{#{unit_id}}}")
    if check and changed:
        sys.exit(1)
    if not changed:
        click.echo("every unit already has an explicit id")


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


cli.add_command(docs_commands.docs)
cli.add_command(i18n_commands.i18n)
cli.add_command(import_commands.import_)
publish_commands.register(cli)
serve_commands.register(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="olxkit")
