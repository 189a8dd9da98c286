"""One findings policy: `rules:` in course.yaml grades every finding of every command, the loader's included."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from helpers import REPO, copy_course, make_project, run_cli


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


FIVE_MISTAKES = """\
## Broken YAML {#broken-yaml}

```problem
id: p1
type: single-choice
prompt: [unclosed
```

## Bad video {#bad-video}

```video
youtube: not-an-id
```

## Unknown key {#unknown-key}

```problem
id: p3
type: single-choice
colour: red
prompt: Pick one
choices:
  - text: a
    correct: true
  - text: b
```

## Bad OLX {#bad-olx}

```olx
<html><p>never closed</html>
```

## Bad unit id {#Bad_Id}

Some text.

## Fine unit {#fine-unit}

This one is right.
"""


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_every_independent_mistake_of_a_lesson_is_reported(tmp_path):
    """Five mistakes in five units of one lesson: five findings, each at its own line, in one run."""
    from olxkit.diagnostics import OlxkitError
    from olxkit.source.loader import load_course

    root = make_project(tmp_path / "c", {})
    lesson = root / "modules/01-getting-started/01-welcome.md"
    text = lesson.read_text(encoding="utf-8") + "\n" + FIVE_MISTAKES
    lesson.write_text(text, encoding="utf-8")
    try:
        load_course(root)
    except OlxkitError as exc:
        found = [(d.path, d.line) for d in exc.diagnostics]
    else:
        raise AssertionError("the mistakes were not reported")
    rel = "modules/01-getting-started/01-welcome.md"
    expected = [
        (rel, _line_of(text, "prompt: [unclosed")),
        (rel, _line_of(text, "youtube: not-an-id")),
        (rel, _line_of(text, "colour: red")),
        (rel, _line_of(text, "<html><p>")),
        (rel, _line_of(text, "## Bad unit id")),
    ]
    assert len(found) == 5, found
    for (path, line), (want_path, want_line) in zip(found, expected, strict=True):
        assert path == want_path
        assert abs(line - want_line) <= 1, (found, expected)  # a YAML error may point at the line after


def test_mistakes_in_three_files_are_all_reported(tmp_path):
    extra = "---\ntitle: Extra\ngraded: true\n---\n\n## More {#more}\n\nText.\n"  # GRD006: no format
    root = make_project(tmp_path / "c", {"modules/01-getting-started/03-extra.md": extra})
    _edit(root, "modules/01-getting-started/module.yaml", "  - 02-quiz.md\n", "  - 02-quiz.md\n  - 03-extra.md\n")
    _edit(root, "modules/01-getting-started/01-welcome.md", "id: warm-up\n", "id: warm-up\ncolour: red\n")
    _edit(root, "modules/01-getting-started/02-quiz.md", "```problem\n", "```problem\nshade: blue\n")
    result = run_cli("validate", str(root), "--format", "json")
    assert result.exit_code == 1
    paths = {f["path"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert paths == {f"modules/01-getting-started/{name}" for name in ("01-welcome.md", "02-quiz.md", "03-extra.md")}


SCHEMA = json.loads((REPO / "docs/validate.schema.json").read_text(encoding="utf-8"))


def _doc(result, command: str, ok: bool) -> dict:
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert (doc["command"], doc["ok"]) == (command, ok), result.output
    assert result.exit_code == (0 if ok else 1), result.output
    return doc


def test_every_command_prints_one_versioned_json_document(tmp_path):
    """build, validate, i18n extract/update/status/check, pin-ids, new-run and diff: the same schema, with each
    finding's code, severity, path, line, column and message; a failed build prints its document too."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    root = make_project(tmp_path / "c", {"course/instances.yaml": "instances:\n  - id: en\n    locale: en\n"
                                         "  - id: it\n    locale: it\n    run: 2026_T1_IT\n"})
    out = str(tmp_path / "out")
    built = _doc(run_cli("build", str(root), "-o", out, "-q", "--format", "json"), "build", True)
    assert {a["instance"] for a in built["archives"]} == {"en", "it"}
    assert {f["code"] for f in built["findings"]} >= {"TRN002"}  # no Italian catalog yet: a warning
    _doc(run_cli("i18n", "extract", str(root), "--format", "json"), "i18n extract", True)
    update = _doc(run_cli("i18n", "update", str(root), "--format", "json"), "i18n update", True)
    assert [c["locale"] for c in update["catalogs"]] == ["it"]
    _doc(run_cli("i18n", "status", str(root), "--format", "json"), "i18n status", True)
    _doc(run_cli("i18n", "check", str(root), "--format", "json"), "i18n check", True)
    validated = _doc(run_cli("validate", str(root), "--format", "json"), "validate", True)
    assert all(set(f) >= {"code", "severity", "path", "line", "column", "message"} for f in validated["findings"])
    _doc(run_cli("pin-ids", str(root), "--check", "--format", "json"), "pin-ids", True)
    _doc(run_cli("new-run", "2026_T2", str(root), "--start", "2026-09-01", "--end", "2027-01-31", "--format",
                 "json"), "new-run", True)
    old = tmp_path / "out" / "MyOrg+C101+2026_T1.tar.gz"
    renamed = run_cli("build", str(root), "-o", str(tmp_path / "out2"), "-q", "-i", "en")
    assert renamed.exit_code == 0, renamed.output
    _doc(run_cli("diff", str(old), str(tmp_path / "out2" / "MyOrg+C101+2026_T2.tar.gz"), "--format", "json"),
         "diff", True)

    _edit(root, "modules/01-getting-started/01-welcome.md", "id: warm-up\n", "id: warm-up\ncolour: red\n")
    failed = _doc(run_cli("build", str(root), "-o", out, "-q", "--format", "json"), "build", False)
    [finding] = failed["findings"]
    assert (finding["code"], finding["severity"], finding["path"]) == (
        "SYN002", "error", "modules/01-getting-started/01-welcome.md")
    assert finding["line"] > 1 and finding["column"] == 1 and "colour" in finding["message"]
    assert failed["summary"] == {"error": 1, "warning": 0, "info": 0}


