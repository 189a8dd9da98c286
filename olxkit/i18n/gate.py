"""The build's translation gate: every translation is checked before a variant may use it.

A catalog is read as gettext reads it (`pofile.scan_translations`); a catalog with a syntax error is not used at
all. Each translation then goes through the errors of `i18n check` (`checks.gate_errors`); one with an error is
left out of the table, so that its text falls back along the chain (de_AT → de → source) exactly as an
untranslated one does, and a problem with such a text falls back whole. What was left out, and why, travels
with the table, for the build to report at the catalog's file:line for each instance that would have used it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polib

from ..diagnostics import Diagnostic, OlxkitError, Severity
from .checks import gate_rejections
from .msgfmt import format_problems
from .pofile import scan_translations

Key = tuple[str | None, str]

CHECK = True
"""False only to measure what the gate costs (bench/i18n_bench.py): translations are then used unchecked."""


@dataclass(frozen=True)
class Rejection:
    """A translation the gate did not let through."""

    key: Key
    line: int
    errors: tuple[tuple[str, str], ...]
    """(rule code, message) of each error found"""


class CatalogTable(dict):
    """Usable translations of one catalog, (msgctxt, msgid) → msgstr, after the gate.

    `rel` is the catalog's project-relative path; `rejected` what the gate kept out; `syntax` the (line, message,
    rule code) of each error that keeps the whole catalog from being read: a catalog with one is empty (gettext
    would not compile it either).
    """

    def __init__(self, data=(), rel: str = "", rejected=(), syntax=()):
        super().__init__(data)
        self.rel = rel
        self.rejected: list[Rejection] = list(rejected)
        self.syntax: list[tuple[int, str, str]] = list(syntax)

    def __reduce__(self):
        # Tables travel between processes (the prefetch, the workers): keep what the gate found with them.
        return type(self), (dict(self), self.rel, self.rejected, self.syntax)


def gate(items, rel: str, locale: str, lines: dict[Key, int], entry_errors=()) -> CatalogTable:
    """The gated table of `items` ((key, msgstr) pairs) of the catalog `rel` in `locale`; `entry_errors` are the
    (line, key, message) of translations the catalog's reading already kept out (`Scan.entry_errors`)."""
    table = CatalogTable(rel=rel)
    table.rejected.extend(Rejection(key, line, (("TRN103", message),)) for line, key, message in entry_errors)
    table.update(items)
    if not CHECK:
        return table
    # gate_rejections gives its whole list before any key is deleted: the table's own items serve as its input.
    for key, errors in gate_rejections(table.items(), locale):
        table.rejected.append(Rejection(key, lines.get(key, 0), tuple(errors)))
        del table[key]
    return table


def read_gated(path: str | os.PathLike, rel: str, code: str) -> CatalogTable:
    """Read the catalog `path` (`rel` in messages) for locale `code` and pass it through the gate."""
    try:
        scan = scan_translations(path, rel)
    except OlxkitError as exc:  # not UTF-8: the catalog is not used, its instances fail, the others do not
        return CatalogTable(rel=rel, syntax=[(d.line, d.message, d.code) for d in exc.diagnostics])
    if scan.syntax:
        return CatalogTable(rel=rel, syntax=[(line, message, "TRN103") for line, message in sorted(scan.syntax)])
    return gate(scan.table.items(), rel, scan.language or code, scan.lines, scan.entry_errors)


def gate_catalog(po: polib.POFile, rel: str, code: str) -> CatalogTable:
    """As `read_gated`, for a catalog already read with polib (validate reads catalogs that way)."""
    items, lines, kept_out = [], {}, []
    for e in po:
        if e.msgid and e.msgstr and not e.obsolete and "fuzzy" not in e.flags:
            key = (e.msgctxt or None, e.msgid)
            problems = format_problems(e.flags, e.msgid, e.msgstr) if e.flags else ()
            if problems:
                kept_out.append((e.linenum or 0, key, problems[0]))
                continue
            items.append((key, e.msgstr))
            lines[key] = e.linenum or 0
    return gate(items, rel, po.metadata.get("Language") or Path(rel).stem or code, lines, kept_out)


def syntax_findings(path: str | os.PathLike, rel: str) -> list[Diagnostic]:
    """TRN103: what gettext (`msgfmt --check`) finds fatal in the catalog at `path` (errors: its syntax, its
    header, and each translation's format strings) and what it warns about (warnings)."""
    scan = scan_translations(path, rel)
    out = [Diagnostic(rel, line, f"this catalog cannot be read as gettext reads it: {message}", Severity.ERROR,
                      "TRN103") for line, message in scan.syntax]
    out += [Diagnostic(rel, line, f"{message}; msgfmt --check rejects the catalog", Severity.ERROR, "TRN103")
            for line, _key, message in scan.entry_errors]
    out += [Diagnostic(rel, line, message, Severity.WARNING, "TRN103") for line, message in scan.warnings]
    return out


def forget_sources() -> None:
    """Drop what the checks memoised about the source texts (`checks`, `shape`, `numbers`): a build that has
    gated the one catalog it reads has no more use for it, and its variant and export can reuse that memory
    (tens of MB at 20,000 components). The next gate memoises afresh."""
    from . import checks, numbers, shape

    for module in (checks, numbers, shape):
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == module.__name__ and hasattr(value, "cache_clear"):
                value.cache_clear()
