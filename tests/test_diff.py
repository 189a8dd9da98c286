"""`olxkit diff`: two builds of the embedded course with seeded changes, and archives that must not be trusted."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from helpers import copy_course, make_project, run_cli

ARCHIVE = "SocialiMakers+SIA+2026_T1.tar.gz"
QUIZ = "modules/01-what-is-social-innovation/03-quiz.md"


def build_en(project: Path, out: Path) -> Path:
    result = run_cli("build", str(project), "-o", str(out), "--instance", "en", "--quiet")
    assert result.exit_code == 0, result.output
    return out / ARCHIVE


def seed_changes(project: Path) -> None:
    """A removed problem, a retyped question, edited prose, new grading weights and start, assets."""
    quiz = project / QUIZ
    text = quiz.read_text()
    text = re.sub(r"```problem\nid: m1-q-time-bank\n.*?```\n", "", text, flags=re.S)
    text = text.replace("id: m1-q-definition\ntitle: The BEPA definition\ntype: single-choice",
                        "id: m1-q-definition\ntitle: The BEPA definition\ntype: multiple-choice")
    text = text.replace("This quiz counts towards your grade.", "This quiz counts towards your final grade.")
    quiz.write_text(text)
    course = project / "course/course.yaml"
    course.write_text(course.read_text().replace("start: 2026-02-02", "start: 2026-02-09")
                      .replace("weight: 70", "weight: 60").replace("weight: 30", "weight: 40"))
    (project / "course/static/images/new-diagram.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    stages = project / "course/static/images/m1-six-stages.svg"
    stages.write_text(stages.read_text() + "<!-- redrawn -->\n")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The embedded course built as it is and with the seeded changes (the `en` instance)."""
    tmp = tmp_path_factory.mktemp("diff")
    old = build_en(copy_course(tmp / "old"), tmp / "old-build")
    changed = copy_course(tmp / "new")
    seed_changes(changed)
    return old, build_en(changed, tmp / "new-build")


