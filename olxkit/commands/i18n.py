"""`olxkit i18n`: extract, update, status and check of the translation catalogs."""

from __future__ import annotations

import sys

import click

from .common import FORMATS, handle_errors, project_argument


@click.group()
def i18n():
    """Translation catalogs: extract the template, update catalogs, report coverage, check translations.

    Translators work in locale/<locale>.po (gettext PO: Poedit, Weblate…). The workflow after editing the
    English source: `olxkit i18n extract`, `olxkit i18n update`, translate, `olxkit i18n check`, `olxkit build`.
    """


@i18n.command("extract")
@project_argument
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if locale/course.pot is out of date (for CI).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@handle_errors
def i18n_extract(project, check, fmt):
    """Write locale/course.pot: every text of the course, one message per block of prose or YAML text field."""
    from ..i18n.project import extract

    count, changed = extract(project, check=check)
    if fmt == "json":
        from ..report import as_json

        click.echo(as_json("i18n extract", [], ok=not (check and changed), template="locale/course.pot",
                           messages=count, changed=changed, written=changed and not check))
        sys.exit(1 if check and changed else 0)
    if check:
        click.echo(f"locale/course.pot is {'out of date' if changed else 'up to date'} ({count} messages)")
        sys.exit(1 if changed else 0)
    click.echo(f"locale/course.pot: {count} messages{'' if changed else ' (unchanged)'}")


@i18n.command("update")
@project_argument
@click.option("-l", "--locale", "only", multiple=True, help="Update only this locale (repeatable).")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any catalog is out of date (for CI).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@handle_errors
def i18n_update(project, only, check, fmt):
    """Merge the course's texts into locale/<locale>.po for every instance locale.

    Unchanged texts keep their translation; a changed text keeps the old translation marked fuzzy, with the
    previous source shown (#|); removed texts become obsolete (#~) and come back if the text returns.
    No translation is ever dropped.
    """
    from ..i18n.project import update

    results = update(project, list(only) or None, check=check)
    if fmt == "json":
        from ..report import as_json

        stale = any(changed for _stats, changed in results.values())
        catalogs = [{"locale": code, "catalog": f"locale/{code}.po", "changed": changed,
                     "written": changed and not check, "kept": s.kept, "revived": s.revived, "fuzzy": s.fuzzy,
                     "new": s.new, "obsolete": s.obsolete}
                    for code, (s, changed) in results.items()]
        click.echo(as_json("i18n update", [], ok=not (check and stale), catalogs=catalogs))
        sys.exit(1 if check and stale else 0)
    stale = False
    for code, (stats, changed) in results.items():
        stale |= changed
        state = ("out of date" if changed else "up to date") if check else ("updated" if changed else "unchanged")
        click.echo(
            f"locale/{code}.po: {state}; {stats.kept} kept, {stats.revived} revived, {stats.fuzzy} fuzzy, "
            f"{stats.new} new, {stats.obsolete} obsolete"
        )
    if check and stale:
        sys.exit(1)


@i18n.command("status")
@project_argument
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@handle_errors
def i18n_status(project, fmt):
    """Translated, fuzzy and untranslated messages per locale, and coverage through the fallback chain."""
    from ..i18n.project import status

    rows = status(project)
    if fmt == "json":
        from ..report import as_json

        click.echo(as_json("i18n status", [], locales=rows))
        return
    click.echo(f"{'locale':<7}{'translated':>11}{'fuzzy':>7}{'untransl.':>10}  {'':20}{'own':>7}{'effective':>10}")
    for r in rows:
        filled = round(r["percent"] / 5)
        bar = "█" * filled + "░" * (20 - filled)
        click.echo(
            f"{r['locale']:<7}{r['translated']:>11}{r['fuzzy']:>7}{r['untranslated']:>10}  {bar}"
            f"{r['percent']:>6.1f}%{r['effective_percent']:>9.1f}%"
        )


@i18n.command("check")
@project_argument
@click.option("-l", "--locale", "only", multiple=True, help="Check only this locale (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit status 1.",
)
@click.option("--all", "show_all", is_flag=True,
              help="Also print info-level findings (a translation identical to the source, other numbers).")
@handle_errors
def i18n_check(project, only, fmt, fail_on, show_all):
    """Check every translation against its source: links, images, code, math, HTML, emphasis, placeholders,
    numbers, glossary (course/glossary.yaml). Findings are `locale/xx.po:line: severity[code] message
    (source: …)`; info-level ones (often intended: a name left as it is, "the 1980s" as "the 80s") are counted,
    and printed with --all. JSON has them all."""
    from ..diagnostics import Severity
    from ..i18n.project import check
    from ..report import as_json, as_text

    findings = check(project, list(only) or None)
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    failed = any(d.severity >= threshold for d in findings)
    if fmt == "json":
        click.echo(as_json("i18n check", findings, ok=not failed))
    else:
        for line in as_text(findings, show_all):
            click.echo(line)
    threshold = Severity.ERROR if fail_on == "error" else Severity.WARNING
    if any(d.severity >= threshold for d in findings):
        sys.exit(1)
