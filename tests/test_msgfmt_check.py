"""Catalogs read as gettext reads them: whatever the real `msgfmt --check` rejects (format strings, the header,
plural forms, domains, syntax), olxkit reports as an error at the same PO file:line; what it accepts, olxkit
accepts — the repository's catalogs and olxkit's own message catalogs included."""

from __future__ import annotations

import json
import re
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from test_i18n_gate import _seed, _translated
from test_i18n_workflow import project

from olxkit.i18n.gate import syntax_findings

from helpers import REPO, run_cli

HEADER = ('msgid ""\nmsgstr ""\n"Language: it\\n"\n"MIME-Version: 1.0\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n{plural}\n')
PLURALS = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'
ENTRY = "\nmsgid \"Tell the other learners who you are\"\nmsgstr \"Racconta chi sei\"\n"

# (what, Plural-Forms header line, entries): each one a fault msgfmt --check rejects.
FAULTS = [
    ("c-format: a directive dropped", PLURALS, '#, c-format\nmsgid "%d files in %s"\nmsgstr "%d file"\n'),
    ("c-format: a directive added", PLURALS, '#, c-format\nmsgid "%d files"\nmsgstr "%d file in %s"\n'),
    ("c-format: another type", PLURALS, '#, c-format\nmsgid "%d files"\nmsgstr "%s file"\n'),
    ("c-format: broken directive", PLURALS, '#, c-format\nmsgid "%d files"\nmsgstr "%d file al 100%"\n'),
    ("python-format: a name dropped", PLURALS,
     '#, python-format\nmsgid "%(n)d files in %(dir)s"\nmsgstr "%(n)d file"\n'),
    ("python-format: a name added", PLURALS, '#, python-format\nmsgid "%(n)d files"\nmsgstr "%(n)d in %(x)s"\n'),
    ("python-format: another type", PLURALS, '#, python-format\nmsgid "%(n)d files"\nmsgstr "%(n)s file"\n'),
    ("python-format: positional dropped", PLURALS, '#, python-format\nmsgid "%d files"\nmsgstr "file"\n'),
    ("python-brace-format: a name dropped", PLURALS,
     '#, python-brace-format\nmsgid "{n} files in {dir}"\nmsgstr "{n} file"\n'),
    ("python-brace-format: a name added", PLURALS,
     '#, python-brace-format\nmsgid "{n} files"\nmsgstr "{n} file in {x}"\n'),
    ("python-brace-format: unterminated", PLURALS, '#, python-brace-format\nmsgid "{n} files"\nmsgstr "{n file"\n'),
    ("plural form without the number", PLURALS,
     '#, c-format\nmsgid "%d file"\nmsgid_plural "%d files"\nmsgstr[0] "%d file"\nmsgstr[1] "file"\n'),
    ("plural form with an extra argument", PLURALS,
     '#, c-format\nmsgid "%d file"\nmsgid_plural "%d files"\nmsgstr[0] "%d file %s"\nmsgstr[1] "%d file"\n'),
    ("plurals without Plural-Forms", "",
     'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "un file"\nmsgstr[1] "file"\n'),
    ("Plural-Forms without plural=", '"Plural-Forms: nplurals=2;\\n"',
     'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "un file"\nmsgstr[1] "file"\n'),
    ("invalid plural expression", '"Plural-Forms: nplurals=2; plural=(n !=;\\n"', ""),
    ("invalid nplurals", '"Plural-Forms: nplurals=x; plural=0;\\n"', ""),
    ("more plural forms than nplurals", PLURALS,
     'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "un file"\nmsgstr[1] "file"\nmsgstr[2] "file"\n'),
    ("fewer plural forms than nplurals", PLURALS, 'msgid "a file"\nmsgid_plural "files"\nmsgstr[0] "un file"\n'),
    ("a domain directive", PLURALS, 'domain "course"\nmsgid "b"\nmsgstr "c"\n'),
    ("an unescaped quote", PLURALS, 'msgid "b"\nmsgstr "c "d" e"\n'),
]
# Look-alikes msgfmt accepts: olxkit must accept them too.
VALID = [
    ("c-format reordered", '#, c-format\nmsgid "%1$d files in %2$s"\nmsgstr "in %2$s: %1$d file"\n'),
    ("c-format with %%", '#, c-format\nmsgid "100%% sure of %s"\nmsgstr "%s: sicuro al 100%%"\n'),
    ("python-brace-format reordered", '#, python-brace-format\nmsgid "{n} files in {dir}"\nmsgstr "{dir}: {n}"\n'),
    ("a fuzzy entry is not checked", '#, fuzzy, c-format\nmsgid "%d files"\nmsgstr "%s file"\n'),
    ("no flag, no format check", 'msgid "%d files"\nmsgstr "file"\n'),
    ("singular form without the number", '#, c-format\nmsgid "%d file"\nmsgid_plural "%d files"\n'
     'msgstr[0] "un file"\nmsgstr[1] "%d file"\n'),
]


