"""`olxkit validate`: every problem an instance would hit, found before import, at the author's line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from ..diagnostics import Diagnostic, Findings, OlxkitError, Severity
from ..i18n import locales
from ..i18n.checks import check_catalog, load_glossary
from ..i18n.gate import gate_catalog, syntax_findings
from ..i18n.pofile import read_catalog
from ..i18n.variant import LOCALE_DIR, existing_catalogs, fallback_findings, make_variant
from ..model import Course, Instance
from ..olx.archive import write_files
from ..olx.read import ALLOWED_CHILDREN, Loaded, empty_inline, html_path, parse_xml, walk_course
from ..olx_export import OlxTree, export_olx
from ..parallel import parallel_map, without_gc
from ..source.instances import INSTANCES_FILE, load_instances, select
from ..source.loader import load_course_with_warnings
from .lint import lint_course


def olx_gate(tree: OlxTree) -> list[Diagnostic]:
    """The structural checks Studio's import applies to an OLX tree (what olxcleaner's loading step rejects),
    on the blocks as olx/read.py's `walk_course` reads any OLX (the reader `olxkit diff` uses too)."""
    out: list[Diagnostic] = []
    seen: dict[str, str] = {}

    def fail(olx_path: str, message: str, code: str = "OLX001"):
        src, line = tree.origins.get(olx_path, (olx_path, 1))
        out.append(Diagnostic(src, line, f"{message} (in the OLX: {olx_path})", Severity.ERROR, code))

    def visit(block: Loaded) -> bool:
        tag, name, parent = block.tag, block.url_name, block.parent
        if parent is not None:
            allowed = ALLOWED_CHILDREN.get(parent.tag)
            if allowed is not None and tag not in allowed and tag != "wiki":
                fail(block.where, f"<{tag}> cannot be a child of <{parent.tag}>")
            if name:
                if name in seen and seen[name] != tag:
                    fail(block.where, f"url_name `{name}` is used by a <{seen[name]}> and a <{tag}>", "STR005")
                seen.setdefault(name, tag)
        if block.missing:
            fail(block.where, f"<{tag} url_name=\"{name}\"> points to {block.missing}, which is missing")
            return False
        if block.error:
            fail(block.file or block.where, block.error)
            return False
        element = block.element
        if block.file is None:
            if parent is not None and empty_inline(element):
                fail(block.where, f"<{tag} url_name=\"{name}\"> has other attributes, so Open edX reads it as an "
                     "empty inline block instead of loading its file")
            return True
        if element.tag != tag:
            fail(block.file, f"the root element is <{element.tag}>, not <{tag}>")
        html = html_path(element)
        if html and html not in tree.files:
            fail(block.file, f"{html} is missing")
        return True

    if "course.xml" not in tree.files:
        return [Diagnostic("course/course.yaml", 1, "no course.xml in the OLX", Severity.ERROR, "OLX001")]
    run = parse_xml(tree.files["course.xml"]).get("url_name")
    for name in (f"policies/{run}/policy.json", f"policies/{run}/grading_policy.json"):
        if name not in tree.files:
            fail("course.xml", f"{name} is missing")
    walk_course(tree.files, visit)
    return out


def olxcleaner_installed() -> bool:
    """Whether the Python running olxkit can run olxcleaner (looked up in another process: it is GPL)."""
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('olxcleaner') is None)"
    try:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def run_olxcleaner(tree: OlxTree) -> list[Diagnostic]:
    """Run olxcleaner (Studio's import validator, GPL: run in its own process, never imported) on `tree`."""
    with tempfile.TemporaryDirectory() as tmp:
        write_files(tree, Path(tmp))
        code = (
            "import json, sys, olxcleaner\n"
            "course, errors, names = olxcleaner.validate(sys.argv[1], steps=8, ignore=[], allowed_xblocks=None)\n"
            # CourseError.level is the level's name (a str, such as 'ERROR'), not the ErrorLevel enum.
            "print(json.dumps([{'level': str(getattr(e.level, 'name', e.level)), 'name': type(e).__name__,"
            " 'file': e.filename, 'text': e.description} for e in errors.errors]))\n"
        )
        done = subprocess.run([sys.executable, "-c", code, tmp], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        if "No module named 'olxcleaner'" in done.stderr:
            raise OlxkitError(Diagnostic("", 0, "--olxcleaner needs the olxcleaner package: pip install olxcleaner",
                                         Severity.ERROR, "INT001"))
        # One line (the exception olxcleaner ended with), so the finding stays one `path:line: …` line.
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise OlxkitError(Diagnostic("", 0, f"olxcleaner failed: {last[-300:]}", Severity.ERROR, "INT001"))
    out = []
    for item in json.loads(done.stdout or "[]"):
        severity = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING}.get(item["level"], Severity.INFO)
        src, line = tree.origins.get(item["file"] or "", ("course/course.yaml", 1))
        out.append(Diagnostic(src, line, f"olxcleaner {item['name']}: {item['text']} (in the OLX: {item['file']})",
                              severity, "OLX100"))
    return out


