# ruff: noqa: F811  (the openedx fixture imported from conftest_conformance is redefined as an argument)
""""Show answer" of a text question with a pattern shows learners answers, not regular-expression syntax.

Open edX displays the accepted answers as written into the OLX; the real problem engine (xblocks-contrib's
CAPA) builds each problem here, shows its answers and grades it.
"""

from __future__ import annotations

import pytest

from conftest_conformance import openedx  # noqa: F401
from helpers import make_project, run_cli

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:.*deprecated.*:Warning")]

QUIZ = "modules/01-getting-started/02-quiz.md"
PROBLEM = "```problem\nid: {id}\ntype: text\nprompt: Type it.\nregexp: true\n{extra}answers:\n{answers}```\n\n"
CASES = [
    # (id, case_sensitive, answers, shown, accepted, rejected)
    ("codes", True, ["IT|ITA|AT|AUT"], ["IT", "ITA", "AT", "AUT"], ["AUT", "IT"], ["ITALY", "XAT", "it"]),
    ("colour", False, ["colou?rs?", "hue"], ["color", "colors", "colour", "colours", "hue"],
     ["Colours", "HUE"], ["colorful", "hues"]),
    ("open", False, ["soci.*"], ["soci.*"], ["Social"], ["asocial"]),
]


def test_show_answer_displays_what_the_author_wrote(tmp_path, openedx):
    body = "".join(PROBLEM.replace("{id}", cid).replace("{extra}", "case_sensitive: true\n" if cs else "")
                   .replace("{answers}", "".join(f"  - '{a}'\n" for a in answers))
                   for cid, cs, answers, *_rest in CASES)
    lesson = "---\ntitle: Quiz\ngraded: true\nformat: Quiz\n---\n\n## Codes {#codes}\n\n" + body
    project = make_project(tmp_path / "p", {QUIZ: lesson})
    result = run_cli("build", str(project), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    tree = next((tmp_path / "out").glob("*/problem"))
    for cid, _cs, _answers, shown, accepted, rejected in CASES:
        xml = next(p for p in tree.glob("*.xml") if p.stem.endswith(cid)).read_text(encoding="utf-8")
        block = openedx.load_problem(xml)
        [displayed] = block.lcp.get_question_answers().values()
        assert str(displayed).split(" <b>or</b> ") == shown, (cid, displayed)
        assert "(?:" not in str(displayed) and "^" not in str(displayed)
        for text in accepted:
            assert openedx.grade_problem(xml, [text]) == (1.0, 1.0), (cid, text)
        for text in rejected:
            assert openedx.grade_problem(xml, [text]) == (0.0, 1.0), (cid, text)
