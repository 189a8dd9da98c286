"""olxkit: compile a course written in Markdown and YAML into Open edX course archives (OLX)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("olxkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from .build import BuildResult, build, load  # noqa: E402
from .diagnostics import Diagnostic, OlxkitError, Severity  # noqa: E402

__all__ = ["__version__", "build", "load", "BuildResult", "Diagnostic", "OlxkitError", "Severity"]
