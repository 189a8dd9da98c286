"""The `olxkit serve` command (added to the main click group by olxkit/cli.py); the server is olxkit/serve/."""

from __future__ import annotations

import gc
import sys

import click

from .common import handle_errors, project_argument


def register(cli: click.Group) -> None:
    @cli.command()
    @project_argument
    @click.option("-i", "--instance", metavar="ID",
                  help="Preview only this instance (its id or locale, e.g. it or de-AT); default: every enabled one.")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on. Anything but loopback shares the preview with your network.")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
    @click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
    @handle_errors
    def serve(project, instance, host, port, open_browser):
        """Preview the course as a learner will see it, live, in every instance's language.

        Serves the outline, every unit with its components in order, the About page, Handouts and Updates of each
        enabled instance (/en/, /it/, /de-AT/…), made by the same pipeline as `olxkit build`. Problems can be
        answered and are graded as Open edX grades them. Saving a file under course/, modules/ or locale/
        reloads the open pages; a broken save shows its errors over the last version that worked.
        Ctrl-C stops the server.

        \b
        Examples:
          olxkit serve                     # the course here, at http://127.0.0.1:8000/
          olxkit serve my-course --open    # and open it in the browser
          olxkit serve -i it --port 8001   # only the Italian instance
        """
        gc.disable()  # during start-up only: serve.app.run turns it back on (see there)
        try:
            from ..serve.app import is_loopback, run
        except ImportError as exc:
            gc.enable()
            click.echo(f"olxkit serve needs the `serve` extra ({exc.name} is missing): pip install 'olxkit[serve]'",
                       err=True)
            sys.exit(2)
        if not is_loopback(host):
            click.echo(f"warning: serving on {host}: anyone who can reach this machine can see the preview "
                       "(it has no login); use the default 127.0.0.1 to keep it to yourself", err=True)
        status = run(project, instance=instance, host=host, port=port, open_browser=open_browser,
                     say=lambda msg, err=False: click.echo(msg, err=err))
        sys.exit(status)
