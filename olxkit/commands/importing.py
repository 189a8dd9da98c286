"""`olxkit import`: bring an Open edX course (a Studio export or an OLX folder) into olxkit."""

from __future__ import annotations

import json
import os

import click

from .common import FORMATS, handle_errors, stderr


@click.command("import")
@click.argument("source", type=click.Path(exists=False, path_type=str))
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default=None,
              help="Folder for the new project; absent or empty [default: the course number, in the current folder].")
@click.option("--force", is_flag=True, help="Replace the output folder if it is not empty.")
@click.option("--max-size", type=click.IntRange(min=1), default=2048, show_default=True, metavar="MB",
              help="Refuse a member, or a whole course, larger than this unpacked.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Report format; json is for CI.")
@click.option("-q", "--quiet", is_flag=True, help="Do not show progress.")
@handle_errors
def import_(source, output, force, max_size, fmt, quiet):
    """Bring an Open edX course into olxkit: SOURCE is a Studio export (.tar.gz) or an OLX folder.

    Writes a project that `olxkit build` turns back into the same course: the same blocks and url_names
    (learner data survives a re-import), settings, html, problems and files. html becomes Markdown and
    problems, videos and discussions YAML where that builds back exactly; everything else is kept as it came
    (`olx` components, files under course/olx/, pins in course/olx.yaml). The import builds its own result and
    compares it with SOURCE before anything is written. Unsafe or broken input is refused with one message and
    nothing is written. See docs/importing.md.
    """
    from ..importer import import_course

    progress = None if quiet or fmt == "json" else _progress()
    if output is None:
        output = os.path.basename(source.rstrip("/")).removesuffix(".tar.gz") or "imported-course"
    report = import_course(source, output, force=force, max_bytes=max_size << 20, progress=progress)
    if fmt == "json":
        click.echo(json.dumps({"project": str(output), **report.as_dict()}, indent=2, ensure_ascii=False))
        return
    click.echo(report.format_text())
    click.echo(f"Wrote {output}; build it with `olxkit build {output}`")


def _progress():
    """Progress on stderr: lesson counts redrawn on one line on a terminal, every tenth of the way otherwise."""
    import re
    import sys

    tty = sys.stderr.isatty()
    state = {"open": False, "shown": -1}

    def show(message: str) -> None:
        counted = re.search(r"\[(\d+)/(\d+)\]$", message)
        if counted:
            done, total = int(counted.group(1)), int(counted.group(2))
            width = 30
            bar = "#" * (width * done // total) + "." * (width - width * done // total)
            line = f"  {message[:counted.start()]}[{bar}] {done}/{total}"
            if tty:
                click.echo(f"\r{line}", err=True, nl=done == total)
                state["open"] = done != total
            elif done == total or done * 10 // total != state["shown"]:
                state["shown"] = done * 10 // total
                stderr(line)
            return
        if state["open"]:
            click.echo("", err=True)
            state["open"] = False
        stderr(f"  {message}")

    return show