def _msgfmt(path: Path) -> tuple[int, set[int]]:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    lines = {int(m) for m in re.findall(rf"{re.escape(path.name)}:(\d+): (?!warning)", done.stderr)}
    return done.returncode, lines


def _ours(path: Path) -> set[int]:
    return {d.line for d in syntax_findings(path, path.name) if d.severity.name == "ERROR"}


@pytest.mark.parametrize(("what", "plural", "entries"), FAULTS, ids=[f[0] for f in FAULTS])
def test_what_msgfmt_check_rejects_olxkit_reports_at_the_same_line(tmp_path, what, plural, entries):
    path = tmp_path / "it.po"
    path.write_text(HEADER.format(plural=plural) + ENTRY + "\n" + entries, encoding="utf-8")
    status, gnu = _msgfmt(path)
    assert status != 0, what
    ours = _ours(path)
    assert ours, what
    assert ours <= gnu, (what, ours, gnu)


@pytest.mark.parametrize(("what", "entries"), VALID, ids=[v[0] for v in VALID])
def test_what_msgfmt_check_accepts_olxkit_accepts(tmp_path, what, entries):
    path = tmp_path / "it.po"
    path.write_text(HEADER.format(plural=PLURALS) + ENTRY + "\n" + entries, encoding="utf-8")
    assert _msgfmt(path)[0] == 0, what
    assert not _ours(path), what


def test_a_catalog_without_header_is_rejected_by_both(tmp_path):
    path = tmp_path / "it.po"
    path.write_text(ENTRY.lstrip(), encoding="utf-8")
    assert _msgfmt(path)[0] != 0
    assert _ours(path) == {1}


def test_a_charset_other_than_utf8_is_a_warning_as_in_msgfmt(tmp_path):
    path = tmp_path / "it.po"
    path.write_text(HEADER.format(plural=PLURALS).replace("UTF-8", "ISO-8859-1") + ENTRY, encoding="utf-8")
    assert _msgfmt(path)[0] == 0
    found = syntax_findings(path, "it.po")
    assert [d.severity.name for d in found] == ["WARNING"] and "charset `ISO-8859-1`" in found[0].message


def test_every_catalog_of_the_repository_and_of_olxkit_is_accepted_by_both():
    messages = resources.files("olxkit.i18n") / "messages"
    paths = sorted((REPO / "locale").glob("*.po")) + sorted(Path(str(messages)).glob("*.po"))
    assert len(paths) >= 14
    for path in paths:
        assert _msgfmt(path)[0] == 0, path
        assert syntax_findings(path, path.name) == [], path


def _seed_format_fault(root: Path) -> Path:
    """Flag one Italian translation python-format while it holds a `%s` its source lacks: msgfmt --check rejects it."""
    po = root / "locale/it.po"
    tell = "Tell the other learners who you are and why you joined."
    _seed(po, {tell: "IT Racconta chi sei %s"})
    text = po.read_text(encoding="utf-8")
    at = text.index(f'msgid "{tell}"')
    po.write_text(text[:at] + "#, python-format\n" + text[at:], encoding="utf-8")
    return po


def test_a_format_fault_keeps_out_one_translation_and_i18n_check_reports_it(tmp_path):
    """In a course catalog: i18n check reports the fault where msgfmt does; the build does not use that one
    translation (it falls back, with a warning) and uses the rest of the catalog."""
    root = _translated(project(tmp_path))
    po = _seed_format_fault(root)
    status, gnu = _msgfmt(po)
    assert status != 0 and gnu
    check = run_cli("i18n", "check", str(root), "-l", "it")
    assert check.exit_code == 1
    ours = {int(m) for m in re.findall(r"locale/it\.po:(\d+):\d+: error\[TRN103\]", check.output)}
    assert ours and ours <= gnu, (ours, gnu, check.output)
    result = run_cli("build", str(root), "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    warned = [f for f in out["findings"] if f["code"] == "TRN101" and "TRN103" in f["message"]]
    assert warned and all(f["path"] == "locale/it.po" and f["line"] in gnu for f in warned), warned
    assert {a["instance"] for a in out["archives"]} == {"en", "it", "de", "at"}


def test_the_preview_keeps_out_and_reports_a_format_fault_as_the_build_does(tmp_path):
    """The preview's lazily gated catalog rejects the translation msgfmt faults, at msgfmt's line (TRN103)."""
    from olxkit.serve.variants import LazyTable

    root = _translated(project(tmp_path))
    po = _seed_format_fault(root)
    _status, gnu = _msgfmt(po)
    table = LazyTable(po, "locale/it.po", "it")
    faulted = [r for r in table.rejected if any(code == "TRN103" for code, _m in r.errors)]
    assert faulted and all(r.line in gnu for r in faulted), table.rejected
    assert all(table.get(r.key) is None for r in faulted)
