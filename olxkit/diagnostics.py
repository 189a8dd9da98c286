"""Diagnostics: findings with a source location, the error that carries them, and `Findings`, which grades them."""

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


_LEVELS = {"ignore": None, "info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


def apply_rules(findings: list[Diagnostic], config: dict | None) -> list[Diagnostic]:
    """Re-grade or drop findings as `rules:` says; the longest matching code prefix decides."""
    if not config:
        return list(findings)
    choices: list[tuple[str, Severity | None]] = []
    for level, severity in _LEVELS.items():
        choices += [(code, severity) for code in config.get(level, [])]
    out = []
    for d in findings:
        match = max((c for c in choices if d.code.startswith(c[0])), key=lambda c: len(c[0]), default=None)
        if match is None:
            out.append(d)
        elif match[1] is not None:
            out.append(Diagnostic(d.path, d.line, d.message, match[1], d.code, d.column))
    return out


@dataclass
class Findings:
    """Every finding of one run, so a user sees all of them at once, graded in one place.

    Each finding comes with its rule's default severity (olxkit/rules.py); `rules` (course.yaml's `rules:`)
    re-grades or drops them. Everything that reads the findings (`graded()`, `errors`, `warnings`,
    `raise_if_errors`) sees them graded, so a finding the course ignores never stops a command.
    """

    items: list[Diagnostic] = field(default_factory=list)
    rules: dict | None = None

    def add(self, path: str, line: int, message: str, severity: Severity = Severity.ERROR, code: str = ""):
        self.items.append(Diagnostic(path, line, message, severity, code))

    def warn(self, path: str, line: int, message: str, code: str = ""):
        self.add(path, line, message, Severity.WARNING, code)

    def extend(self, items):
        self.items.extend(items)

    def graded(self) -> list[Diagnostic]:
        """The findings with `rules:` applied, each once, on one line, sorted."""
        out = set()
        for d in apply_rules(self.items, self.rules):
            if "\n" in d.message or "\r" in d.message:
                d = Diagnostic(d.path, d.line, " ".join(d.message.splitlines()), d.severity, d.code, d.column)
            out.add(d)
        return sorted(out)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.graded() if d.severity >= Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.graded() if d.severity == Severity.WARNING]

    def raise_if_errors(self) -> None:
        errors = self.errors
        if errors:
            raise OlxkitError(errors)
