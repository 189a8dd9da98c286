"""The commands that take a course live: `new-run`, `diff`, `publish`, `publish-status` (docs/publishing.md)."""

from __future__ import annotations

import sys

import click

from .common import FORMATS, handle_errors, project_argument, stderr

_TIMING = [
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=900.0, show_default=True,
                 metavar="SECONDS", help="Deadline for each instance: token, upload and waiting for the import; "
                 "a server still answering then is cut off."),
    click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
                 metavar="SECONDS", help="How long one read may wait for the LMS or Studio."),
    click.option("--poll-interval", type=click.FloatRange(min=0, min_open=True), default=3.0, show_default=True,
                 metavar="SECONDS", help="First wait between two questions about an import (grows to 15 s)."),
    click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
                 help="Extra attempts when the LMS or Studio cannot be reached or answers 429/500/502/503."),
    click.option("--backoff", type=click.FloatRange(min=0), default=2.0, show_default=True, metavar="SECONDS",
                 help="Wait before the first retry; doubled for each further one (at most 60 s)."),
    click.option("--credentials", "credentials_file", type=click.Path(dir_okay=False), default=None,
                 metavar="FILE", help="YAML file of client ids and secrets, outside the repository [default: "
                 "$OLXKIT_CREDENTIALS, else ~/.config/olxkit/credentials.yaml]; the environment variables "
                 "OLXKIT_<INSTANCE>_CLIENT_ID and _CLIENT_SECRET come first."),
    click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
                 help="Build folder [default: PROJECT/build]."),
    click.option("--published-dir", type=click.Path(file_okay=False), default=None,
                 help="Where the archive last published to each instance is kept [default: OUTPUT/published]; "
                 "keep it between CI runs."),
]


def _timing_options(func):
    for option in reversed(_TIMING):
        func = option(func)
    return func


def _timing(timeout, read_timeout, poll_interval, retries, backoff):
    from ..publish.publisher import Timing

    return Timing(retries=retries, backoff=backoff, timeout=timeout, poll_interval=poll_interval,
                  read_timeout=read_timeout)