def test_diff_of_two_builds_names_every_seeded_change(two_builds):
    old, new = two_builds
    result = run_cli("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 1, "learner-data risks make the exit status 1"
    diff = json.loads(result.stdout)
    blocks = {(b["change"], b["type"], b["url_name"]): b for b in diff["blocks"]}
    assert set(blocks) == {
        ("removed", "problem", "m1-quiz_part-1_m1-q-time-bank"),
        ("changed", "problem", "m1-quiz_part-1_m1-q-definition"),
        ("changed", "html", "m1-quiz_part-1_text"),
        ("changed", "vertical", "m1-quiz_part-1"),
    }
    assert blocks["changed", "vertical", "m1-quiz_part-1"]["details"] == ["children +0 −1"]
    assert blocks["changed", "html", "m1-quiz_part-1_text"]["details"] == ["content"]
    assert blocks["removed", "problem", "m1-quiz_part-1_m1-q-time-bank"]["parent"] == "vertical/m1-quiz_part-1"
    risks = {r["url_name"]: r["risk"] for r in diff["risks"]}
    assert risks == {
        "m1-quiz_part-1_m1-q-time-bank": "this problem is removed: learners' answers and scores on it leave the "
                                         "course",
        "m1-quiz_part-1_m1-q-definition": "its questions change (multiplechoiceresponse → choiceresponse): "
                                          "learners' saved answers no longer match them",
    }
    settings = {(s["area"], s["key"]): (s["old"], s["new"]) for s in diff["settings"]}
    assert settings == {
        ("dates", "start"): ("2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z"),
        ("grading", "Module quiz weight"): (0.7, 0.6),
        ("grading", "Final exam weight"): (0.3, 0.4),
    }
    assert diff["assets"] == {"added": ["static/images/new-diagram.svg"], "removed": [],
                              "changed": ["static/images/m1-six-stages.svg"]}
    assert diff["course_key"] == {"old": "course-v1:SocialiMakers+SIA+2026_T1"} | {
        "new": "course-v1:SocialiMakers+SIA+2026_T1"}
    assert diff["counts"]["risks"] == 2


def test_diff_text_report(two_builds):
    old, new = two_builds
    result = run_cli("diff", str(old), str(new))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{old} → {new}"
    assert "blocks: 1 removed, 3 changed" in lines
    assert '  - problem     m1-quiz_part-1_m1-q-time-bank "A time bank balance" in vertical/m1-quiz_part-1  ' \
           "[learner data]" in lines
    assert "  ~ dates: start: \"2026-02-02T00:00:00Z\" → \"2026-02-09T00:00:00Z\"" in lines
    assert "  ~ grading: Module quiz weight: 0.7 → 0.6" in lines
    assert "  + static/images/new-diagram.svg" in lines
    assert "learner-data risks: 2" in lines


def test_an_archive_and_its_own_tree_do_not_differ(two_builds):
    old, _new = two_builds
    result = run_cli("diff", str(old), str(old.with_name(ARCHIVE.removesuffix(".tar.gz"))))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "no changes"


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def _member(name: str, kind=tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("member, message", [
    (_member("../evil.xml"), "unsafe member `../evil.xml` (absolute path or `..`)"),
    (_member("/tmp/evil.xml"), "unsafe member `/tmp/evil.xml` (absolute path or `..`)"),
    (_member("course/static/x", tarfile.SYMTYPE, "/etc/passwd"), "unsafe member `course/static/x` (link)"),
    (_member("course/static/y", tarfile.LNKTYPE, "course/course.xml"), "unsafe member `course/static/y` (link)"),
    (_member("course/dev", tarfile.CHRTYPE), "unsafe member `course/dev` (device or special file)"),
])
def test_unsafe_archives_are_refused_without_extracting(tmp_path, two_builds, member, message):
    old, _new = two_builds
    course_xml = _member("course/course.xml")
    bad = _tar(tmp_path / "bad.tar.gz", [(course_xml, b'<course url_name="r" org="o" course="c"/>'),
                                         (member, b"<x/>" if member.isfile() else b"")])
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = run_cli("diff", str(old), str(bad))
    assert result.exit_code == 1
    assert f"bad.tar.gz:1:1: error[SYN001] {message}" in result.stderr
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == [bad]


def test_xml_entities_are_not_expanded(tmp_path):
    root = make_project(tmp_path / "c", {})
    assert run_cli("build", str(root), "--quiet").exit_code == 0
    tree = root / "build" / "MyOrg+C101+2026_T1"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    evil = tmp_path / "evil"
    evil.mkdir()
    for path in tree.rglob("*"):
        target = evil / path.relative_to(tree)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    chapter = next((evil / "chapter").glob("*.xml"))
    doctype = f'<!DOCTYPE chapter [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    chapter.write_text(doctype + '<chapter display_name="Getting started">&x;<sequential url_name="welcome"/>'
                       '<sequential url_name="quiz"/></chapter>\n')
    result = run_cli("diff", str(tree), str(evil), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "TOP-SECRET" not in result.output
    assert json.loads(result.stdout)["blocks"] == []
    chapter.write_text(doctype + '<chapter display_name="&x;"><sequential url_name="welcome"/></chapter>\n')
    result = run_cli("diff", str(tree), str(evil), "--format", "json")
    assert result.exit_code == 1 and "TOP-SECRET" not in result.output
    assert "getting-started.xml:2:1: error[SYN001] not well-formed XML: Attribute references external entity" \
        in result.stderr


def test_usage_errors(tmp_path):
    assert run_cli("diff", "only-one").exit_code == 2
    missing = run_cli("diff", str(tmp_path / "a.tar.gz"), str(tmp_path))
    assert missing.exit_code == 1 and "a.tar.gz:1:1: error[STR001] no such archive or folder" in missing.stderr
    nothing = run_cli("diff", "--instance", "en", str(make_project(tmp_path / "p", {})))
    assert nothing.exit_code == 1 and "nothing was published to `en` from here yet" in nothing.stderr