COMMANDS = {
    "build": ("build", "{root}", "-o", "{out}", "-q"),
    "validate": ("validate", "{root}"),
    "i18n extract": ("i18n", "extract", "{root}"),
    "i18n update": ("i18n", "update", "{root}"),
    "i18n status": ("i18n", "status", "{root}"),
    "i18n check": ("i18n", "check", "{root}"),
    "pin-ids": ("pin-ids", "{root}"),
    "publish": ("publish", "{root}", "--instance", "en"),
    "new-run": ("new-run", "2026 T2", "{root}", "--start", "2026-09-01", "--end", "2027-01-31"),
    "diff": ("diff", "{out}/missing.tar.gz", "{out}/other.tar.gz"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_that_fails_prints_its_findings_as_one_json_document(tmp_path, command):
    """Each command of issue 10's list, on a mistake: exit 1, one schema-valid document on stdout whose findings
    carry the mistake's code, path and line (the loader's findings included: they go through Findings too)."""
    root = make_project(tmp_path / "c", {})
    _edit(root, "modules/01-getting-started/01-welcome.md", "id: warm-up\n", "id: warm-up\ncolour: red\n")
    args = [a.format(root=root, out=tmp_path / "out") for a in COMMANDS[command]]
    doc = _doc(run_cli(*args, "--format", "json"), command, False)
    errors = [(f["code"], f["path"], f["line"]) for f in doc["findings"] if f["severity"] == "error"]
    lesson = (root / "modules/01-getting-started/01-welcome.md").read_text(encoding="utf-8")
    expected = {
        "new-run": ("SYN004", "", 0),  # the run is the mistake here: new-run does not read lessons
        # an archive outside any project: named from the working folder (paths are relative in the schema)
        "diff": ("STR001", Path(os.path.relpath(tmp_path / "out" / "missing.tar.gz")).as_posix(), 1),
    }.get(command, ("SYN002", "modules/01-getting-started/01-welcome.md",
                    lesson.splitlines().index("colour: red") + 1))
    assert errors == [expected]
    assert doc["summary"]["error"] == 1
