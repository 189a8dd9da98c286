"""Any YAML of any shape in any YAML place of a project gives findings at file:line, never an internal error.

The class of bug behind `updates.yaml` written as a mapping (an internal error): a loader that assumed a shape.
Hypothesis replaces a whole YAML file (or front matter, or problem block), or the value of one of its keys, with
valid YAML of another shape — mapping, list, scalar, null, nested — with known and random keys, then runs
`validate` and `build`. Example counts are modest: the machine is shared.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import make_project, run_cli

WELCOME = "modules/01-getting-started/01-welcome.md"
QUIZ = "modules/01-getting-started/02-quiz.md"
INSTANCES = "instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: 2026_T1_IT\n"
GLOSSARY = "terms:\n  - en: unit\n    it: unità\n"
UPDATES = "- date: 2026-09-01\n  title: Welcome\n  body: The course opens today.\n"
KNOWN = ["title", "id", "org", "number", "run", "start", "end", "modules", "lessons", "instances", "locale", "date",
         "body", "terms", "en", "type", "choices", "answers", "text", "correct", "hints", "grading", "assignments",
         "weight", "pass", "about", "rules", "texts", "problems", "enrollment", "graded", "format", "due", "questions"]

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=8)
keys = st.one_of(st.sampled_from(KNOWN), words)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, width=16),
                    words, st.sampled_from(["2026-09-01", "yes", "", "1.0", "en", "it"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=8)
# Where YAML lives in a project: (name, how to read the current YAML text, how to write new YAML text back).
PLACES = ["course/course.yaml", "course/instances.yaml", "modules/01-getting-started/module.yaml",
          "course/updates.yaml", "course/glossary.yaml", "front matter", "problem block"]


def _split_quiz(text: str) -> tuple[str, str, str]:
    head, _fence, rest = text.partition("```problem\n")
    body, _close, tail = rest.partition("```\n")
    return head, body, tail


def read_place(root, place) -> str:
    if place == "front matter":
        return (root / WELCOME).read_text().split("---\n")[1]
    if place == "problem block":
        return _split_quiz((root / QUIZ).read_text())[1]
    return (root / place).read_text()


def write_place(root, place, text: str) -> None:
    if place == "front matter":
        parts = (root / WELCOME).read_text().split("---\n", 2)
        (root / WELCOME).write_text(f"---\n{text}---\n{parts[2]}")
    elif place == "problem block":
        head, _body, tail = _split_quiz((root / QUIZ).read_text())
        (root / QUIZ).write_text(f"{head}```problem\n{text}```\n{tail}")
    else:
        (root / place).write_text(text)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes") / "base"
    make_project(root, {"course/instances.yaml": INSTANCES, "course/glossary.yaml": GLOSSARY,
                        "course/updates.yaml": UPDATES})
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    assert run_cli("validate", str(root)).exit_code in (0, 1)
    return root


def _located(output: str) -> None:
    assert "internal error" not in output and "Traceback" not in output, output
    assert "INT001" not in output, output


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=values, whole=st.booleans(), which=st.integers(0, 50))
@example(place="course/updates.yaml", value={"updates": [{"date": "2026-09-01", "body": "Hi"}]}, whole=True, which=0)
@example(place="course/instances.yaml", value="italy", whole=True, which=0)
@example(place="problem block", value={"choices": {"a": 1}}, whole=False, which=0)
def test_any_yaml_shape_gives_located_findings(base, tmp_path_factory, place, value, whole, which):
    root = tmp_path_factory.mktemp("shape") / "p"
    shutil.copytree(base, root)
    original = yaml.safe_load(read_place(root, place))
    if whole or not isinstance(original, (dict, list)) or not original:
        data = value
    else:
        data = original
        target = data if isinstance(data, dict) else data[which % len(data)]
        if isinstance(target, dict) and target:
            key = sorted(target)[which % len(target)]
            target[key] = value
        else:
            data = value
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_place(root, place, text)

    checked = run_cli("validate", str(root), "--format", "json")
    _located(checked.output)
    assert checked.exit_code in (0, 1), checked.output
    doc = json.loads(checked.stdout)
    for finding in doc["findings"]:
        if finding["severity"] == "error":
            assert finding["path"] and finding["line"] >= 1, (place, text, finding)
    built = run_cli("build", str(root), "-o", str(root / "out"), "-q", "-j", "1")
    _located(built.output)
    assert built.exit_code in (0, 1), built.output
    errors = [line for line in built.output.splitlines() if ": error[" in line]
    if built.exit_code == 1:
        assert errors, built.output
        for line in errors:
            where = line.split(": error[", 1)[0]
            assert where.count(":") >= 2 and where.split(":")[-2].isdigit(), line
    if place != "course/glossary.yaml":  # the glossary is translation QA: validate and i18n check read it, build not
        assert (built.exit_code == 1) == (doc["summary"]["error"] > 0), (place, text, built.output, doc["summary"])