@without_gc
def validate(project: str | os.PathLike = ".", *, instances: list[str] | None = None,
             olxcleaner: bool = False, jobs: int | None = None) -> list[Diagnostic]:
    """Every finding for the course in `project`, for each of its instances, sorted, with `rules:` applied.

    The sources are read once; each catalog's checks and gate, then each instance's variant, are worked out by
    `jobs` processes (default: one per CPU), forked so that they share that parse."""
    try:
        course, warnings = load_course_with_warnings(project)
    except OlxkitError as exc:
        return _finish(exc.diagnostics, {})
    findings: list[Diagnostic] = list(warnings)
    try:
        all_instances = load_instances(project, course)
        chosen = select(all_instances, instances)
    except OlxkitError as exc:
        return _finish(exc.diagnostics + findings, course.rules)
    findings += _guarded("accessibility, asset and date", lint_course, course, [i for i in all_instances if i.enabled])
    source = locales.normalize(course.language)
    known = {i.locale for i in all_instances}
    codes = sorted({c for i in chosen for c in locales.chain(i.locale, source)})
    # First each catalog, in the process that checks it: its own checks, then the gate the variants read it
    # through (the translations' parses memoised by the checks serve the gate). It is read there and let go
    # before the next: held all at once, as polib entries (about 2 KB each), the catalogs were most of
    # validate's memory (1.6 of 2.2 GB at 20,000 components), and past a couple of GB each new page costs the
    # kernel several times more. Then each instance's variant, with the gated tables (no catalog is gated
    # twice, by de and de_AT). Each round's tasks are dealt out in turn to forked processes that share the
    # parse of the course (nothing is pickled on the way in).
    present = [code for code, _path, _rel in existing_catalogs(project, codes)]
    checked = set(_catalogs_to_check(course, chosen, present))
    context = _Context(project, course, chosen, {}, known, olxcleaner)
    tables, catalog_findings, unreadable = {}, [], []
    for code, (found, table) in zip(present, _in_shares(partial(_catalog_task, context, checked), present, jobs),
                                    strict=True):
        if table is None:
            unreadable += found
        else:
            catalog_findings += found
            tables[code] = table
    if unreadable:
        return _finish(findings + unreadable, course.rules)
    findings += catalog_findings
    context = replace(context, catalogs=tables)
    for found in _in_shares(partial(_instance_task, context), range(len(chosen)), jobs):
        findings += found
    return _finish(findings, course.rules)


def _in_shares(work, tasks: list, jobs: int | None) -> list:
    """`work` of each task, in order, computed by `jobs` forked processes (this one computes the first share)."""
    tasks = list(tasks)
    if not tasks:
        return []
    jobs = max(1, min(len(tasks), jobs if jobs is not None else os.cpu_count() or 1))
    shares = list(parallel_map(partial(_run_share, work, tasks, jobs), range(jobs), jobs))
    out = [None] * len(tasks)
    for k, share in enumerate(shares):
        out[k::jobs] = share
    return out


@dataclass
class _Context:
    project: str | os.PathLike
    course: Course
    chosen: list[Instance]
    catalogs: dict
    known: set[str]
    olxcleaner: bool


def _run_share(work, tasks: list, jobs: int, k: int) -> list:
    return [work(task) for task in tasks[k::jobs]]


def _catalog_task(ctx: _Context, checked: set[str], code: str):
    """One catalog, read here: its findings (when its own entries are checked) and its table through the gate;
    or, when it cannot be read, its errors and None."""
    rel = f"{LOCALE_DIR}/{code}.po"
    try:
        po = read_catalog(Path(ctx.project) / rel, rel)
    except OlxkitError as exc:
        # A catalog polib cannot read: an unreadable file (its error carries no code of its own).
        return [d if d.code else replace(d, code="SYN001") for d in exc.diagnostics], None
    found = []
    if code in checked:
        found = _guarded(f"catalog `{rel}`", _catalog_findings, ctx.project, code, po)
    return found, gate_catalog(po, rel, code)


