"""Bad input: one clear `path:line` message, exit status 1, and the previous build left as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import make_project, run_cli, run_process

LESSON = "modules/01-getting-started/01-welcome.md"
QUIZ = "modules/01-getting-started/02-quiz.md"
MODULE = "modules/01-getting-started/module.yaml"
COURSE = "course/course.yaml"


def lesson(body: str, front: str = "title: Welcome\n") -> str:
    return f"---\n{front}---\n\n{body}"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# (case id, how to break the project, expected file, expected line, expected words in the message)
CASES = [
    ("malformed-yaml", lambda r: edit(r, COURSE, "title: ", "title: [unclosed\n  x: "), COURSE, 4,
     "the `\\[` opened here is never closed"),
    ("unknown-key", lambda r: edit(r, COURSE, "self_paced: true", "self_pacd: true"), COURSE, 8,
     "unknown key `self_pacd`.*did you mean `self_paced`"),
    ("missing-required", lambda r: edit(r, COURSE, "org: MyOrg\n", ""), COURSE, 1, "missing required key `org`"),
    ("missing-front-matter-title", lambda r: edit(r, LESSON, "title: Welcome\n", "id: welcome\n"), LESSON, 2,
     "missing required key `title`"),
    ("duplicate-lesson-id", lambda r: edit(r, QUIZ, "title: Quiz\n", "title: Quiz\nid: welcome\n"), QUIZ, 1,
     "duplicate lesson id `welcome`"),
    ("duplicate-unit-id", lambda r: edit(r, LESSON, "{#introduce-yourself}", "{#what-you-will-learn}"), LESSON,
     23, "duplicate unit id `what-you-will-learn`"),
    ("lesson-listed-missing", lambda r: edit(r, MODULE, "02-quiz.md", "02-quizz.md"), MODULE, 4,
     "lesson `02-quizz.md` is listed but .* does not exist.*did you mean `02-quiz.md`"),
    ("unknown-component", lambda r: edit(r, LESSON, "```discussion", "```discusion"), LESSON, 25,
     "unknown component type `discusion`.*did you mean `discussion`"),
    ("bad-yaml-in-component", lambda r: edit(r, LESSON, "prompt: Which heading", "prompt: [Which heading"),
     LESSON, 14, "the `\\[` opened here is never closed"),
    ("missing-image", lambda r: edit(r, LESSON, "Each `##` heading",
                       "![A diagram](../../course/static/nope.png)\n\nEach `##` heading"),
     LESSON, 7, "missing image `course/static/nope.png`"),
    ("link-missing-lesson", lambda r: edit(r, LESSON, "Each `##` heading",
                       "See [next](03-nothing.md).\n\nEach `##` heading"),
     LESSON, 7, "no lesson `modules/01-getting-started/03-nothing.md`"),
    ("link-missing-unit", lambda r: edit(r, LESSON, "Each `##` heading",
                       "See [quiz](02-quiz.md#nope).\n\nEach `##` heading"),
     LESSON, 7, "has no unit with id `nope`"),
    ("asset-escapes", lambda r: edit(r, LESSON, "Each `##` heading",
                       "[pw](../../../../etc/passwd)\n\nEach `##` heading"),
     LESSON, 7, "outside the course folder"),
    ("asset-absolute", lambda r: edit(r, LESSON, "Each `##` heading", "![pw](/etc/passwd)\n\nEach `##` heading"),
     LESSON, 7, "absolute path outside the course"),
    ("olx-not-well-formed", lambda r: edit(r, QUIZ, "```problem",
                       "```olx\n<drag-and-drop-v2 url_name=\"dnd\">\n```\n\n```problem"),
     QUIZ, 10, "not well-formed XML"),
    ("image-without-alt", lambda r: edit(r, LESSON, "Each `##` heading",
                       "![](../../course/static/card.png)\n\nEach `##` heading"),
     LESSON, 7, "image without alt text"),
    ("prose-before-first-unit", lambda r: edit(r, LESSON, "## What you will learn", "Intro.\n\n## What you will learn"),
     LESSON, 5, "text before the first `##`"),
    ("boolean-field-not-boolean", lambda r: edit(r, COURSE, "self_paced: true", "self_paced: Yes"), COURSE, 8,
     "`self_paced` must be true or false"),
    ("bad-date", lambda r: edit(r, COURSE, "start: 2026-09-01", "start: 2026-13-01"), COURSE, 6, "is not a date"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_one_located_error_and_keeps_previous_build(tmp_path, case):
    _name, breaker, rel, line, pattern = case
    root = make_project(tmp_path / "course", {"course/static/card.png": "x"})
    out = tmp_path / "out"
    first = run_cli("build", str(root), "-o", str(out), "-q")
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    breaker(root)
    result = run_cli("build", str(root), "-o", str(out), "-q")
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if " error[" in ln]
    assert len(errors) == 1, result.stderr
    # YAML errors point at the column too; every other error at the line.
    assert re.match(rf"{re.escape(rel)}:{line}:\d+: error\[", errors[0]), errors[0]
    assert re.search(pattern, errors[0]), errors[0]
    assert "Traceback" not in result.output
    assert snapshot(out) == before, "a failed build must not touch the previous output"


def test_file_that_is_not_utf8(tmp_path):
    root = make_project(tmp_path / "c", {})
    path = root / LESSON
    path.write_bytes(path.read_bytes().replace(b"Each `##`", "Caf\u00e9 `##`".encode("latin-1")))
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 1
    expected = rf"^{re.escape(LESSON)}:7:1: error\[SYN001\] this file is not UTF-8"
    assert re.search(expected, result.stderr, re.M), result.stderr


def test_unlisted_lesson_is_a_warning_not_an_error(tmp_path):
    root = make_project(tmp_path / "c", {"modules/01-getting-started/03-draft.md": lesson("## Draft\n\nSoon.\n")})
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 0, result.output
    assert "modules/01-getting-started/03-draft.md:1:1: warning[STR002] this lesson is not listed" in result.stderr


def test_yaml_words_that_look_like_booleans_or_numbers_stay_text(tmp_path):
    root = make_project(tmp_path / "c", {})
    edit(root, LESSON, "title: Welcome", "title: Yes")
    edit(root, MODULE, "title: Getting started", "title: 1.0")
    edit(root, LESSON, '  - text: "`#`"', "  - text: No\n  - text: On")
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 0, result.output
    tree = root / "build" / "MyOrg+C101+2026_T1"
    assert 'display_name="Yes"' in (tree / "sequential/welcome.xml").read_text()
    assert 'display_name="1.0"' in (tree / "chapter/getting-started.xml").read_text()
    problem = (tree / "problem/welcome_what-you-will-learn_warm-up.xml").read_text()
    assert '<choice correct="false">No</choice>' in problem
    assert '<choice correct="false">On</choice>' in problem


def test_several_errors_are_all_reported(tmp_path):
    root = make_project(tmp_path / "c", {})
    edit(root, LESSON, "title: Welcome", "title: Welcome\nduee: 2026-01-01")
    edit(root, QUIZ, "```problem", "```olx\n<a>\n```\n\n```problem")
    result = run_cli("build", str(root), "-q")
    assert result.exit_code == 1
    assert "unknown key `duee`" in result.stderr and "not well-formed XML" in result.stderr
    assert "2 errors" in result.stderr


def test_errors_from_the_installed_command(tmp_path):
    """The console entry point itself prints no traceback and exits 1."""
    root = make_project(tmp_path / "c", {})
    edit(root, COURSE, "run: 2026_T1", "run: 2026 T1")
    done = run_process("build", str(root))
    assert done.returncode == 1
    assert done.stderr.count("\n") >= 1 and "Traceback" not in done.stderr
    assert "course/course.yaml:3:1: error[SYN004] `run: 2026 T1` may use only letters" in done.stderr


def test_missing_project_is_a_clear_error(tmp_path):
    (tmp_path / "nowhere").mkdir()  # a folder that is not a course (one that does not exist: exit 2)
    result = run_cli("build", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "has no course/course.yaml" in result.stderr


def test_a_repeated_problem_text_with_a_broken_link_is_reported_at_each_place(tmp_path):
    """Problem texts without links are rendered once per build and reused; texts with links never are,
    since each place must report its own broken link."""
    root = make_project(tmp_path / "c", {})
    quiz = root / QUIZ
    broken = "explanation: Read [the unit](01-welcome.md#no-such-unit) again."
    problem = quiz.read_text(encoding="utf-8").split("```problem", 1)[1]
    problem = re.sub(r"^explanation: .*$", broken, problem, flags=re.M)
    second = problem.replace("id: q1", "id: q2")
    quiz.write_text(lesson(f"## Check {{#check}}\n\n```problem{problem}\n```problem{second}", "title: Quiz\n"),
                    encoding="utf-8")
    result = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if " error[" in ln and "no-such-unit" in ln]
    assert len(errors) == 2 and len({e.split(":")[1] for e in errors}) == 2, result.stderr