def _report(command: str, results, fmt: str, extra: dict, warnings=(), show_diff: bool = False,
            status: bool = False) -> None:
    """The per-instance table (text) or the JSON document; exit 1 when any instance is not ok."""
    from ..olx.diff import format_text

    if fmt == "json":
        from ..report import as_json

        click.echo(as_json(command, warnings, ok=all(r.ok for r in results), **extra,
                           instances=[r.as_dict() for r in results]))
    else:
        if show_diff:
            for r in results:
                if r.diff is not None:
                    click.echo(f"[{r.instance}] {format_text(r.diff)}\n")
        rows = [("instance", "course key", "result", "import task" if status else "changes since last publish")]
        for r in results:
            last = (r.state or "-") if status else (r.diff.summary() if r.diff else "-")
            rows.append((r.instance, r.course_key, r.status, last))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            click.echo("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
        for r in results:
            if r.message:
                click.echo(f"{r.instance}: {r.message}")
    if not all(r.ok for r in results):
        sys.exit(1)


def register(cli: click.Group) -> None:
    """Add the publishing commands to the `olxkit` group."""
    @cli.command("new-run")
    @click.argument("run")
    @project_argument
    @click.option("--start", required=True, metavar="DATE", help="First day of the run: YYYY-MM-DD or "
                  "YYYY-MM-DDTHH:MM[+01:00] (UTC unless an offset is given).")
    @click.option("--end", required=True, metavar="DATE", help="When the run ends (same forms as --start).")
    @click.option("-i", "--instance", "instances", multiple=True, metavar="ID",
                  help="Give only this instance the new run and dates (repeatable) [default: every instance].")
    @click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
    @handle_errors
    def new_run(run, project, start, end, instances, fmt):
        """Start a new run: set RUN and its dates in course/course.yaml and course/instances.yaml.

        For every instance (the default), course.yaml gets `run: RUN`, `start:` and `end:`; an instance with its
        own run keeps its suffix (2026_T1_IT becomes 2026_T2_IT when RUN is 2026_T2) and its own start/end get
        the new dates. With --instance, only that instance's `run:`, `start:` and `end:` are set (added to its
        entry when missing). The files are edited in place, line by line: comments, blank lines, quoting and key
        order stay as they were. Dates elsewhere that the new run leaves behind (enrollment, due dates) are
        reported as warnings. Create the run in Studio before publishing to it.
        """
        from ..publish.newrun import new_run as run_new_run

        edits, warnings = run_new_run(project, run, start, end, list(instances) or None)
        if fmt == "json":
            from ..report import as_json

            click.echo(as_json("new-run", warnings, run=run, edits=[
                {"path": e.path, "line": e.line, "key": e.key, "old": e.old, "new": e.new} for e in edits]))
            return
        for edit in edits:
            click.echo(edit.format())
        for diag in warnings:
            stderr(diag.format())
        if not edits:
            click.echo("nothing to change: the run and dates are already set")
        else:
            click.echo(f"Next: olxkit build {project}")

    @cli.command("diff")
    @click.argument("paths", nargs=-1, type=click.Path(path_type=str))
    @click.option("-i", "--instance", metavar="ID", default=None,
                  help="Compare a fresh build of this instance with the archive last published to it; PATHS is "
                  "then the project [default: .].")
    @click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
                  help="With --instance: the build folder that holds `published/` [default: PROJECT/build].")
    @click.option("--published-dir", type=click.Path(file_okay=False), default=None,
                  help="With --instance: where the published archives are kept [default: OUTPUT/published].")
    @click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
    @handle_errors
    def diff(paths, instance, out_dir, published_dir, fmt):
        """What changes from OLD to NEW: `olxkit diff OLD NEW`, or `olxkit diff --instance ID [PROJECT]`.

        OLD and NEW are course archives (.tar.gz) or unpacked OLX folders (each with course.xml). Lists blocks
        added, removed, retyped and changed (by type and url_name, with what changed), course settings (dates,
        grading), static assets and other files. A removed or retyped problem, or a problem whose questions
        change type, is a learner-data risk: Open edX keeps answers and scores by type and url_name.
        Exit status 1 when there is a learner-data risk, 0 otherwise.
        """
        from ..olx.diff import diff_paths, format_text
        from ..publish.publisher import diff_instance

        if instance is None:
            if len(paths) != 2:
                raise click.UsageError("give OLD and NEW (archives or OLX folders), or --instance ID [PROJECT]")
            result = diff_paths(*paths)
        else:
            if len(paths) > 1:
                raise click.UsageError("with --instance, give at most the project folder")
            from ..source.project import find_project

            result = diff_instance(str(find_project(paths[0] if paths else ".")), instance, out_dir, published_dir)
        if fmt == "json":
            from ..report import as_json

            click.echo(as_json("diff", [], ok=not result.risks, **result.as_dict()))
        else:
            click.echo(format_text(result))
        if result.risks:
            sys.exit(1)

    @cli.command("publish")
    @project_argument
    @click.option("-i", "--instance", "instances", multiple=True, metavar="ID",
                  help="Publish this instance (repeatable).")
    @click.option("--all", "all_instances", is_flag=True, help="Publish every enabled instance.")
    @click.option("--dry-run", is_flag=True, help="Do everything but the upload: build, compare, check the "
                  "credentials (a token is fetched), report what would be sent.")
    @click.option("--allow-removals", is_flag=True, help="Publish even when problems would be removed or retyped "
                  "(learners' answers and scores on them leave the course).")
    @click.option("--force", is_flag=True, help="Upload even when the archive is identical to the last one "
                  "published.")
    @click.option("--no-build", is_flag=True, help="Publish the archives already in the build folder as they are.")
    @click.option("--strict", is_flag=True, help="Build as `olxkit build --strict` (no untranslated text).")
    @click.option("--no-wait", is_flag=True, help="Return once Studio has accepted each upload; follow the imports "
                  "with `olxkit publish-status`.")
    @_timing_options
    @click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                  help="Report format; json is for CI (progress stays on stderr).")
    @click.option("-q", "--quiet", is_flag=True, help="Do not show progress.")
    @handle_errors
    def publish(project, instances, all_instances, dry_run, allow_removals, force, no_build, strict, no_wait,
                timeout, read_timeout, poll_interval, retries, backoff, credentials_file, out_dir, published_dir, fmt,
                quiet):
        """Build the course and import it into Studio on each instance (--instance ID… or --all).

        Per instance: compare the new archive with the one last published to it (kept in OUTPUT/published/);
        refuse when problems would be removed or retyped, unless --allow-removals; skip it when nothing changed,
        unless --force; get a JWT from the LMS (`lms_url` in course/instances.yaml) with the OAuth client of
        OLXKIT_<ID>_CLIENT_ID and OLXKIT_<ID>_CLIENT_SECRET (or --credentials); upload the archive to Studio's
        import API (`studio_url`) under a new file name; follow the import task until it Succeeded or Failed.
        Unreachable servers and 429/500/502/503 answers are retried with backoff; an upload that Studio may
        have received is never sent twice. Ends with one line per instance; exit status 1 when any instance
        failed, was refused, timed out or has an unknown outcome. Setting up an instance: docs/publishing.md.
        """
        from ..publish.publisher import Options, Publisher

        if bool(instances) == all_instances:
            raise click.UsageError("name the instances with --instance ID (repeatable), or give --all")
        say = None if quiet else stderr
        options = Options(dry_run=dry_run, allow_removals=allow_removals, force=force, wait=not no_wait,
                          timing=_timing(timeout, read_timeout, poll_interval, retries, backoff))
        publisher = Publisher(project, list(instances) or None, out_dir=out_dir, published_dir=published_dir,
                              credentials_file=credentials_file, options=options, say=say)
        results, warnings = publisher.publish(build=not no_build, strict=strict)
        if fmt != "json":
            for diag in warnings:
                stderr(diag.format())
        _report("publish", results, fmt, {"dry_run": dry_run}, warnings, show_diff=dry_run)

    @cli.command("publish-status")
    @project_argument
    @click.option("-i", "--instance", "instances", multiple=True, metavar="ID",
                  help="Only this instance (repeatable) [default: every enabled instance].")
    @click.option("--wait", is_flag=True, help="Follow open imports until they end or --timeout passes.")
    @click.option("--forget", is_flag=True, help="Drop the record of the open import without asking Studio (when "
                  "Studio no longer knows the task).")
    @_timing_options
    @click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
    @click.option("-q", "--quiet", is_flag=True, help="Do not show progress.")
    @handle_errors
    def publish_status(project, instances, wait, forget, timeout, read_timeout, poll_interval, retries, backoff,
                       credentials_file, out_dir, published_dir, fmt, quiet):
        """The state of imports that `olxkit publish` started but did not see finish (--no-wait, a timeout).

        Asks Studio about each open import task once (or until it ends, with --wait). An import that
        Succeeded becomes the instance's last published archive, the one the next publish compares with; one
        that Failed is dropped. Exit status 1 when an import failed or its state cannot be learned.
        """
        from ..publish.publisher import Options, Publisher

        options = Options(timing=_timing(timeout, read_timeout, poll_interval, retries, backoff))
        publisher = Publisher(project, list(instances) or None, out_dir=out_dir, published_dir=published_dir,
                              credentials_file=credentials_file, options=options,
                              say=None if quiet else stderr)
        _report("publish-status", publisher.check(wait=wait, forget=forget), fmt, {}, status=True)
