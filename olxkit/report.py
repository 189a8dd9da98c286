"""How every command reports its findings: text for people, one versioned JSON document for programs
(docs/validate.schema.json), GitHub Actions annotations for CI."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .rules import BY_CODE, GROUPS, RULES

SCHEMA_VERSION = 2


def summary(findings: list[Diagnostic]) -> dict[str, int]:
    counts = Counter(str(d.severity) for d in findings)
    return {"error": counts["error"], "warning": counts["warning"], "info": counts["info"]}


def document(command: str, findings: list[Diagnostic], ok: bool | None = None, **data) -> dict:
    """The `--format json` document of `command` (schema: docs/validate.schema.json): its findings, a summary,
    whether it succeeded (default: no error among the findings), and what the command adds (`data`)."""
    counts = summary(findings)
    return {
        "version": SCHEMA_VERSION,
        "command": command,
        "ok": counts["error"] == 0 if ok is None else ok,
        "findings": [finding(d) for d in findings],
        "summary": counts,
        **data,
    }


def as_json(command: str, findings: list[Diagnostic], ok: bool | None = None, **data) -> str:
    """`document(...)` as the JSON text every command prints with --format json."""
    return json.dumps(document(command, findings, ok, **data), indent=2, ensure_ascii=False)


def finding(d: Diagnostic) -> dict:
    """One finding as JSON: path, line, column, severity, code, rule name and message (on one line).

    Paths are relative: a file outside any project (an archive given to `diff`) is named from the working folder.
    """
    message = " ".join(d.message.splitlines()) if "\n" in d.message or "\r" in d.message else d.message
    out = {**d.as_dict(), "message": message, "rule": BY_CODE[d.code].name if d.code in BY_CODE else ""}
    if os.path.isabs(out["path"]):
        try:
            out["path"] = Path(os.path.relpath(out["path"])).as_posix()
        except ValueError:  # another drive (Windows): no relative path; the name at least
            out["path"] = Path(out["path"]).name
    return out


def as_text(findings: list[Diagnostic], show_all: bool = False) -> list[str]:
    """`path:line:col: severity[code] message` for each finding (info ones only with `show_all`), then the counts."""
    lines = [d.format() for d in findings if show_all or d.severity >= Severity.WARNING]
    counts = summary(findings)
    hidden = "" if show_all or not counts["info"] else " (--all shows them)"
    lines.append(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info{hidden}")
    return lines


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in findings:
        props = [f"file={_escape_property(d.path)}"] if d.path else []
        if d.path:
            props += [f"line={max(d.line, 1)}", f"col={max(d.column, 1)}"]
        props.append(f"title={_escape_property(d.code)}")
        lines.append(f"::{kind[d.severity]} {','.join(props)}::{_escape_data(d.message)}")
    return "\n".join(lines)


def rules_markdown() -> str:
    """The rules reference made from the catalogue (`olxkit docs rules`; the repository keeps a copy, which
    tests/test_validate.py checks is current)."""
    out = [
        "# Rules",
        "",
        "Every finding of `olxkit build`, `olxkit validate` and `olxkit i18n check` has a code. Each rule has a "
        "default severity; `rules:` in course/course.yaml changes it for a code or a whole group (the longest "
        "matching prefix wins):",
        "",
        "```yaml",
        "rules:",
        "  ignore: [AST002]          # do not report unused assets",
        "  error: [ACC]              # every accessibility finding fails the build",
        "  info: [TRN005]",
        "  max_asset_mb: 20          # the AST003 limit",
        "```",
        "",
        "An error stops `olxkit build`; `olxkit validate --fail-on warning` also fails on warnings.",
        "",
    ]
    for prefix, title in GROUPS.items():
        rules = [r for r in RULES if r.code.startswith(prefix)]
        if not rules:
            continue
        out += [f"## {prefix}: {title}", "", "| Code | Name | Default | What it means |", "|---|---|---|---|"]
        out += [f"| {r.code} | `{r.name}` | {r.severity} | {r.summary} |" for r in rules]
        out.append("")
        for r in rules:
            if r.example:
                out += [f"**{r.code} example**", "", "```", r.example, "```", ""]
    return "\n".join(out).rstrip() + "\n"
