"""olxkit: compile a course written in Markdown and YAML into Open edX course archives (OLX).

The library API lives in the pipeline's modules: `olxkit.build.build()` and `olxkit.build.load()`,
`olxkit.i18n.project` (extract, update, status, check), `olxkit.check.validate`,
`olxkit.publish.publisher`. They are not imported here, so that a command loads only the stages it runs
(`olxkit i18n extract` never needs lxml).
"""

# The one place the version is written (pyproject.toml reads it); importlib.metadata would cost 20 ms a start.
__version__ = "0.1.0"

from .diagnostics import Diagnostic, OlxkitError, Severity  # noqa: E402

__all__ = ["__version__", "Diagnostic", "OlxkitError", "Severity"]
