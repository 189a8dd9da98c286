"""Context a translator can act on: references at each field's own line, problems named, answers as a list a
language may make longer or shorter, YAML texts that can be re-wrapped, and catalogs migrated without a loss."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from test_i18n_workflow import project

from olxkit.i18n.catalog import update_catalog

from helpers import REPO, run_cli

QUIZ = """\
---
title: Quiz
graded: true
format: Quiz
---

## Check your understanding {#check}

```problem
id: q1
title: Units
type: text
prompt: What does a `##` heading start? (one word)
answers: [unit, a unit]
wrong_answers:
  - answer: lesson
    feedback: A lesson is the file; each `##` heading starts a unit within it.
hints:
  - Look at the heading level.
  - It is smaller than a lesson.
explanation: |
  Every `##` heading starts a unit. The text under it,
  down to the next `##`, is the unit's content.
```
"""


def _pot(root: Path) -> polib.POFile:
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    return polib.pofile(str(root / "locale/course.pot"))


def test_references_point_at_each_field_and_name_the_problem():
    pot = polib.pofile(str(REPO / "locale/course.pot"))
    fields = {"problem title", "question", "choice", "feedback", "hint", "explanation", "wrong answer",
              "accepted answers"}
    checked = 0
    for entry in pot:
        if entry.msgctxt not in fields:
            continue
        path, line = entry.occurrences[0]
        lines = (REPO / path).read_text(encoding="utf-8").splitlines()
        near = " ".join(lines[int(line) - 1:int(line) + 1])
        first = re.sub(r"[`*\"\\]", "", entry.msgid.split("\n")[0])[:12]
        assert first.lower() in re.sub(r"[`*\"\\]", "", near).lower(), (entry.msgctxt, entry.msgid[:60], path, line)
        assert re.search(r"problem `[a-z0-9-]+`", entry.comment), entry.comment
        checked += 1
    assert checked > 500


def test_accepted_answers_are_one_list_per_language_and_wrong_answers_have_their_own_context(tmp_path):
    root = project(tmp_path)
    (root / "modules/01-getting-started/02-quiz.md").write_text(QUIZ)
    pot = _pot(root)
    keys = {(e.msgctxt, e.msgid) for e in pot}
    assert ("accepted answers", "unit\na unit") in keys and ("wrong answer", "lesson") in keys
    hint = next(e for e in pot if e.msgid == "It is smaller than a lesson.")
    assert hint.occurrences == [("modules/01-getting-started/02-quiz.md", "20")]
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        if entry.msgid:
            entry.msgstr = "IT " + entry.msgid
    answers = po.find("unit\na unit", msgctxt="accepted answers")
    answers.msgstr = "unità\nun'unità\nl'unità"  # Italian accepts three forms where English has two
    po.find("lesson", msgctxt="wrong answer").msgstr = "lezione"
    po.save()
    assert run_cli("i18n", "check", str(root), "-l", "it").exit_code == 0
    built = run_cli("build", str(root), "-i", "it", "-q")
    assert built.exit_code == 0, built.output
    problem = (root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()
    assert 'answer="unità"' in problem and problem.count("<additional_answer") == 2
    assert "l&#8217;unità" in problem or "l'unità" in problem
    assert 'stringequalhint answer="lezione"' in problem
    # Fewer answers than English is fine too; none at all is an error, and the problem falls back whole.
    answers.msgstr = "unità"
    po.save()
    assert run_cli("build", str(root), "-i", "it", "-q").exit_code == 0
    problem = (root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()
    assert 'answer="unità"' in problem and "<additional_answer" not in problem
    answers.msgstr = "\n"
    po.save()
    check = run_cli("i18n", "check", str(root), "-l", "it")
    assert check.exit_code == 1 and "error[TRN106] no accepted answer" in check.output
    built = run_cli("build", str(root), "-i", "it", "-q")
    assert built.exit_code == 0 and "TRN106" in built.stderr
    problem = (root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()
    assert 'answer="unit"' in problem and "IT " not in problem


def test_rewrapping_a_yaml_text_leaves_its_translation_alone(tmp_path):
    root = project(tmp_path)
    quiz = root / "modules/01-getting-started/02-quiz.md"
    quiz.write_text(QUIZ)
    pot = _pot(root)
    assert ("explanation", "Every `##` heading starts a unit. The text under it, down to the next `##`, is the "
            "unit's content.") in {(e.msgctxt, e.msgid) for e in pot}
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        if entry.msgid:
            entry.msgstr = "IT " + entry.msgid
    po.save()
    quiz.write_text(QUIZ.replace("The text under it,\n  down to the next `##`, is the unit's content.",
                                 "The text\n  under it, down to the\n  next `##`, is the unit's content."))
    result = run_cli("i18n", "update", str(root), "--check")
    assert result.exit_code == 0 and "0 fuzzy, 0 new" in result.output, result.output
    built = run_cli("build", str(root), "-i", "it", "-q")
    assert built.exit_code == 0 and "IT Every <code>##</code>" in (
        root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()


def test_catalogs_of_the_previous_message_forms_migrate_without_loss():
    """Answers with the context `answer` and YAML texts with their line breaks (olxkit before this change)."""
    old = polib.POFile(wrapwidth=0)
    old.metadata = {"Language": "it"}
    for ctxt, msgid, msgstr in [("answer", "unit", "unità"), ("answer", "a unit", "un'unità"),
                                ("answer", "lesson", "lezione"),
                                ("explanation", "Every unit.\nIts text.", "Ogni unità.\nIl suo testo.")]:
        old.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=msgstr))
    pot = polib.POFile(wrapwidth=0)
    for ctxt, msgid in [("accepted answers", "unit\na unit"), ("wrong answer", "lesson"),
                        ("explanation", "Every unit. Its text.")]:
        pot.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=""))
    new, stats = update_catalog(old, pot, "it", "t")
    got = {(e.msgctxt, e.msgid): (e.msgstr, e.fuzzy, e.obsolete) for e in new if e.msgid}
    assert got == {("accepted answers", "unit\na unit"): ("unità\nun'unità", False, False),
                   ("wrong answer", "lesson"): ("lezione", False, False),
                   ("explanation", "Every unit. Its text."): ("Ogni unità. Il suo testo.", False, False)}
    assert (stats.kept, stats.fuzzy, stats.new, stats.obsolete) == (3, 0, 0, 0)
