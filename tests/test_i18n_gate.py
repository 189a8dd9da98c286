"""The build's translation gate: a translator's mistake never reaches learners, and never stops another instance."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path

import polib
from test_i18n_workflow import fill, project

from helpers import run_cli

READ = "Read **the basics** in [the welcome lesson](01-welcome.md) and see $x^2$."
TELL = "Tell the other learners who you are and why you joined."
CONTACT = "Contact: {{ contact }}"
EVERY = "Every unit has an id."
REMEMBER = "Remember"


def _seed(path: Path, seeded: dict[str, str]) -> dict[str, int]:
    """Put `seeded` msgstrs into the catalog; returns each msgid's line (as polib numbers it)."""
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if entry.msgid in seeded:
            entry.msgstr = seeded[entry.msgid]
    po.save(str(path))
    return {e.msgid: e.linenum for e in polib.pofile(str(path), wrapwidth=0) if e.msgid in seeded}


def _translated(root: Path) -> Path:
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    fill(root / "locale/it.po", lambda m: "IT " + m)
    fill(root / "locale/de.po", lambda m: "DE " + m)
    return root


def _texts(tree: Path) -> str:
    return (tree / "html/numbers_everything_text.html").read_text()


def test_a_translation_with_an_error_is_not_used_and_falls_back_with_a_warning(tmp_path):
    root = _translated(project(tmp_path))
    lines = _seed(root / "locale/it.po", {
        TELL: 'IT Racconta chi sei <script>alert("x")</script>.',          # active content
        READ: "IT Leggi **le basi** nella [lezione](01-welcome.md), vedi $x^2$. <b>Ora</b>",  # <b> added
        EVERY: "IT Ogni unità ha un id.\n",                                 # ends with \n, its source does not
        CONTACT: "IT Contatto: 12/01/2026",                                # placeholder replaced by a literal
        REMEMBER: "IT Ricorda [qui](javascript:alert(1))",                 # javascript: URL
    })
    result = run_cli("build", str(root), "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    by_id = {a["instance"]: a for a in out["archives"]}
    assert set(by_id) == {"en", "it", "de", "at"} and out["failed"] == []
    warnings = _lines(out)
    expected = {TELL: "TRN102: active", READ: "TRN102: active", EVERY: "TRN103: the source and the translation do "
                "not both end with a newline", CONTACT: "TRN003: placeholders differ", REMEMBER: "TRN102: active"}
    for msgid, reason in expected.items():
        assert any(w.startswith(f"locale/it.po:{lines[msgid]}:1: warning[TRN101] instance `it`: translation not "
                                "used (") and reason in w for w in warnings), (msgid, reason, warnings)
    assert not any("instance `de`" in w and "TRN101" in w for w in warnings)
    tree = Path(by_id["it"]["tree"])
    html = _texts(tree)
    # The rejected texts are English; the rest of the page is still Italian.
    assert "<script" not in html and "javascript:" not in html and "<b>Ora" not in html
    assert "Read <strong>the basics</strong>" in html and "Every unit has an id." in html
    assert "Contact: course@example.org" in html and "IT Term" in html
    with tarfile.open(by_id["it"]["archive"]) as tar:
        for member in tar.getmembers():
            if member.isfile():
                data = tar.extractfile(member).read()
                assert b"<script" not in data and b"javascript:" not in data, member.name
    discussion = (tree / "html/welcome_introduce-yourself_discussion-prompt.html").read_text()
    assert TELL in discussion


def test_strict_fails_only_the_instance_whose_catalog_has_the_error(tmp_path):
    root = _translated(project(tmp_path))
    fill(root / "locale/de_AT.po", lambda m: "AT " + m)
    _seed(root / "locale/it.po", {TELL: "IT Racconta <iframe src='x'></iframe> chi sei."})
    out_dir = tmp_path / "out"
    result = run_cli("build", str(root), "--strict", "-o", str(out_dir), "-q")
    assert result.exit_code == 1
    assert re.search(r"locale/it\.po:\d+:1: error\[TRN101\] instance `it`: translation not used \(TRN102: .*iframe",
                     result.stderr), result.stderr
    assert "instance `it` failed" in result.stderr and "the other 3 archives were written" in result.stderr
    written = sorted(p.name for p in out_dir.glob("*.tar.gz"))
    assert written == ["MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1_AT.tar.gz", "MyOrg+C101+2026_T1_DE.tar.gz"]
    assert not (out_dir / "MyOrg+C101+2026_T1_IT").exists()
    assert not [p for p in out_dir.glob(".*") if p.name != ".olxkit-manifest.json"], "no staging folder is left behind"
    # The JSON says the same, on stdout.
    again = run_cli("build", str(root), "--strict", "-o", str(out_dir), "-q", "--format", "json")
    assert again.exit_code == 1
    out = json.loads(again.stdout)
    assert [f["instance"] for f in out["failed"]] == ["it"] and len(out["archives"]) == 3


def test_min_coverage_fails_only_that_instance(tmp_path):
    root = _translated(project(tmp_path))
    instances = root / "course/instances.yaml"
    instances.write_text(instances.read_text().replace("    run: 2026_T1_IT\n",
                                                       "    run: 2026_T1_IT\n    min_coverage: 100\n"))
    _seed(root / "locale/it.po", {READ: "IT Leggi **le basi** nella [lezione](02-altro.md) e vedi $x^2$."})
    result = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 1
    assert "error[TRN001] instance `it`: coverage" in result.stderr
    assert "warning[TRN101] instance `it`" in result.stderr and "link targets differ" in result.stderr
    assert len(list((tmp_path / "out").glob("*.tar.gz"))) == 3


def test_a_rejected_german_text_falls_back_for_austria_too_and_names_each_instance(tmp_path):
    root = _translated(project(tmp_path))
    fill(root / "locale/de_AT.po", lambda m: "AT " + m, only=lambda e: e.msgid == EVERY)
    _seed(root / "locale/de.po", {TELL: "DE Erzähl <img src=x onerror=alert(1)> wer du bist.",
                                  EVERY: "DE Jede Einheit hat <i>eine</i> ID."})
    result = run_cli("build", str(root), "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    tell = [w for w in _lines(out) if "TRN101" in w and "onerror" in w]
    assert len(tell) == 2 and any("instance `de`" in w for w in tell) and any("instance `at`" in w for w in tell)
    # de_AT has its own translation of EVERY: the German one being rejected does not concern Austria.
    every = [w for w in _lines(out) if "TRN101" in w and "<i>" in w]
    assert len(every) == 1 and "instance `de`" in every[0]
    at = Path({a["instance"]: a for a in out["archives"]}["at"]["tree"])
    assert "AT Every unit has an id." in _texts(at)


def test_a_problem_with_a_rejected_text_falls_back_whole(tmp_path):
    root = _translated(project(tmp_path))
    _seed(root / "locale/it.po", {"Every `##` heading starts a unit.": "IT Ogni titolo `###` avvia un'unità."})
    result = run_cli("build", str(root), "-i", "it", "-q")
    assert result.exit_code == 0, result.output
    assert "code spans differ" in result.stderr and "TRN101" in result.stderr
    problem = (root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()
    assert "IT " not in problem and "What does a <code>##</code> heading start?" in problem


# Catalog syntax: what msgfmt calls fatal is an error at the same line, never silently accepted.
SYNTAX_FAULTS = {
    "unescaped quote": ('msgstr "IT Racconta chi sei"', 'msgstr "IT Racconta "chi" sei"'),
    "unknown escape": ('msgstr "IT Racconta chi sei"', 'msgstr "IT Racconta \\q chi sei"'),
    "unknown keyword": ('msgstr "IT Racconta chi sei"', 'msgstr "IT Racconta chi sei"\nmsgtsr "x"'),
    "unquoted": ('msgstr "IT Racconta chi sei"', "msgstr IT Racconta chi sei"),
}


def test_catalog_syntax_errors_are_reported_where_msgfmt_reports_them(tmp_path):
    root = _translated(project(tmp_path))
    po = root / "locale/it.po"
    _seed(po, {TELL: "IT Racconta chi sei"})
    clean = po.read_text(encoding="utf-8")
    for name, (old, new) in SYNTAX_FAULTS.items():
        assert clean.count(old) == 1
        po.write_text(clean.replace(old, new), encoding="utf-8")
        gnu = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert gnu.returncode != 0, name
        gnu_lines = {int(m) for m in re.findall(r"it\.po:(\d+):", gnu.stderr)}
        out_dir = tmp_path / name.replace(" ", "-")
        result = run_cli("build", str(root), "-o", str(out_dir), "-q")
        assert result.exit_code == 1, (name, result.output)
        ours = {int(m) for m in re.findall(r"locale/it\.po:(\d+):1: error\[TRN103\] instance `it`", result.stderr)}
        assert ours and ours <= gnu_lines, (name, ours, gnu.stderr)
        # Only the Italian instance failed; the others were written.
        assert len(list(out_dir.glob("*.tar.gz"))) == 3, name
        check = run_cli("i18n", "check", str(root), "-l", "it")
        assert check.exit_code == 1 and "locale/it.po:" in check.output, name
    # A \n at the end of the translation only: msgfmt --check rejects it, and so does olxkit.
    po.write_text(clean, encoding="utf-8")
    _seed(po, {TELL: "IT Racconta chi sei\n"})
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True).returncode != 0
    check = run_cli("i18n", "check", str(root), "-l", "it")
    assert check.exit_code == 1 and "error[TRN103]" in check.output and "end with a newline" in check.output


def _lines(doc: dict) -> list[str]:
    """The build document's warnings, each as the `path:line:col: severity[code] message` line text shows."""
    return [f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}[{f['code']}] {f['message']}"
            for f in doc["findings"] if f["severity"] == "warning"]