def _instance_task(ctx: _Context, index: int) -> list[Diagnostic]:
    instance = ctx.chosen[index]
    return _guarded(f"instance `{instance.id}`", _instance_findings, ctx.project, ctx.course, instance,
                    ctx.catalogs, ctx.known, ctx.olxcleaner)


def _catalogs_to_check(course, chosen, catalogs) -> list[str]:
    """The catalogs whose own entries are checked: those on the chain of a translated instance, when it has any
    catalog of its own (or speaks a variant of the source language)."""
    source = locales.normalize(course.language)
    out: list[str] = []
    for instance in chosen:
        if instance.locale == source or not _has_catalog(instance, source, catalogs):
            continue
        chain = locales.chain(instance.locale, instance.locale)
        out += [code for code in chain if code in catalogs and code not in out]
    return out


def _has_catalog(instance, source: str, catalogs) -> bool:
    own = [code for code in locales.chain(instance.locale, source) if code != source]
    return any(code in catalogs for code in own) or instance.locale.split("_")[0] == source.split("_")[0]


def _catalog_findings(project, code: str, po) -> list[Diagnostic]:
    catalog_rel = f"{LOCALE_DIR}/{code}.po"
    # A worker process checks several catalogs: the source texts' inventories, memoised, serve them all.
    out = list(syntax_findings(Path(project) / catalog_rel, catalog_rel))
    out += check_catalog(po, catalog_rel, load_glossary(project, code))
    for entry in po:
        if "fuzzy" in entry.flags and not entry.obsolete and entry.msgid:
            out.append(Diagnostic(catalog_rel, entry.linenum or 1, "fuzzy translation: the source changed; review "
                                  "it and remove the fuzzy flag", Severity.WARNING, "TRN002"))
    return out


def _finish(findings: list[Diagnostic], rules: dict) -> list[Diagnostic]:
    """`rules:` applied, one line each, the same finding from several instances once, sorted."""
    return Findings(findings, rules).graded()


def _instance_findings(project, course, instance, catalogs, known, olxcleaner: bool):
    """The findings one instance adds: its translation, the OLX it gets, Studio's gate on that OLX."""
    findings: list[Diagnostic] = []
    variant, report = make_variant(course, instance, catalogs, known)
    if instance.locale != locales.normalize(course.language):
        findings += _translation_findings(course, instance, report, catalogs)
    tree, diags = export_olx(variant)
    findings += diags.items
    if not diags.errors:
        findings += olx_gate(tree)
        if olxcleaner:
            findings += _guarded("olxcleaner", run_olxcleaner, tree)
    return findings


def _guarded(what: str, check, *args) -> list[Diagnostic]:
    """Run one group of checks: its errors (a malformed glossary, olxcleaner missing…) become findings, and a
    crash becomes an INT001 finding instead of hiding what the other checks find."""
    try:
        return check(*args)
    except OlxkitError as exc:
        return list(exc.diagnostics)
    except Exception as exc:  # a bug in olxkit: report it as a finding, go on with the other checks
        if os.environ.get("OLXKIT_DEBUG"):
            traceback.print_exc()
        return [Diagnostic("", 0, f"the {what} checks crashed ({type(exc).__name__}: {exc}); please report it "
                           "(OLXKIT_DEBUG=1 shows the traceback)", Severity.ERROR, "INT001")]


def _translation_findings(course, instance, report, catalogs) -> list[Diagnostic]:
    """What the instance's variant says about its translation (the catalogs' own checks are separate tasks)."""
    rel = f"{LOCALE_DIR}/{instance.locale}.po"
    source = locales.normalize(course.language)
    if not _has_catalog(instance, source, catalogs):
        # No catalog at all on the instance's chain: make_variant counts nothing as fallen back (it reports 100%),
        # yet every text is in the source language.
        out = [Diagnostic(INSTANCES_FILE, instance.line, f"instance `{instance.id}` has no catalog ({rel}): "
                          f"all its texts fall back to `{source}`; run `olxkit i18n update`", Severity.WARNING,
                          "TRN002")]
        if instance.min_coverage > 0:
            out.append(Diagnostic(INSTANCES_FILE, instance.line, f"instance `{instance.id}`: coverage 0% is below "
                                  f"its min_coverage of {instance.min_coverage:g}% ({rel} is missing)",
                                  Severity.ERROR, "TRN001"))
        return out
    return fallback_findings(report, instance)
