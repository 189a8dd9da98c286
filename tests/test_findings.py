"""One findings policy: `rules:` in course.yaml grades every finding of every command, the loader's included."""

from __future__ import annotations

import json

from helpers import copy_course, run_cli


def _set_rules(root, rules: str) -> None:
    course = root / "course/course.yaml"
    course.write_text(course.read_text(encoding="utf-8") + f"rules:\n{rules}", encoding="utf-8")


def _edit(root, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_i18n_check_honours_ignore(tmp_path):
    root = copy_course(tmp_path / "c")
    before = json.loads(run_cli("i18n", "check", "--format", "json", str(root)).stdout)
    assert sum(f["code"] == "TRN004" for f in before["findings"]) > 0
    _set_rules(root, "  ignore: [TRN004]\n")
    after = run_cli("i18n", "check", "--format", "json", str(root))
    assert after.exit_code == 0, after.output
    assert [f for f in json.loads(after.stdout)["findings"] if f["code"] == "TRN004"] == []


def test_loader_findings_are_regraded_by_rules(tmp_path):
    """GRD002 (weights not adding up to 100) and DAT001 (end before start) come from the loader: re-graded as
    warnings, neither stops build or validate; without the rules both are errors."""
    root = copy_course(tmp_path / "c")
    _edit(root, "course/course.yaml", "      weight: 30\n", "      weight: 20\n")
    _edit(root, "course/course.yaml", "end: 2026-07-31\n", "end: 2026-01-01\n")
    failed = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q", "-j", "1", "-i", "en")
    assert failed.exit_code == 1
    assert "error[GRD002]" in failed.stderr and "error[DAT001]" in failed.stderr

    _set_rules(root, "  warning: [GRD002, DAT001]\n")
    built = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q", "-j", "1", "-i", "en")
    assert built.exit_code == 0, built.output
    assert "warning[GRD002]" in built.stdout + built.stderr and "warning[DAT001]" in built.stdout + built.stderr
    checked = run_cli("validate", str(root), "-i", "en", "--format", "json")
    codes = {(f["code"], f["severity"]) for f in json.loads(checked.stdout)["findings"]}
    assert {("GRD002", "warning"), ("DAT001", "warning")} <= codes
    assert not any(sev == "error" for code, sev in codes if code in ("GRD002", "DAT001"))
