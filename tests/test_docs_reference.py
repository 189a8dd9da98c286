"""The authoring reference is installed with olxkit (`olxkit docs [TOPIC]`) and documents every key the loader
accepts."""

from __future__ import annotations

import ast
import re

import pytest

from olxkit.reference import reference_text, sections

from helpers import REPO, run_cli

PACKAGE = REPO / "olxkit"


def accepted_keys() -> dict[str, set[str]]:
    """Every YAML key the loader accepts, read from its code: the arguments of each `check_keys(...)` call and the
    `*_KEYS` constants they use, by module."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id.endswith("_KEYS"):
                constants[node.targets[0].id] = node.value
        keys: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "check_keys" and node.args:
                for part in ast.walk(node.args[0]):
                    if isinstance(part, ast.Name) and part.id in constants:
                        part = constants[part.id]
                    for leaf in ast.walk(part):
                        if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                            keys.add(leaf.value)
        # Keys checked through a helper (QUESTION_KEYS[qtype], tuple(question_keys)) come from the constants.
        if keys:
            for value in constants.values():
                keys |= {leaf.value for leaf in ast.walk(value) if isinstance(leaf, ast.Constant)
                         and isinstance(leaf.value, str) and re.fullmatch(r"[a-z_]+", leaf.value)}
            found[path.relative_to(REPO).as_posix()] = keys
    return found


def test_the_loader_has_keys_to_check():
    keys = accepted_keys()
    every = set().union(*keys.values())
    # The scan sees the loader's key sets (a refactor that hides them from it must update this test).
    assert {"org", "lessons", "due", "choices", "tolerance", "youtube", "category", "date", "body", "locale",
            "min_coverage", "short_label", "max_asset_mb", "partial_credit", "wrong_answers", "terms"} <= every


def test_every_key_the_loader_accepts_is_documented():
    text = reference_text()
    missing = sorted(f"{module}: {key}" for module, keys in accepted_keys().items() for key in keys
                     if not re.search(rf"(^|\s|-\s|\{{|,\s?)({re.escape(key)}):|`{re.escape(key)}`", text, re.M))
    assert not missing, "keys the loader accepts but the authoring reference does not mention:\n" + "\n".join(missing)


@pytest.mark.parametrize("topic, words", [
    ("course.yaml", "org: SocialiMakers"),
    ("instances.yaml", "min_coverage:"),
    ("module.yaml", "lessons:"),
    ("updates", "- date:"),
    ("updates.yaml", "not a mapping under an\n`updates:` key"),
    ("about.md", "About page"),
    ("handouts", "Course handouts"),
    ("glossary", "except:"),
    ("lessons", "front matter"),
    ("problem", "#### Numerical"),
    ("numerical", "tolerance"),
    ("video", "`youtube`"),
    ("rules", "| AUT001 | `unclosed-fence` |"),
])
def test_docs_prints_a_topic(topic, words):
    result = run_cli("docs", topic)
    assert result.exit_code == 0, result.output
    assert words in result.stdout


def test_docs_lists_the_topics_and_refuses_an_unknown_one():
    listed = run_cli("docs")
    assert listed.exit_code == 0
    for name in ("course/course.yaml", "course/instances.yaml", "course/updates.yaml", "lessons", "components",
                 "problem", "course/glossary.yaml", "modules/nn-slug/module.yaml", "rules"):
        assert re.search(rf"^\s+{re.escape(name)}\b", listed.stdout, re.M), name
    unknown = run_cli("docs", "problm")
    assert unknown.exit_code == 2
    assert "no topic `problm`" in unknown.stderr and "did you mean `problem`" in unknown.stderr
    whole = run_cli("docs", "--all")
    assert whole.stdout == reference_text()


def test_sections_ignore_headings_inside_examples():
    titles = [s.title for s in sections()]
    assert "Your turn {#your-turn}" not in titles  # a `##` inside a lesson example is not a section
    assert len(titles) == len(set(titles))


def test_nothing_points_at_a_file_an_installed_olxkit_does_not_have():
    for path in PACKAGE.rglob("*.py"):
        assert "docs/authoring.md" not in path.read_text(encoding="utf-8"), path
        assert "docs/rules.md" not in path.read_text(encoding="utf-8") or path.name == "rules.py", path
