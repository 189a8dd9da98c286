"""What every command shares: the output formats, stderr, and the one way errors become exit statuses."""

from __future__ import annotations

import functools
import os
import sys
import traceback

import click

from ..diagnostics import OlxkitError

FORMATS = click.Choice(["text", "json"])


def stderr(message: str) -> None:
    click.echo(message, err=True)


def _find_project(_ctx, _param, value: str) -> str:
    """PROJECT from any of its sub-folders, as git finds its repository."""
    from ..source.project import find_project

    found = find_project(value)
    return value if str(found) == value else str(found)


project_argument = click.argument("project", default=".", type=click.Path(file_okay=False, exists=True, path_type=str),
                                  callback=_find_project)
"""The PROJECT argument of every command that works on a course project (default: the one around `.`)."""


def command_name() -> str:
    """The running command as the JSON documents name it: `build`, `i18n check`…"""
    ctx = click.get_current_context(silent=True)
    return ctx.command_path.partition(" ")[2] if ctx else ""


def handle_errors(func):
    """Turn user mistakes into one line each (exit 1) and crashes into a short report (exit 2)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OlxkitError as exc:
            for diag in exc.diagnostics:
                stderr(diag.format())
            count = len(exc.diagnostics)
            stderr(f"olxkit: {count} error{'s' if count != 1 else ''}; nothing was written")
            if kwargs.get("fmt") == "json":
                # A program reading the JSON gets the failure too, in the same document as a success.
                from ..report import as_json

                click.echo(as_json(command_name(), exc.diagnostics))
            sys.exit(1)
        except KeyboardInterrupt:
            # Outputs are written to a temporary name and renamed, so what is in place is whole, old or new.
            stderr("olxkit: interrupted")
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`olxkit … | head`): not an error worth a message.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:
            stderr(f"olxkit: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
            sys.exit(2)
        except Exception as exc:  # a bug in olxkit, not the user's fault
            if os.environ.get("OLXKIT_DEBUG"):
                traceback.print_exc()
            stderr(
                f"olxkit: internal error: {type(exc).__name__}: {exc}. Please report it "
                "(set OLXKIT_DEBUG=1 to see the traceback)"
            )
            sys.exit(2)

    return wrapper
