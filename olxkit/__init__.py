"""olxkit: compile a course written in Markdown and YAML into Open edX course archives (OLX)."""

# The one place the version is written (pyproject.toml reads it); importlib.metadata would cost 20 ms a start.
__version__ = "0.1.0"

from .build import BuildResult, build, load  # noqa: E402
from .diagnostics import Diagnostic, OlxkitError, Severity  # noqa: E402

__all__ = ["__version__", "build", "load", "BuildResult", "Diagnostic", "OlxkitError", "Severity"]
