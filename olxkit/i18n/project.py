"""The translator's workflow on a course project: extract, update, status, check."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..confine import check_output_folder
from ..diagnostics import Diagnostic, Findings, OlxkitError, error
from ..parallel import parallel_map, without_gc
from ..source.instances import load_instances
from ..source.loader import load_course
from ..source.project import rules_of
from . import locales
from .extract import extract_catalog, read_messages, template_text
from .pofile import parse_catalog_text, read_catalog, same_meaning, write_catalog, write_if_changed
from .variant import LOCALE_DIR, translations

if TYPE_CHECKING:
    from .catalog import UpdateStats

# The merge (difflib), the catalog checks and the gate are imported by the commands that use them: `extract`,
# the command translators run most, does not pay for them.

POT = f"{LOCALE_DIR}/course.pot"


def project_locales(root: str | os.PathLike, course=None) -> list[str]:
    """Locales that get a catalog: those of the declared instances, less the source language."""
    course = course or load_course(root, texts_only=True)
    source = locales.normalize(course.language)
    found = []
    for instance in load_instances(root, course):
        if instance.locale != source and instance.locale not in found:
            found.append(instance.locale)
    return found


@without_gc
def extract(root: str | os.PathLike, check: bool = False, jobs: int | None = None) -> tuple[int, bool]:
    """Write locale/course.pot; returns (messages, changed). With `check`, only report whether it is stale.

    `jobs`: processes that read the lessons (default: one per CPU for a large course, see `read_messages`)."""
    root = Path(root)
    course, messages = read_messages(root, jobs)
    text, count = template_text(course, messages=messages)
    path = root / POT
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current == text:
            return count, False
        try:
            return count, not same_meaning(read_catalog(path, POT), parse_catalog_text(text))
        except OlxkitError:
            return count, True
    check_output_folder(root, root / LOCALE_DIR)
    return count, write_if_changed(text, path)


@without_gc
def update(
    root: str | os.PathLike, only: list[str] | None = None, check: bool = False, jobs: int | None = None
) -> dict[str, tuple[UpdateStats, bool]]:
    """Merge the template into locale/<code>.po for every instance locale (creating missing catalogs).

    `jobs`: processes that merge the catalogs, one catalog per task (default: one per CPU)."""
    root = Path(root)
    course, messages = read_messages(root)
    pot = extract_catalog(course, messages=messages)
    codes = project_locales(root, course)
    if only:
        unknown = [c for c in only if locales.normalize(c) not in codes]
        if unknown:
            raise error(
                "course/instances.yaml", 0, f"no instance uses locale `{unknown[0]}`; locales: {', '.join(codes)}"
            )
        codes = [locales.normalize(c) for c in only]
    project = f"{course.title} ({course.org}+{course.number})"
    if not check:
        check_output_folder(root, root / LOCALE_DIR)
    # One catalog per task, in forked processes that share the template (each reads, merges and writes its own).
    merged = parallel_map(partial(_update_one, root, pot, project, check), codes, jobs)
    return dict(zip(codes, merged, strict=True))


def _update_one(root: Path, pot, project: str, check: bool, code: str) -> tuple[UpdateStats, bool]:
    from .catalog import update_catalog

    path = root / LOCALE_DIR / f"{code}.po"
    old = read_catalog(path, f"{LOCALE_DIR}/{code}.po") if path.is_file() else None
    new, stats = update_catalog(old, pot, code, project)
    if check:
        # Out of date means a different meaning, not different bytes (see `same_meaning`).
        return stats, old is None or not same_meaning(old, new)
    return stats, write_catalog(new, path)


@without_gc
def status(root: str | os.PathLike) -> list[dict]:
    """Per locale: the catalog's own counts, and the effective coverage through its fallback chain."""
    from .catalog import Coverage, coverage

    root = Path(root)
    course, messages = read_messages(root)
    pot = extract_catalog(course, messages=messages)
    keys = [(e.msgctxt or None, e.msgid) for e in pot]
    source = locales.normalize(course.language)
    rows = []
    catalogs = {}
    for code in project_locales(root, course):
        path = root / LOCALE_DIR / f"{code}.po"
        catalogs[code] = read_catalog(path, f"{LOCALE_DIR}/{code}.po") if path.is_file() else None
    for code, po in catalogs.items():
        cov = coverage(po, code) if po is not None else Coverage(code, len(keys), 0, 0, len(keys), 0, 0, 0)
        chain_tables = []
        for link in locales.chain(code, source):
            if link == source:
                break
            other = catalogs.get(link)
            if other is None and (root / LOCALE_DIR / f"{link}.po").is_file():
                other = read_catalog(root / LOCALE_DIR / f"{link}.po", f"{LOCALE_DIR}/{link}.po")
            if other is not None:
                chain_tables.append(translations(other))
        effective = sum(1 for k in keys if any(k in t for t in chain_tables))
        row = cov.as_dict()
        row["effective_percent"] = round(100.0 * effective / len(keys), 1) if keys else 100.0
        row["catalog"] = f"{LOCALE_DIR}/{code}.po" if po is not None else None
        rows.append(row)
    return rows


@without_gc
def check(root: str | os.PathLike, only: list[str] | None = None, jobs: int | None = None) -> list[Diagnostic]:
    """QA findings of every catalog (or the ones named), graded by the course's `rules:`.

    The catalogs are checked by `jobs` forked processes (default: one per CPU), one catalog per task."""
    root = Path(root)
    codes = [locales.normalize(c) for c in only] if only else project_locales(root)
    findings = Findings(rules=rules_of(root))
    for code in codes:
        rel = f"{LOCALE_DIR}/{code}.po"
        if not (root / rel).is_file():
            raise error(rel, 0, "this catalog does not exist; run `olxkit i18n update`")
    for found in parallel_map(partial(_check_catalog_file, root), codes, jobs):
        findings.extend(found)
    return findings.graded()


def _check_catalog_file(root: Path, code: str) -> list[Diagnostic]:
    from .checks import check_catalog, load_glossary
    from .gate import syntax_findings

    rel = f"{LOCALE_DIR}/{code}.po"
    syntax = syntax_findings(root / rel, rel)
    try:
        po = read_catalog(root / rel, rel)
    except OlxkitError as exc:
        if not syntax:
            raise
        return syntax + [d for d in exc.diagnostics if d.line not in {s.line for s in syntax}]
    return syntax + check_catalog(po, rel, load_glossary(root, code))
