"""The authoring loop (issue 14): exact messages, nothing silently wrong, and `validate` finds what stops `build`.

Each case is a mistake an instructional designer makes; every test runs the real CLI on a real project.
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import make_project, run_cli

QUIZ = "modules/01-getting-started/02-quiz.md"
FRONT = "---\ntitle: Quiz\ngraded: true\nformat: Quiz\n---\n\n## Check your understanding {#check}\n\n"


def quiz(body: str, front: str = FRONT) -> dict[str, str]:
    """A project whose graded quiz lesson is `front` followed by `body`."""
    return {QUIZ: front + body}


def findings(project) -> list[dict]:
    result = run_cli("validate", str(project), "--format", "json")
    return json.loads(result.stdout)["findings"]


def build_and_validate(project, tmp_path):
    """(build result, validate result): the same project through both commands."""
    built = run_cli("build", str(project), "-o", str(tmp_path / "out"), "-q")
    checked = run_cli("validate", str(project))
    return built, checked


# -- the crash: a YAML file of another shape --------------------------------------------------------------------

def test_updates_written_as_a_mapping_is_a_located_error(tmp_path):
    project = make_project(tmp_path / "p", {
        "course/updates.yaml": "updates:\n  - date: 2026-09-01\n    title: Welcome\n    body: Hello\n",
    })
    built, checked = build_and_validate(project, tmp_path)
    for result in (built, checked):
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output
        assert "course/updates.yaml:1:1: error[SYN004]" in result.output
        assert "a list of updates" in result.output


# -- YAML messages: the real place, and what to do ------------------------------------------------------------

PROBLEM_HEAD = "```problem\nid: q1\ntype: single-choice\nprompt: Pick one\nchoices:\n"


def test_a_de_indented_key_is_reported_at_its_own_line(tmp_path):
    body = PROBLEM_HEAD + "  - text: a\n    correct: true\n  feedback: Well done\n  - text: b\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    lines = FRONT.count("\n") + body.count("\n")
    assert lines
    feedback_line = (FRONT + body).split("\n").index("  feedback: Well done") + 1
    result = run_cli("validate", str(project))
    assert result.exit_code == 1
    assert f"{QUIZ}:{feedback_line}:3: error[YML003]" in result.output, result.output
    assert "indent" in result.output and "line " in result.output


def test_a_tab_is_named_and_replaced_by_spaces(tmp_path):
    body = "```problem\nid: q1\ntype: text\nprompt: Name it\nanswers:\n\t- unit\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    tab_line = (FRONT + body).split("\n").index("\t- unit") + 1
    result = run_cli("validate", str(project))
    assert f"{QUIZ}:{tab_line}:1: error[YML001]" in result.output, result.output
    assert "tab" in result.output and "spaces" in result.output


def test_an_unclosed_fence_is_reported_at_its_opening_line(tmp_path):
    body = ("```problem\nid: q1\ntype: text\nprompt: Name it\nanswers: [unit]\n\n"
            "## Second unit {#second}\n\nSome text.\n\n"
            "```problem\nid: q2\ntype: text\nprompt: Again\nanswers: [unit]\n```\n")
    project = make_project(tmp_path / "p", quiz(body))
    opening = FRONT.count("\n") + 1
    result = run_cli("validate", str(project))
    assert result.exit_code == 1
    assert f"{QUIZ}:{opening}:1: error[AUT001]" in result.output, result.output
    assert "not closed" in result.output and "```" in result.output


def test_an_unclosed_fence_at_the_end_of_the_lesson(tmp_path):
    body = "```problem\nid: q1\ntype: text\nprompt: Name it\nanswers: [unit]\n"
    project = make_project(tmp_path / "p", quiz(body))
    result = run_cli("validate", str(project))
    assert f"{QUIZ}:{FRONT.count(chr(10)) + 1}:1: error[AUT001]" in result.output, result.output


def test_a_colon_in_a_value_says_to_quote_it(tmp_path):
    front = "---\ntitle: Appendix: raw notes\n---\n\n## Notes {#notes}\n\nText.\n"
    project = make_project(tmp_path / "p", {"modules/01-getting-started/01-welcome.md": front})
    result = run_cli("validate", str(project))
    assert "modules/01-getting-started/01-welcome.md:2:16: error[YML002]" in result.output, result.output
    assert 'title: "Appendix: raw notes"' in result.output


def test_an_unclosed_bracket_is_reported_where_it_opens(tmp_path):
    body = "```problem\nid: q1\ntype: text\nprompt: Name it\nanswers: [unit, a unit\nexplanation: x\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    line = (FRONT + body).split("\n").index("answers: [unit, a unit") + 1
    result = run_cli("validate", str(project))
    assert f"{QUIZ}:{line}:10: error[YML004]" in result.output, result.output
    assert "`[`" in result.output and "`]`" in result.output


# -- silently accepted --------------------------------------------------------------------------------------------

def test_an_empty_choice_is_an_error(tmp_path):
    body = PROBLEM_HEAD + "  - text: a\n    correct: true\n  - text: b\n  -\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    line = (FRONT + body).split("\n").index("  -") + 1
    built, checked = build_and_validate(project, tmp_path)
    for result in (built, checked):
        assert result.exit_code == 1
        assert f"{QUIZ}:{line}:1: error[AUT002]" in result.output, result.output


def test_hints_as_one_string_is_an_error(tmp_path):
    body = "```problem\nid: q1\ntype: text\nprompt: Name it\nanswers: [unit]\nhints: Look at the heading\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    line = (FRONT + body).split("\n").index("hints: Look at the heading") + 1
    built, checked = build_and_validate(project, tmp_path)
    for result in (built, checked):
        assert result.exit_code == 1
        assert f"{QUIZ}:{line}:1: error[AUT003]" in result.output, result.output
        assert "- Look at the heading" in result.output


def test_a_quiz_due_before_the_course_starts_is_an_error(tmp_path):
    front = "---\ntitle: Quiz\ngraded: true\nformat: Quiz\ndue: 2026-08-01\n---\n\n## Check {#check}\n\n"
    body = "```problem\nid: q1\ntype: text\nprompt: Name it\nanswers: [unit]\n```\n"
    project = make_project(tmp_path / "p", quiz(body, front))
    built, checked = build_and_validate(project, tmp_path)
    for result in (built, checked):
        assert result.exit_code == 1
        assert f"{QUIZ}:5:1: error[AUT004]" in result.output, result.output
        assert "before the course starts" in result.output


# -- what stops build is found by validate --------------------------------------------------------------------

def test_an_archive_member_name_over_100_bytes_is_found_by_validate(tmp_path):
    lesson_id = "a-lesson-whose-identifier-is-long-because-the-author-described-everything-in-it"
    unit_id = "and-a-unit-whose-identifier-is-just-as-long-as-that-lesson-identifier-above-it"
    lesson = (f"---\ntitle: Welcome\nid: {lesson_id}\n---\n\n## Long {{#{unit_id}}}\n\nText.\n")
    project = make_project(tmp_path / "p", {"modules/01-getting-started/01-welcome.md": lesson})
    built, checked = build_and_validate(project, tmp_path)
    for result in (built, checked):
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output
        assert "modules/01-getting-started/01-welcome.md:6:1: error[AUT005]" in result.output, result.output
        assert "shorter" in result.output


SEEDED = {
    "updates as a mapping": {"course/updates.yaml": "updates:\n  - date: 2026-09-01\n    body: Hi\n"},
    "tab": quiz("```problem\nid: q1\ntype: text\nprompt: N\nanswers:\n\t- unit\n```\n"),
    "colon": {"modules/01-getting-started/01-welcome.md": "---\ntitle: A: b\n---\n\n## U {#u}\n\nT.\n"},
    "unclosed fence": quiz("```problem\nid: q1\ntype: text\nprompt: N\nanswers: [unit]\n"),
    "empty choice": quiz(PROBLEM_HEAD + "  - text: a\n    correct: true\n  - text: b\n  -\n```\n"),
    "hints string": quiz("```problem\nid: q1\ntype: text\nprompt: N\nanswers: [unit]\nhints: h\n```\n"),
    "due before start": quiz("```problem\nid: q1\ntype: text\nprompt: N\nanswers: [unit]\n```\n",
                             FRONT.replace("format: Quiz\n", "format: Quiz\ndue: 2026-01-01\n")),
    "section tag": quiz("<section>\n\nText in a section.\n\n</section>\n"),
    "long member name": {"modules/01-getting-started/01-welcome.md":
                         f"---\ntitle: W\nid: {'l' * 60}\n---\n\n## Long {{#{'u' * 60}}}\n\nText.\n"},
    "updates body missing": {"course/updates.yaml": "- date: 2026-09-01\n  title: Hi\n"},
    "module.yaml a list": {"modules/01-getting-started/module.yaml": "- 01-welcome.md\n"},
    "instances.yaml a scalar": {"course/instances.yaml": "italy\n"},
}


@pytest.mark.parametrize("case", sorted(SEEDED))
def test_validate_and_build_give_the_same_verdict(tmp_path, case):
    project = make_project(tmp_path / "p", SEEDED[case])
    built, checked = build_and_validate(project, tmp_path)
    assert built.exit_code == 1, built.output
    assert checked.exit_code == 1, checked.output
    assert "internal error" not in built.output + checked.output
    errors = {line.split(": error", 1)[0] for line in built.output.splitlines() if ": error[" in line}
    assert errors, built.output
    for where in errors:
        assert re.match(r".+:\d+:\d+$", where)
        assert where in checked.output, (where, checked.output)


# -- exit statuses as the README gives them ---------------------------------------------------------------------

def test_ctrl_c_exits_2_with_one_line(tmp_path):
    """Ctrl-C reaches the whole process group, as from a terminal; the build says so in one line and exits 2."""
    import os
    import signal
    import subprocess
    import sys

    from helpers import REPO, copy_course

    project = copy_course(tmp_path / "p")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # As from a terminal, whatever runs the tests: a shell's background job (`bash .ci/run &`, nohup) starts with
    # Ctrl-C ignored, its children too, and Python then never turns it into KeyboardInterrupt.
    proc = subprocess.Popen([sys.executable, "-m", "olxkit", "build", str(project), "-j", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Interrupted as soon as the course is read ("Read 8 modules, …"), while the 8 variants are being made in
        # two processes (about 0.6 s here), rather than at a fixed time after "Reading".
        lines = [proc.stderr.readline()]
        while lines[-1] and not lines[-1].strip().startswith("Read "):
            lines.append(proc.stderr.readline())
        assert lines[0].strip().startswith("Reading") and lines[-1].strip().startswith("Read "), lines
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 2, (proc.returncode, err)
    assert err.strip().splitlines()[-1] == "olxkit: interrupted", err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_olxcleaner_missing_is_a_usage_error(tmp_path):
    """`validate --olxcleaner` where the Python has no olxcleaner: exit 2 (a missing tool), not 1 (findings)."""
    import os
    import subprocess
    import sys

    from helpers import REPO

    project = make_project(tmp_path / "p", {})
    hider = tmp_path / "hide"
    hider.mkdir()
    # A package that fails to import as a missing one does: what a Python without olxcleaner sees.
    (hider / "sitecustomize.py").write_text(
        "import sys\nclass _Hide:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'olxcleaner':\n            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, _Hide())\n")
    env = {**os.environ, "PYTHONPATH": f"{hider}{os.pathsep}{REPO}"}
    done = subprocess.run([sys.executable, "-m", "olxkit", "validate", str(project), "--olxcleaner"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done
    assert done.stderr.strip() == ("olxkit: --olxcleaner needs the olxcleaner package (Studio's import validator): "
                                   "pip install olxcleaner")


# -- a tidy build folder -------------------------------------------------------------------------------------------

def _outputs(folder) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_stale_outputs_are_removed_and_nothing_else(tmp_path):
    project = make_project(tmp_path / "p", {})
    build = project / "build"
    assert run_cli("build", str(project), "-q").exit_code == 0
    assert {"MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1"} <= _outputs(build)
    # What olxkit never wrote stays, even when it looks like its output.
    (build / "notes.txt").write_text("mine")
    (build / "Kept+By+Hand.tar.gz").write_bytes(b"not olxkit's")
    (build / "published").mkdir()
    (build / "published" / "it.tar.gz").write_bytes(b"x")
    course = project / "course/course.yaml"
    course.write_text(course.read_text().replace("number: C101", "number: C102"))
    result = run_cli("build", str(project))
    assert result.exit_code == 0, result.output
    assert _outputs(build) - {".olxkit-manifest.json", ".olxkit-tmp", ".olxkit.lock"} == {
        "MyOrg+C102+2026_T1.tar.gz", "MyOrg+C102+2026_T1", "notes.txt", "Kept+By+Hand.tar.gz", "published"}
    assert "removed MyOrg+C101+2026_T1.tar.gz" in result.output
    assert (build / "published" / "it.tar.gz").read_bytes() == b"x"
    # --format json says what was removed.
    course.write_text(course.read_text().replace("number: C102", "number: C103"))
    doc = json.loads(run_cli("build", str(project), "--format", "json").stdout)
    assert sorted(doc["removed"]) == ["MyOrg+C102+2026_T1", "MyOrg+C102+2026_T1.tar.gz"]


def test_building_one_instance_keeps_the_others(tmp_path):
    project = make_project(tmp_path / "p", {"course/instances.yaml": (
        "instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: 2026_T1_IT\n")})
    assert run_cli("build", str(project), "-q").exit_code == 0, run_cli("build", str(project)).output
    assert run_cli("build", str(project), "-i", "en", "-q", "--no-tree").exit_code == 0
    left = _outputs(project / "build")
    assert {"MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1_IT.tar.gz", "MyOrg+C101+2026_T1_IT"} <= left
    assert "MyOrg+C101+2026_T1" not in left  # en's tree is no longer written: --no-tree


def test_commands_find_the_project_from_a_sub_folder(tmp_path):
    project = make_project(tmp_path / "p", {})
    inside = project / "modules" / "01-getting-started"
    built = run_cli("build", "-q", cwd=inside)
    assert built.exit_code == 0, built.output
    assert (project / "build" / "MyOrg+C101+2026_T1.tar.gz").is_file()
    assert not (inside / "build").exists()
    assert run_cli("validate", cwd=inside).exit_code == 0
    assert run_cli("validate", "course", cwd=project).exit_code == 0
    # diff --instance too: the project is found, and what it lacks is the published archive.
    diff = run_cli("diff", "--instance", "en", cwd=inside)
    assert "no course here" not in diff.output and "published" in diff.output, diff.output
    elsewhere = run_cli("build", cwd=tmp_path)
    assert elsewhere.exit_code == 1 and "no course here" in elsewhere.output


def test_new_writes_a_gitignore_that_keeps_build_out_of_git(tmp_path):
    import shutil
    import subprocess

    project = make_project(tmp_path / "p", {})
    assert "build/" in (project / ".gitignore").read_text().splitlines()
    assert run_cli("build", str(project), "-q").exit_code == 0
    if shutil.which("git") is None:
        pytest.fail("git is needed for this test")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    status = subprocess.run(["git", "-C", str(project), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status and "build/" not in status, status
    assert ".gitignore" in status


def test_pip_install_leaves_nothing_in_build(tmp_path):
    """The README's first command, for real: `pip install .` in a fresh venv; build/ holds only olxkit output."""
    import shutil
    import subprocess
    import sys

    from helpers import REPO

    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        "build", ".git", "*.egg-info", "__pycache__", ".venv", "venv", "locale", "bench", "tests", ".setuptools-build"))
    (source / "build").mkdir()
    (source / "build" / "MyOrg+C101+2026_T1.tar.gz").write_bytes(b"an earlier archive")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                           "."], cwd=source, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _outputs(source / "build") == {"MyOrg+C101+2026_T1.tar.gz"}
    listed = subprocess.run([str(venv / "bin/python"), "-c", "import importlib.metadata as m; "
                             "print('\\n'.join(str(f) for f in m.files('olxkit')))"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert "olxkit/cli.py" in listed
    assert "olxkit/reference/authoring.md" in listed  # `olxkit docs` has its reference where olxkit is installed


# -- what a rebuild changes for learners --------------------------------------------------------------------------

GRADED = ("---\ntitle: Quiz\ngraded: true\nformat: Quiz\n---\n\n## Check your understanding {#check}\n\n"
          "```problem\nid: q1\ntitle: Units\ntype: text\nprompt: What does a `##` heading start?\n"
          "answers: [unit]\n```\n\n"
          "```problem\nid: budget\ntitle: Budget\ntype: numerical\nprompt: How many euros?\nanswer: 25\n```\n\n"
          "```problem\nid: pick\ntitle: Pick one\ntype: single-choice\nprompt: Which?\nchoices:\n"
          "  - text: A\n    correct: true\n  - B\n```\n\n"
          "```problem\nid: extra\ntitle: Extra\ntype: text\nprompt: Anything?\nanswers: [yes]\n```\n")


def test_a_rebuild_says_what_changes_for_learners(tmp_path):
    project = make_project(tmp_path / "p", {QUIZ: GRADED})
    first = json.loads(run_cli("build", str(project), "--format", "json").stdout)
    assert first["archives"][0]["learner_changes"] == []
    old_tree = tmp_path / "old"
    import shutil

    shutil.copytree(project / "build" / "MyOrg+C101+2026_T1", old_tree)
    edited = (GRADED.replace("answer: 25", "answer: 20")
              .replace("id: pick\n", "id: pick-one\n")
              .replace("id: q1\ntitle: Units\ntype: text\nprompt: What does a `##` heading start?\nanswers: [unit]",
                       "id: q1\ntitle: Units\ntype: numerical\nprompt: How many `#`?\nanswer: 2")
              .split("```problem\nid: extra")[0])
    (project / QUIZ).write_text(edited)
    result = run_cli("build", str(project), "--format", "json")
    assert result.exit_code == 0, result.output
    changes = {c["block"]: c for c in json.loads(result.stdout)["archives"][0]["learner_changes"]}
    base = "problem/quiz_check_"
    assert changes[base + "budget"]["change"] == "answer"
    assert "25 → 20" in changes[base + "budget"]["message"]
    assert "past scores are not regraded" in changes[base + "budget"]["message"]
    assert changes[base + "extra"]["change"] == "removed"
    assert changes[base + "pick"]["change"] == "id" and "pick-one" in changes[base + "pick"]["message"]
    assert changes[base + "q1"]["change"] == "retyped"
    assert len(changes) == 4
    # The same in text, after each instance; an unchanged rebuild says nothing.
    (project / QUIZ).write_text(edited.replace("answer: 20", "answer: 21"))
    text = run_cli("build", str(project)).stdout
    assert "for learners, since the previous build (1):" in text and "20 → 21" in text
    assert "for learners" not in run_cli("build", str(project)).stdout
    # `olxkit diff` of the two trees names the changed graded answer and what it means.
    diff = run_cli("diff", str(old_tree), str(project / "build" / "MyOrg+C101+2026_T1"))
    assert "answer 25 → 21" in diff.stdout
    assert "past scores are not regraded" in diff.stdout


@pytest.mark.parametrize("line, where, words", [
    ("  - text: Yes: definitely", ":14:14: error[YML002]", '`text: "Yes: definitely"`'),
    ("  - text: `code` here", ":14:11: error[YML002]",
     "cannot start with a backtick (`): put the whole value in quotes"),
    ("  - text: *bold* here", ":14:11: error[YML002]", "cannot start with `*`: put the whole value in quotes"),
])
def test_a_value_yaml_cannot_read_says_to_quote_it(tmp_path, line, where, words):
    body = PROBLEM_HEAD + f"{line}\n    correct: true\n  - text: b\n```\n"
    project = make_project(tmp_path / "p", quiz(body))
    result = run_cli("validate", str(project))
    assert f"{QUIZ}{where}" in result.output and words in result.output, result.output
