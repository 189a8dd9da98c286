"""The CI gate (`i18n update --check`) survives the tools translators really use: GNU msgcat and msgmerge, Poedit,
Weblate. It compares catalogs by meaning, and `update` keeps every header field those tools write."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
from test_i18n_workflow import fill, project

from helpers import run_cli


def _run(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _header_fields(path: Path, fields: dict[str, str]) -> None:
    """What a save in Poedit or Weblate does to the header: fields added or changed, the rest kept."""
    po = polib.pofile(str(path), wrapwidth=0)
    po.metadata.update(fields)
    po.wrapwidth = 78  # Poedit wraps at 79 columns, as GNU gettext does
    po.save(str(path))


def _translated(tmp_path: Path) -> Path:
    root = project(tmp_path)
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    fill(root / "locale/it.po", lambda m: "IT " + m + " " + "parole " * 12)  # long enough to be wrapped
    fill(root / "locale/de.po", lambda m: "DE " + m + " " + "Wörter " * 12)
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    assert run_cli("i18n", "update", str(root), "--check").exit_code == 0
    return root


def test_catalogs_saved_by_real_tools_pass_the_check_and_keep_their_header(tmp_path):
    root = _translated(tmp_path)
    it, de, at = (root / f"locale/{c}.po" for c in ("it", "de", "de_AT"))
    pristine = {p: p.read_bytes() for p in (it, de, at)}
    _run("msgcat", "-o", str(it), str(it))                       # GNU gettext, wrapped at 79 columns
    _run("msgcat", "--no-wrap", "--sort-output", "-o", str(at), str(at))  # another order, no wrapping
    _header_fields(de, {"X-Generator": "Poedit 3.4.2", "PO-Revision-Date": "2026-12-01 10:00+0100",
                        "Last-Translator": "Anna Bauer <anna@example.de>", "X-Poedit-SourceCharset": "UTF-8"})
    assert all(p.read_bytes() != pristine[p] for p in (it, de, at)), "the tools changed every file's bytes"
    result = run_cli("i18n", "update", str(root), "--check")
    assert result.exit_code == 0, result.output
    assert result.output.count("up to date") == 3
    # `update` keeps what the tools wrote in the header, and normalises the rest.
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    header = polib.pofile(str(de)).metadata
    assert header["X-Generator"] == "Poedit 3.4.2" and header["X-Poedit-SourceCharset"] == "UTF-8"
    assert header["Last-Translator"] == "Anna Bauer <anna@example.de>"
    assert header["PO-Revision-Date"] == "2026-12-01 10:00+0100"
    assert it.read_bytes() == pristine[it] and at.read_bytes() == pristine[at]
    assert run_cli("i18n", "update", str(root), "--check").exit_code == 0


def test_a_weblate_save_and_a_gnu_msgmerge_pass_and_real_changes_still_fail(tmp_path):
    root = _translated(tmp_path)
    it, de = root / "locale/it.po", root / "locale/de.po"
    pot = root / "locale/course.pot"
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    # Weblate: its own header fields, lines wrapped at 77 (po_line_wrap).
    _header_fields(it, {"X-Generator": "Weblate 5.8", "PO-Revision-Date": "2026-12-02 08:00+0000",
                        "Language-Team": "Italian <https://hosted.weblate.org/projects/sia/course/it/>"})
    _run("msgcat", "--width=77", "-o", str(it), str(it))
    # GNU msgmerge with --previous, as a translator would run it by hand.
    _run("msgmerge", "--quiet", "--previous", "-o", str(de), str(de), str(pot))
    result = run_cli("i18n", "update", str(root), "--check")
    assert result.exit_code == 0, result.output
    # A real change is still caught, however the file was saved: a translation edited is fine (it is the
    # translator's work), but a source text that changed makes every catalog out of date.
    lesson = root / "modules/01-getting-started/01-welcome.md"
    lesson.write_text(lesson.read_text().replace("## What you will learn", "## What you will learn here"))
    stale = run_cli("i18n", "update", str(root), "--check")
    assert stale.exit_code == 1
    assert re.search(r"locale/it\.po: out of date; \d+ kept, 0 revived, 1 fuzzy", stale.output), stale.output
    # A catalog whose flags or comments differ from what update would write is out of date too.
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(it), wrapwidth=0)
    entry = next(e for e in po if e.msgid == "What you will learn here")
    entry.flags.remove("fuzzy")  # the translator's review, as Poedit does it: the flag and the #| lines go
    entry.previous_msgid = entry.previous_msgctxt = None
    po.save(str(it))
    assert run_cli("i18n", "update", str(root), "--check").exit_code == 0  # the translator's review: kept
    entry.comment = "edited by hand"
    po.save(str(it))
    assert run_cli("i18n", "update", str(root), "--check").exit_code == 1


def test_extract_check_compares_the_template_by_meaning_too(tmp_path):
    root = _translated(tmp_path)
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    pot = root / "locale/course.pot"
    shutil.copy(pot, tmp_path / "before.pot")
    _run("msgcat", "-o", str(pot), str(pot))
    assert pot.read_bytes() != (tmp_path / "before.pot").read_bytes()
    assert run_cli("i18n", "extract", str(root), "--check").exit_code == 0
