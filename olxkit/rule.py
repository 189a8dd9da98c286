"""One rule of the catalogue (olxkit/rules.py): its code, name, default severity, summary and example."""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    example: str
    """A source snippet or situation that triggers the rule."""
