"""Diagnostics: findings with a source location, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    """How bad a finding is; the order is used for sorting and thresholds."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Diagnostic:
    """One finding at a place in the course sources."""

    path: str
    """Path relative to the project root, POSIX style ("" when the finding has no file)."""
    line: int
    """1-based line, 0 when unknown."""
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""
    column: int = 0

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message, -self.severity)

    def __lt__(self, other: Diagnostic) -> bool:
        return self.sort_key() < other.sort_key()

    def location(self) -> str:
        """`path:line:col`; unknown lines and columns are given as 1 (the start of the file or line)."""
        if not self.path:
            return ""
        return f"{self.path}:{max(self.line, 1)}:{max(self.column, 1)}"

    def format(self) -> str:
        """`path:line:col: severity[code] message` — the one-line form every command prints."""
        where = self.location()
        head = f"{self.severity}[{self.code}]" if self.code else f"{self.severity}:"
        return f"{where}: {head} {self.message}" if where else f"{head} {self.message}"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": max(self.line, 1) if self.path else 0,
            "column": max(self.column, 1) if self.path else 0,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


class OlxkitError(Exception):
    """A user-facing failure: one or more error diagnostics. Never a bug in olxkit."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self):
        # Raised in a build worker, it travels back pickled: rebuild it from its findings, not its message.
        return type(self), (self.diagnostics,)


def error(path: str, line: int, message: str, code: str = "") -> OlxkitError:
    """Shortcut for raising a single error at a source location."""
    return OlxkitError(Diagnostic(path, line, message, Severity.ERROR, code))


@dataclass
class Diagnostics:
    """Collects findings while a stage runs, so a user sees all of them in one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, path: str, line: int, message: str, severity: Severity = Severity.ERROR, code: str = ""):
        self.items.append(Diagnostic(path, line, message, severity, code))

    def warn(self, path: str, line: int, message: str, code: str = ""):
        self.add(path, line, message, Severity.WARNING, code)

    def extend(self, items):
        self.items.extend(items)

    @property
    def errors(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity >= Severity.ERROR)

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted(d for d in self.items if d.severity == Severity.WARNING)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise OlxkitError(self.errors)
