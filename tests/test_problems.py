# ruff: noqa: F811  (pytest fixtures imported from conftest_conformance are redefined as arguments)
"""Problems: YAML in lesson Markdown → CAPA OLX that Open edX's own problem engine builds, renders and grades
as the author meant; graded lessons → a consistent grading policy; bad input → one `path:line` error, exit 1.

The correct answers are always taken from the source (olxkit's model of the YAML), never from CAPA, and every
problem is built, rendered and graded by the real engine (xblocks-contrib's ProblemBlock) through the harness
in tests/conformance.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # also works under --import-mode=importlib

from lxml import etree  # noqa: E402

from olxkit.model import Course, ProblemComponent, Question  # noqa: E402
from olxkit.source.loader import load_course  # noqa: E402

from conftest_conformance import openedx  # noqa: E402,F401
from helpers import REPO, make_project, run_cli  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*deprecated.*:Warning"),
]

FIXTURE = Path(__file__).parent / "fixtures" / "problems"
FIXTURE_STEM = "OlxKitTests+PROB+2026_T1"
EMBEDDED_STEM = "SocialiMakers+SIA+2026_T1"


def course_problems(course: Course) -> dict[str, ProblemComponent]:
    """{url_name: problem} for every problem of a course, in course order."""
    found = {}
    for lesson in course.lessons():
        for unit in lesson.units:
            for comp in unit.components:
                if isinstance(comp, ProblemComponent):
                    found[f"{lesson.id}_{unit.id}_{comp.id}"] = comp
    return found


FIXTURE_COURSE = load_course(FIXTURE)
FIXTURE_PROBLEMS = course_problems(FIXTURE_COURSE)
BY_ID = {p.id: (url, p) for url, p in FIXTURE_PROBLEMS.items()}


def questions_of(qtype: str) -> list[tuple[str, int, Question]]:
    """(url_name, question index, question) for every fixture question of a type (for parametrizing)."""
    return [(url, i, q) for url, p in FIXTURE_PROBLEMS.items() for i, q in enumerate(p.questions) if q.type == qtype]


def qid(item) -> str:
    url, index, _q = item
    return f"{url}[{index}]"


# Samples for regular-expression answers: (accepted, rejected) as the author means them (whole answer).
REGEXP_SAMPLES = {
    ("colou?rs?", "hue"): (["color", "Colours", "HUE", "  colour  "], ["colorful", "bluehue", "red", "hues"]),
    ("IT|ITA|AT|AUT",): (["IT", "ITA", "AUT"], ["it", "ITALY", "XAT", "Austria"]),
}


# ----------------------------------------------------------------------------- answers from the source


def declared_answers(problem: ProblemComponent, dropdowns: list[list[str]]) -> list:
    """The answers the author declared correct, one per question, in the harness's form.

    Dropdowns are answered the way a learner does: by picking the rendered option at the position of the
    choice marked correct (`dropdowns` are the rendered option values, one list per dropdown)."""
    out, menus = [], iter(dropdowns)
    for q in problem.questions:
        if q.type == "single-choice":
            out.append(next(i for i, c in enumerate(q.choices) if c.correct))
        elif q.type == "multiple-choice":
            out.append([i for i, c in enumerate(q.choices) if c.correct])
        elif q.type == "dropdown":
            menu = next(menus)
            out.append(menu[next(i for i, c in enumerate(q.choices) if c.correct)])
        elif q.type == "numerical":
            out.append(inside_value(q))
        elif q.regexp:
            out.append(REGEXP_SAMPLES[tuple(q.answers)][0][0])
        else:
            out.append(q.answers[0])
    return out


def wrong_answers(problem: ProblemComponent, dropdowns: list[list[str]]) -> list:
    """One answer per question that the author's YAML says is wrong (and earns nothing in any scheme)."""
    out, menus = [], iter(dropdowns)
    for q in problem.questions:
        if q.type == "single-choice":
            out.append(next(i for i, c in enumerate(q.choices) if not c.correct))
        elif q.type == "multiple-choice":
            out.append([i for i, c in enumerate(q.choices) if not c.correct])  # every decision wrong
        elif q.type == "dropdown":
            menu = next(menus)
            out.append(menu[next(i for i, c in enumerate(q.choices) if not c.correct)])
        elif q.type == "numerical":
            _low, high, tol = bounds(q)
            out.append(repr(high + tol + abs(high) + 10))
        else:
            out.append("zz-not-an-answer-zz")
    return out


def bounds(q: Question) -> tuple[float, float, float]:
    """(low, high, absolute tolerance) of a numerical question as declared."""
    answer = q.answer
    if answer[0] in "[(":
        low, high = (float(x) for x in answer[1:-1].split(","))
        return low, high, 0.0
    value = float(answer)
    tol = q.tolerance or "0"
    tol_abs = float(tol[:-1]) / 100 * abs(value) if tol.endswith("%") else float(tol)
    return value, value, tol_abs


def inside_value(q: Question) -> str:
    low, high, _tol = bounds(q)
    return q.answer if low == high else repr((low + high) / 2)


def submitted(openedx, xml: str, answers: list):
    """A fresh learner's ProblemBlock after one submission of `answers` (to inspect its state afterwards)."""
    block = openedx.load_problem(xml)
    block.submit_problem(openedx._build_submission(xml, block, answers))
    return block


def plain(markup) -> str:
    """Text without HTML tags or Markdown emphasis, whitespace collapsed (to compare feedback)."""
    return " ".join(re.sub(r"<[^>]+>|\*\*?|`", "", html.unescape(str(markup))).split())


def rendered_dropdowns(page: str) -> list[list[str]]:
    """The option values of every dropdown in rendered problem HTML (without the "Select an option" entry)."""
    menus = []
    for select in re.findall(r"<select\b.*?</select>", page, re.S):
        values = [html.unescape(v) for v in re.findall(r'<option\s+value="([^"]*)"', select)]
        menus.append([v for v in values if not v.startswith("option_") or not v.endswith("_dummy_default")])
    return menus


# ----------------------------------------------------------------------------- the fixture course


@pytest.fixture(scope="module")
def fixture_tree(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("problem-fixtures")
    result = run_cli("build", str(FIXTURE), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert not result.stderr.strip(), result.stderr  # not even a warning
    return out / FIXTURE_STEM


@pytest.fixture(scope="module")
def fixture_xml(fixture_tree) -> dict[str, str]:
    return {url: (fixture_tree / "problem" / f"{url}.xml").read_text(encoding="utf-8") for url in FIXTURE_PROBLEMS}


@pytest.fixture(scope="module")
def fixture_pages(fixture_xml, openedx) -> dict[str, str]:
    """Every fixture problem rendered by the LMS code (raises if CAPA cannot build or render one)."""
    return {url: openedx.render_problem(xml) for url, xml in fixture_xml.items()}


def test_fixture_covers_every_type_and_option():
    """The fixture set must keep covering the whole problem format (the other tests rely on it)."""
    questions = [q for p in FIXTURE_PROBLEMS.values() for q in p.questions]
    assert {q.type for q in questions} == {"single-choice", "multiple-choice", "dropdown", "numerical", "text"}
    assert {q.partial_credit for q in questions if q.type == "multiple-choice"} == {"none", "halves", "every-choice"}
    assert any(q.shuffle for q in questions if q.type == "single-choice")
    assert any(q.shuffle for q in questions if q.type == "multiple-choice")
    numerical = [q for q in questions if q.type == "numerical"]
    assert any(q.tolerance is None and q.answer[0] not in "[(" for q in numerical)  # exact
    assert any(q.tolerance and not q.tolerance.endswith("%") for q in numerical)  # absolute
    assert any(q.tolerance and q.tolerance.endswith("%") for q in numerical)  # percentage
    assert {q.answer[0] for q in numerical if q.answer[0] in "[("} == {"[", "("}  # inclusive and exclusive range
    assert any(float(q.answer) < 0 for q in numerical if q.answer[0] not in "[(")
    texts = [q for q in questions if q.type == "text"]
    assert any(len(q.answers) > 1 and not q.regexp for q in texts)  # alternatives
    assert any(not q.case_sensitive for q in texts) and any(q.case_sensitive and not q.regexp for q in texts)
    assert any(q.regexp and not q.case_sensitive for q in texts) and any(q.regexp and q.case_sensitive for q in texts)
    assert any(q.wrong_answers for q in texts)
    assert any(q.correct_feedback for q in questions if q.type == "text")
    assert any(q.correct_feedback for q in questions if q.type == "numerical")
    for qtype in ("single-choice", "multiple-choice", "dropdown"):
        assert any(c.feedback for q in questions if q.type == qtype for c in q.choices), qtype
    for qtype in ("single-choice", "dropdown", "numerical", "text"):
        assert any(q.description for q in questions if q.type == qtype), qtype
    problems = list(FIXTURE_PROBLEMS.values())
    assert any(len(p.questions) == 5 for p in problems)  # several questions in one block
    assert any(len(p.hints) > 1 for p in problems) and any(p.explanation for p in problems)
    set_keys = {"max_attempts", "weight", "showanswer", "show_correctness", "show_reset_button", "rerandomize"}
    assert set_keys <= {k for p in problems for k in p.settings}
    assert {p.settings["showanswer"] for p in problems} >= {"attempted", "answered", "never", "always"}
    assert {p.settings["show_correctness"] for p in problems} == {"always", "never", "past_due"}


def test_fixture_passes_olxcleaner_all_8_steps(fixture_tree, openedx):
    findings = openedx.olxcleaner_findings(fixture_tree, steps=8)
    errors = [f for f in findings if f.level == "ERROR"]
    assert errors == [], openedx.format_findings(errors)


def test_fixture_parses_and_renders_with_open_edx_code(fixture_tree, openedx):
    """Every block parsed by its real class; problems built, rendered and self-checked; nothing lossy."""
    counts = openedx.parse_course_blocks(fixture_tree)  # strict: warnings raise
    assert counts["problem"] == len(FIXTURE_PROBLEMS) == 22


@pytest.mark.parametrize("url", list(FIXTURE_PROBLEMS))
def test_declared_answers_earn_full_credit(url, fixture_xml, fixture_pages, openedx):
    problem = FIXTURE_PROBLEMS[url]
    answers = declared_answers(problem, rendered_dropdowns(fixture_pages[url]))
    result = openedx.grade_problem_details(fixture_xml[url], answers)
    assert (result.earned, result.possible) == (len(problem.questions), len(problem.questions)), result
    # show_correctness: never withholds the verdict from the learner (the score is still kept)
    assert result.success == ("submitted" if problem.settings["show_correctness"] == "never" else "correct")
    assert all(entry["correctness"] == "correct" for entry in result.correct_map.values())
    weight = problem.settings.get("weight")
    assert result.weighted_possible == (weight if weight is not None else len(problem.questions))
    assert result.weighted_earned == result.weighted_possible


@pytest.mark.parametrize("url", list(FIXTURE_PROBLEMS))
def test_wrong_answers_earn_nothing(url, fixture_xml, fixture_pages, openedx):
    problem = FIXTURE_PROBLEMS[url]
    answers = wrong_answers(problem, rendered_dropdowns(fixture_pages[url]))
    result = openedx.grade_problem_details(fixture_xml[url], answers)
    assert (result.earned, result.possible) == (0, len(problem.questions)), result
    assert result.success == ("submitted" if problem.settings["show_correctness"] == "never" else "incorrect")


def test_each_question_of_a_problem_is_graded_on_its_own(fixture_xml, fixture_pages, openedx):
    url, problem = BY_ID["exam-mixed"]
    menus = rendered_dropdowns(fixture_pages[url])
    right, wrong = declared_answers(problem, menus), wrong_answers(problem, menus)
    for index in range(len(problem.questions)):
        answers = right[:index] + [wrong[index]] + right[index + 1:]
        result = openedx.grade_problem_details(fixture_xml[url], answers)
        assert result.earned == len(problem.questions) - 1, (index, result)
        marks = [entry["correctness"] for entry in result.correct_map.values()]
        assert marks == ["correct"] * index + ["incorrect"] + ["correct"] * (len(marks) - index - 1)
        assert result.weighted_possible == problem.settings["weight"] == 5


@pytest.mark.parametrize("item", questions_of("multiple-choice"), ids=qid)
def test_partial_credit_as_declared(item, fixture_xml, fixture_pages, openedx):
    """Leaving out one correct choice (one error), then also ticking a wrong one (two errors)."""
    url, index, q = item
    problem = FIXTURE_PROBLEMS[url]
    right = declared_answers(problem, rendered_dropdowns(fixture_pages[url]))
    correct = [i for i, c in enumerate(q.choices) if c.correct]
    wrong = [i for i, c in enumerate(q.choices) if not c.correct]
    n = len(q.choices)
    one_error = correct[1:]
    two_errors = correct[1:] + wrong[:1]
    if q.partial_credit == "none":
        expected = (0.0, 0.0)
    elif q.partial_credit == "halves":  # one error: half (3+ choices); two errors: a quarter (5+ choices)
        expected = (0.5 if n > 2 else 0.0, 0.25 if n > 4 else 0.0)
    else:  # every-choice: each box ticked or left as it should be counts 1/n
        expected = (round((n - 1) / n, 2), round((n - 2) / n, 2))
    for picks, credit in zip((one_error, two_errors), expected, strict=True):
        answers = list(right)
        answers[index] = picks
        result = openedx.grade_problem_details(fixture_xml[url], answers)
        assert result.earned == pytest.approx(len(problem.questions) - 1 + credit), (picks, result)
    if q.partial_credit != "none":
        assert 0 < expected[0] < 1, "the fixture must make partial credit visible"


def numerical_cases(q: Question) -> list[tuple[str, bool]]:
    """(typed answer, should it be correct?) just inside and just outside what the YAML declares."""
    low, high, tol = bounds(q)
    if q.answer[0] in "[(":
        span = high - low
        closed = (q.answer[0] == "[", q.answer[-1] == "]")
        return [(repr(low), closed[0]), (repr(high), closed[1]), (repr((low + high) / 2), True),
                (repr(low + span / 100), True), (repr(high - span / 100), True),
                (repr(low - span / 100), False), (repr(high + span / 100), False)]
    if tol == 0:  # exact: Open edX only allows for float rounding (0.001 %)
        step = max(abs(low), 1) * 1e-3
        return [(q.answer, True), (f"{q.answer}0" if "." in q.answer else f"{q.answer}.0", True),
                (repr(low + step), False), (repr(low - step), False)]
    return [(repr(low + 0.9 * tol), True), (repr(low - 0.9 * tol), True),
            (repr(low + 1.1 * tol), False), (repr(low - 1.1 * tol), False)]


@pytest.mark.parametrize("item", questions_of("numerical"), ids=qid)
def test_numerical_answers_just_inside_and_just_outside(item, fixture_xml, fixture_pages, openedx):
    url, index, q = item
    problem = FIXTURE_PROBLEMS[url]
    right = declared_answers(problem, rendered_dropdowns(fixture_pages[url]))
    for typed, ok in numerical_cases(q):
        answers = list(right)
        answers[index] = typed
        result = openedx.grade_problem_details(fixture_xml[url], answers)
        expected = len(problem.questions) - (0 if ok else 1)
        assert result.earned == expected, f"{q.answer} ± {q.tolerance}: typed {typed}, expected {ok}: {result}"
        if ok and q.correct_feedback:
            assert plain(q.correct_feedback) in plain(next(iter(result.correct_map.values()))["msg"])


def text_cases(q: Question) -> list[tuple[str, bool]]:
    """(typed answer, should it be correct?) for alternatives, case and regular expressions."""
    if q.regexp:
        accepted, rejected = REGEXP_SAMPLES[tuple(q.answers)]
        flags = 0 if q.case_sensitive else re.IGNORECASE
        for sample in accepted + rejected:  # the samples mean what the YAML says
            assert any(re.fullmatch(a, sample.strip(), flags) for a in q.answers) == (sample in accepted), sample
        return [(s, True) for s in accepted] + [(s, False) for s in rejected]
    cases = []
    for answer in q.answers:
        cases += [(answer, True), (f"  {answer} ", True), (f"{answer}x", False)]
        for variant in {answer.upper(), answer.lower(), answer.swapcase()} - {answer}:
            cases.append((variant, not q.case_sensitive))
    cases += [(wrong, False) for wrong, _feedback in q.wrong_answers]
    return cases


@pytest.mark.parametrize("item", questions_of("text"), ids=qid)
def test_text_alternatives_case_and_regexp(item, fixture_xml, fixture_pages, openedx):
    url, index, q = item
    problem = FIXTURE_PROBLEMS[url]
    right = declared_answers(problem, rendered_dropdowns(fixture_pages[url]))
    cases = text_cases(q)
    assert any(ok for _t, ok in cases) and any(not ok for _t, ok in cases)
    for typed, ok in cases:
        answers = list(right)
        answers[index] = typed
        result = openedx.grade_problem_details(fixture_xml[url], answers)
        expected = len(problem.questions) - (0 if ok else 1)
        assert result.earned == expected, f"{q.answers} (case_sensitive={q.case_sensitive}, regexp={q.regexp}): " \
                                          f"typed {typed!r}, expected {ok}"


def test_text_feedback_on_right_and_wrong_answers(fixture_xml, openedx):
    url, problem = BY_ID["txt-alternatives"]
    q = problem.questions[0]
    wrong, feedback = q.wrong_answers[0]
    result = openedx.grade_problem_details(fixture_xml[url], [wrong.upper()])  # case-insensitive like the answers
    assert result.earned == 0
    assert feedback in str(next(iter(result.correct_map.values()))["msg"])
    for answer in q.answers:  # every accepted answer, not only the first, gets the feedback
        result = openedx.grade_problem_details(fixture_xml[url], [answer])
        assert result.earned == 1
        message = str(next(iter(result.correct_map.values()))["msg"])
        assert "Right, the <strong>means</strong>." in message and plain(q.correct_feedback) in plain(message), answer


def test_choice_feedback_is_shown_for_the_chosen_choice(fixture_xml, fixture_pages, openedx):
    """Submitting a choice shows that choice's feedback (rendered Markdown), and not another's."""
    cases = {  # problem id: (picked choice indices, words of the picked choices' feedback)
        "sc-rich": ([0], "The question asks for"),
        "mc-all-or-nothing": ([0, 1], "3 is odd."),
        "dd-words": ([1], "Think again."),
    }
    for pid, (picks, shown) in cases.items():
        url, problem = BY_ID[pid]
        q = problem.questions[0]
        assert any(q.choices[i].feedback.startswith(shown) for i in picks), pid  # the words come from the YAML
        if q.type == "single-choice":
            answer = picks[0]
        elif q.type == "dropdown":
            answer = rendered_dropdowns(fixture_pages[url])[0][picks[0]]
        else:
            answer = picks
        result = openedx.grade_problem_details(fixture_xml[url], [answer])
        message = str(next(iter(result.correct_map.values()))["msg"])
        assert shown in message, (pid, message)
        for i, choice in enumerate(q.choices):
            if i not in picks and choice.feedback:
                assert choice.feedback.split()[0] + " " + choice.feedback.split()[1] not in message, (pid, message)


def test_rendered_problems_show_prompt_label_description_and_choices(fixture_xml, fixture_pages):
    for url, problem in FIXTURE_PROBLEMS.items():
        page = fixture_pages[url]
        text = " ".join(etree.HTML(page).xpath("string()").split())
        assert page.count('class="wrapper-problem-response"') == len(problem.questions), url
        assert page.count('class="question-description"') == sum(bool(q.description) for q in problem.questions)
        root = etree.fromstring(fixture_xml[url].encode())
        responses = root.xpath("multiplechoiceresponse|choiceresponse|optionresponse|numericalresponse"
                               "|stringresponse")
        assert len(responses) == len(problem.questions)
        for response, q in zip(responses, problem.questions, strict=True):
            label = response.find("label")
            assert label is not None, f"{url}: every question needs an accessible label"
            label_text = " ".join("".join(label.itertext()).split())
            assert label_text and label_text in text, (url, label_text)
            choices = response.xpath(".//choice")
            assert len(choices) == (len(q.choices) if q.type in ("single-choice", "multiple-choice") else 0)
            for choice in choices:  # each choice's own text (not its feedback) is on the page
                own = " ".join("".join(choice.xpath("text()|*[not(self::choicehint)]//text()")).split())
                assert own and own in text, (url, own)
        if problem.hints:
            assert 'class="hint-button problem-action-btn' in page, url
        attempts = problem.settings.get("max_attempts")
        if attempts:
            assert f"You have used 0 of {attempts} attempt" in page, url
    rich = fixture_pages[BY_ID["sc-rich"][0]]
    assert '<img src="/static/images/diagram.svg" alt="Two squares, blue and orange"' in rich
    assert 'href="/jump_to_id/inputs"' in rich and 'href="https://example.org/roots"' in rich
    assert r"\(x^2 = 4\)" in rich and "<code>x = 4</code>" in rich
    assert "Pick the <strong>one</strong> right value." in rich


def test_dropdown_options_render_as_written(fixture_pages):
    """What the learner can pick is each choice's text; an apostrophe that Open edX's option parser would
    split on is written as the typographic ’ (the choice is otherwise exactly as written)."""
    for url, problem in FIXTURE_PROBLEMS.items():
        menus = rendered_dropdowns(fixture_pages[url])
        dropdowns = [q for q in problem.questions if q.type == "dropdown"]
        assert len(menus) == len(dropdowns), url
        for menu, q in zip(menus, dropdowns, strict=True):
            assert [m.replace("\u2019", "'") for m in menu] == [c.text for c in q.choices], url
    menu = rendered_dropdowns(fixture_pages[BY_ID["dd-apostrophes"][0]])[0]
    assert menu == ["The members\u2019 fund", "l\u2019école du quartier", "He said \"it's a loan\", didn't he?",
                    "The 1990\u2019s grant"]


def test_yaml_words_stay_text(fixture_xml, fixture_pages, openedx):
    url, sc = BY_ID["sc-yaml-words"]
    assert [c.text for c in sc.questions[0].choices] == ["Yes", "No", "1.0", "On"]
    assert '<choice correct="false">Yes</choice>' in fixture_xml[url]
    assert '<choice correct="true">No</choice>' in fixture_xml[url]
    assert openedx.grade_problem(fixture_xml[url], [1]) == (1.0, 1.0)
    url, _dd = BY_ID["dd-words"]
    assert rendered_dropdowns(fixture_pages[url]) == [["Yes", "No", "1.0"]]
    assert openedx.grade_problem(fixture_xml[url], ["Yes"]) == (1.0, 1.0)
    assert openedx.grade_problem(fixture_xml[url], ["True"]) == (0.0, 1.0)
    url, txt = BY_ID["txt-yaml-words"]
    assert txt.questions[0].answers == ["1.0", "Yes"]
    assert openedx.grade_problem(fixture_xml[url], ["1.0"]) == (1.0, 1.0)
    assert openedx.grade_problem(fixture_xml[url], ["yes"]) == (1.0, 1.0)
    assert openedx.grade_problem(fixture_xml[url], ["1"]) == (0.0, 1.0)
    assert openedx.grade_problem(fixture_xml[url], ["true"]) == (0.0, 1.0)


def test_hints_on_demand_and_explanation_after_answering(fixture_xml, openedx):
    url, problem = BY_ID["sc-rich"]
    block = openedx.load_problem(fixture_xml[url])
    for index, hint in enumerate(problem.hints):
        shown = str(block.get_demand_hint(index)["msg"])
        assert f"Hint ({index + 1} of {len(problem.hints)})" in shown
        assert re.sub(r"\*", "", hint).split()[0] in shown
    assert block.answer_available() is False  # showanswer: attempted (course default), not attempted yet
    assert "detailed-solution" not in block.get_problem_html(encapsulate=False)
    block = submitted(openedx, fixture_xml[url], [0])  # a wrong answer is an attempt too
    assert block.answer_available() is True
    solution = "".join(v for v in block.get_answer({})["answers"].values() if isinstance(v, str))
    assert "Explanation" in solution and r"\(\sqrt{4} = 2\)" in solution


# Effective settings: course.yaml `problems:` → lesson front matter `problems:` → the problem itself.
EXPECTED_SETTINGS = {
    "sc-rich": dict(max_attempts=3, weight=2.0, showanswer="attempted", show_correctness="always",
                    show_reset_button=True, rerandomize="never"),  # course defaults only
    "set-lesson": dict(max_attempts=5, weight=1.0, showanswer="answered", show_correctness="always",
                       show_reset_button=True, rerandomize="never"),  # lesson overrides three
    "set-problem": dict(max_attempts=1, weight=0.5, showanswer="never", show_correctness="never",
                        show_reset_button=False, rerandomize="onreset"),  # the problem overrides all
    "set-practice": dict(max_attempts=5, weight=0.0, showanswer="always", show_correctness="past_due",
                         show_reset_button=True, rerandomize="never"),
    "exam-mixed": dict(max_attempts=1, weight=5.0, showanswer="attempted", show_correctness="always",
                       show_reset_button=True, rerandomize="never"),
}


@pytest.mark.parametrize("pid", list(EXPECTED_SETTINGS))
def test_settings_course_defaults_lesson_and_problem_overrides(pid, fixture_xml, openedx):
    url, problem = BY_ID[pid]
    expected = EXPECTED_SETTINGS[pid]
    block = openedx.load_problem(fixture_xml[url])
    assert {key: getattr(block, key) for key in expected} == expected
    assert problem.settings == expected  # the model agrees with what the engine reads


def test_settings_change_what_the_learner_gets(fixture_xml, openedx):
    # one attempt: closed after a wrong answer; no correctness, no answer, no reset shown
    url, _problem = BY_ID["set-problem"]
    block = submitted(openedx, fixture_xml[url], [1])
    assert block.closed() and block.attempts == 1
    assert not block.correctness_available() and not block.answer_available()
    assert not block.should_show_reset_button()
    assert 'class="reset' not in block.get_problem_html(encapsulate=False)
    # three attempts (course default), reset button, answer after one attempt
    url, _problem = BY_ID["sc-rich"]
    block = submitted(openedx, fixture_xml[url], [0])
    assert not block.closed() and block.correctness_available() and block.answer_available()
    assert block.should_show_reset_button()
    assert 'class="reset' in block.get_problem_html(encapsulate=False)
    # showanswer: answered, only once correct
    url, _problem = BY_ID["set-lesson"]
    assert not submitted(openedx, fixture_xml[url], [1]).answer_available()
    assert submitted(openedx, fixture_xml[url], [0]).answer_available()
    # weight 0: a practice problem that does not count
    url, _problem = BY_ID["set-practice"]
    result = openedx.grade_problem_details(fixture_xml[url], ["3"])
    assert result.earned == 1 and result.weighted_possible == 0


def test_graded_lessons_make_a_consistent_grading_policy(fixture_tree):
    grading = json.loads((fixture_tree / "policies/2026_T1/grading_policy.json").read_text())
    assert grading == {
        "GRADER": [
            {"type": "Quiz", "short_label": "Q", "weight": 0.6, "drop_count": 1, "min_count": 2},
            {"type": "Exam", "short_label": "Ex", "weight": 0.4, "drop_count": 0, "min_count": 1},
        ],
        "GRADE_CUTOFFS": {"Pass": 0.5},
    }
    formats = {}
    for lesson in FIXTURE_COURSE.lessons():
        seq = etree.parse(str(fixture_tree / "sequential" / f"{lesson.id}.xml")).getroot()
        assert (seq.get("graded") == "true") == lesson.graded
        if lesson.graded:
            assert seq.get("format") == lesson.format
            formats[lesson.format] = formats.get(lesson.format, 0) + 1
    assert formats == {g["type"]: g["min_count"] for g in grading["GRADER"]}
    assert all(g["drop_count"] < g["min_count"] for g in grading["GRADER"])
    exam = etree.parse(str(fixture_tree / "sequential" / "final-exam.xml")).getroot()
    assert exam.get("due") == "2026-12-01T00:00:00Z"
    policy = json.loads((fixture_tree / "policies/2026_T1/policy.json").read_text())["course/2026_T1"]
    assert {k: policy[k] for k in ("max_attempts", "showanswer", "show_correctness", "show_reset_button")} == {
        "max_attempts": 3, "showanswer": "attempted", "show_correctness": "always", "show_reset_button": True}


# ----------------------------------------------------------------------------- the embedded course


@pytest.fixture(scope="module")
def embedded_en(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("embedded-en")
    result = run_cli("build", str(REPO), "-i", "en", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out / EMBEDDED_STEM


def test_every_problem_of_the_embedded_course_grades_as_declared(embedded_en, openedx):
    problems = course_problems(load_course(REPO))
    assert len(problems) >= 57
    for url, problem in problems.items():
        xml = (embedded_en / "problem" / f"{url}.xml").read_text(encoding="utf-8")
        menus = rendered_dropdowns(openedx.render_problem(xml))
        dropdowns = [q for q in problem.questions if q.type == "dropdown"]
        assert [[m.replace("\u2019", "'") for m in menu] for menu in menus] == [
            [c.text for c in q.choices] for q in dropdowns], url
        result = openedx.grade_problem_details(xml, declared_answers(problem, menus))
        assert result.earned == result.possible == len(problem.questions), (url, result)
        assert result.weighted_earned == result.weighted_possible > 0, url
        result = openedx.grade_problem_details(xml, wrong_answers(problem, menus))
        assert (result.earned, result.success) == (0, "incorrect"), (url, result)


def test_embedded_course_passes_olxcleaner_all_8_steps(embedded_en, openedx):
    errors = openedx.olxcleaner_errors(embedded_en, steps=8)
    assert errors == [], openedx.format_findings(errors)


# ----------------------------------------------------------------------------- bad input

QUIZ = "modules/01-getting-started/02-quiz.md"
COURSE_YAML = "course/course.yaml"
HEAD = "---\ntitle: Quiz\ngraded: true\nformat: Quiz\n---\n\n## Check {#check}\n\n```problem\n"
FIRST = HEAD.count("\n") + 1  # the file line of the problem block's first YAML line (10)


def quiz(body: str, head: str = HEAD) -> str:
    return f"{head}{body}```\n"


SINGLE = "id: q1\ntype: single-choice\nprompt: Pick one.\n"

# (case id, {file: text}, expected file, expected line, pattern in the message)
BAD_PROBLEMS = [
    ("no-correct-choice", quiz(SINGLE + "choices:\n  - text: a\n  - text: b\n"), QUIZ, FIRST + 4,
     "no choice is marked `correct: true`"),
    ("two-correct-single-choice",
     quiz(SINGLE + "choices:\n  - text: a\n    correct: true\n  - text: b\n    correct: true\n"), QUIZ, FIRST + 6,
     "single-choice question has exactly one correct choice, but 2"),
    ("two-correct-dropdown",
     quiz("type: dropdown\nprompt: Pick.\nchoices:\n  - text: a\n    correct: true\n  - text: b\n"
          "  - text: c\n    correct: true\n"), QUIZ, FIRST + 6,
     "dropdown question has exactly one correct choice, but 2"),
    ("empty-choice-list", quiz(SINGLE + "choices: []\n"), QUIZ, FIRST + 3, "`choices:` is missing or empty"),
    ("missing-choices", quiz(SINGLE), QUIZ, FIRST, "`choices:` is missing or empty"),
    ("one-choice", quiz(SINGLE + "choices:\n  - text: a\n    correct: true\n"), QUIZ, FIRST + 4,
     "at least two choices"),
    ("numerical-not-a-number", quiz("type: numerical\nprompt: How many?\nanswer: five\n"), QUIZ, FIRST + 2,
     "`answer: five` is not a number"),
    ("numerical-decimal-comma", quiz("type: numerical\nprompt: How many?\nanswer: 2,5\n"), QUIZ, FIRST + 2,
     "`answer: 2,5` is not a number"),
    ("numerical-bad-range", quiz("type: numerical\nprompt: How many?\nanswer: [1, many]\n"), QUIZ, FIRST + 2,
     r"`answer: \[1, many\]` is not a number or a range"),
    ("numerical-empty-range", quiz("type: numerical\nprompt: How many?\nanswer: [5, 1]\n"), QUIZ, FIRST + 2,
     r"the range \[5, 1\] is empty"),
    ("negative-tolerance", quiz("type: numerical\nprompt: How many?\nanswer: 3\ntolerance: -0.5\n"), QUIZ,
     FIRST + 3, r"`tolerance` cannot be negative \(-0.5\)"),
    ("negative-percent-tolerance", quiz("type: numerical\nprompt: How many?\nanswer: 3\ntolerance: -5%\n"), QUIZ,
     FIRST + 3, r"`tolerance` cannot be negative \(-5%\)"),
    ("tolerance-not-a-number", quiz("type: numerical\nprompt: How many?\nanswer: 3\ntolerance: a bit\n"), QUIZ,
     FIRST + 3, "`tolerance: a bit` must be a number"),
    ("unknown-type", quiz("type: single-choise\nprompt: Pick.\n"), QUIZ, FIRST,
     "unknown question type `single-choise` .*did you mean `single-choice`"),
    ("unknown-type-in-questions", quiz("questions:\n  - type: numeric\n    prompt: How many?\n    answer: 1\n"),
     QUIZ, FIRST + 1, "unknown question type `numeric` .*did you mean `numerical`"),
    ("unknown-option", quiz(SINGLE + "shufle: true\nchoices:\n  - text: a\n    correct: true\n  - text: b\n"),
     QUIZ, FIRST + 3, "unknown key `shufle` .*did you mean `shuffle`"),
    ("option-of-another-type", quiz(SINGLE + "partial_credit: halves\nchoices:\n  - text: a\n    correct: true\n"
                                    "  - text: b\n"), QUIZ, FIRST + 3, "unknown key `partial_credit`"),
    ("unknown-option-value",
     quiz("type: multiple-choice\nprompt: Pick.\npartial_credit: halfs\nchoices:\n  - text: a\n    correct: true\n"
          "  - text: b\n"), QUIZ, FIRST + 2, "`partial_credit: halfs` is not valid .*did you mean `halves`"),
    ("unknown-showanswer", quiz(SINGLE + "showanswer: finish\nchoices:\n  - text: a\n    correct: true\n"
                                "  - text: b\n"), QUIZ, FIRST + 3,
     "`showanswer: finish` is not valid .*did you mean `finished`"),
    ("negative-weight", quiz(SINGLE + "weight: -1\nchoices:\n  - text: a\n    correct: true\n  - text: b\n"),
     QUIZ, FIRST + 3, "`weight` must be at least 0, not -1"),
    ("zero-attempts", quiz(SINGLE + "max_attempts: 0\nchoices:\n  - text: a\n    correct: true\n  - text: b\n"),
     QUIZ, FIRST + 3, "`max_attempts` must be 1 or more, not 0"),
    ("invalid-regexp", quiz("type: text\nprompt: Colour?\nregexp: true\nanswers:\n  - colou?r\n  - hue(\n"),
     QUIZ, FIRST + 5, r"`hue\(` is not a valid regular expression"),
    ("regexp-inline-flag", quiz("type: text\nprompt: Colour?\nregexp: true\nanswers:\n  - (?i)colou?r\n"),
     QUIZ, FIRST + 4, "do not make one valid regular expression .*global flags"),
    ("empty-answers", quiz("type: text\nprompt: Colour?\nanswers: []\n"), QUIZ, FIRST + 2,
     "`answers:` needs at least one accepted answer"),
    ("question-key-beside-questions",
     quiz("questions:\n  - type: numerical\n    prompt: How many?\n    answer: 1\nanswer: 2\n"), QUIZ, FIRST + 4,
     "`answer` belongs inside each entry of `questions:`"),
    ("boolean-not-true-false", quiz(SINGLE + "shuffle: Yes\nchoices:\n  - text: a\n    correct: true\n"
                                    "  - text: b\n"), QUIZ, FIRST + 3, "`shuffle` must be true or false, not `Yes`"),
    ("duplicate-choice", quiz(SINGLE + "choices:\n  - text: a\n    correct: true\n  - text: a\n"), QUIZ, FIRST + 4,
     "the choice `a` is listed twice"),
]
BAD_SETTINGS = [
    ("course-zero-attempts", {COURSE_YAML: ("max_attempts: 2", "max_attempts: 0")}, COURSE_YAML, 20,
     "`max_attempts` must be 1 or more, not 0"),
    ("course-unknown-setting", {COURSE_YAML: ("max_attempts: 2", "max_attempt: 2")}, COURSE_YAML, 20,
     "unknown key `max_attempt` in `problems` .*did you mean `max_attempts`"),
    ("lesson-negative-weight", {QUIZ: ("format: Quiz\n", "format: Quiz\nproblems:\n  weight: -2\n")}, QUIZ, 6,
     "`weight` must be at least 0, not -2"),
    ("lesson-unknown-setting", {QUIZ: ("format: Quiz\n", "format: Quiz\nproblems:\n  show_answer: never\n")}, QUIZ,
     6, "unknown key `show_answer` in `problems` .*did you mean `showanswer`"),
]
BAD_GRADING = [
    ("unknown-assignment-type", {QUIZ: ("format: Quiz", "format: Quizz")}, QUIZ, 4,
     r"`format: Quizz`, which is not an assignment type in course/course\.yaml:15 .*did you mean `Quiz`"),
    ("assignment-type-is-exact", {QUIZ: ("format: Quiz", "format: quiz")}, QUIZ, 4,
     r"`format: quiz`, which is not an assignment type in course/course\.yaml:15 .*did you mean `Quiz`"),
    ("graded-without-format", {QUIZ: ("format: Quiz\n", "")}, QUIZ, 3, "a graded lesson needs `format:`"),
    ("weights-not-100", {COURSE_YAML: ("weight: 100", "weight: 90")}, COURSE_YAML, 16,
     "assignment weights add up to 90%, not 100%"),
    ("weights-over-100", {COURSE_YAML: ("weight: 100", "weight: 60\n    - type: Exam\n      weight: 50")},
     COURSE_YAML, 16, "assignment weights add up to 110%, not 100%"),
    ("drop-leaves-nothing", {COURSE_YAML: ("weight: 100", "weight: 100\n      drop: 1")}, COURSE_YAML, 16,
     r"`drop: 1` leaves no `Quiz` counted \(1 in the course\)"),
    ("pass-zero", {COURSE_YAML: ("pass: 0.6", "pass: 0")}, COURSE_YAML, 14,
     "`pass: 0` must be a share between 0 and 1"),
    ("pass-above-one", {COURSE_YAML: ("pass: 0.6", "pass: 60")}, COURSE_YAML, 14,
     "`pass: 60` must be a share between 0 and 1"),
    ("pass-negative", {COURSE_YAML: ("pass: 0.6", "pass: -0.5")}, COURSE_YAML, 14,
     "`pass: -0.5` must be a share between 0 and 1"),
]


# The rule code of each case (olxkit/rules.py).
CODES = {
    "no-correct-choice": "PRB001",
    "two-correct-single-choice": "PRB001",
    "two-correct-dropdown": "PRB001",
    "empty-choice-list": "PRB003",
    "missing-choices": "PRB003",
    "one-choice": "PRB003",
    "numerical-not-a-number": "PRB002",
    "numerical-decimal-comma": "PRB002",
    "numerical-bad-range": "PRB002",
    "numerical-empty-range": "PRB002",
    "negative-tolerance": "PRB002",
    "negative-percent-tolerance": "PRB002",
    "tolerance-not-a-number": "PRB002",
    "unknown-type": "PRB005",
    "unknown-type-in-questions": "PRB005",
    "unknown-option": "SYN002",
    "option-of-another-type": "SYN002",
    "unknown-option-value": "SYN004",
    "unknown-showanswer": "PRB004",
    "negative-weight": "PRB004",
    "zero-attempts": "PRB004",
    "invalid-regexp": "PRB002",
    "regexp-inline-flag": "PRB002",
    "empty-answers": "PRB002",
    "question-key-beside-questions": "PRB005",
    "boolean-not-true-false": "SYN004",
    "duplicate-choice": "PRB003",
    "course-zero-attempts": "PRB004",
    "course-unknown-setting": "SYN002",
    "lesson-negative-weight": "PRB004",
    "lesson-unknown-setting": "SYN002",
    "unknown-assignment-type": "GRD001",
    "assignment-type-is-exact": "GRD001",
    "graded-without-format": "GRD006",
    "weights-not-100": "GRD002",
    "weights-over-100": "GRD002",
    "drop-leaves-nothing": "GRD003",
    "pass-zero": "GRD004",
    "pass-above-one": "GRD004",
    "pass-negative": "GRD004",
}


@pytest.fixture(scope="module")
def template_project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("template") / "course", {})


def _project(tmp_path: Path, template: Path) -> Path:
    """A fresh copy of the `olxkit new` project (one `olxkit new` per module, not per case)."""
    return Path(shutil.copytree(template, tmp_path / "course"))


def _assert_one_error(root: Path, tmp_path: Path, rel: str, line: int, pattern: str, code: str) -> None:
    out = tmp_path / "out"
    result = run_cli("build", str(root), "-o", str(out), "-q")
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if re.search(r"^\S+:\d+(:\d+)?: error\b", ln)]
    assert len(errors) == 1, result.stderr
    # `path:line:col: error[CODE] message` (the column is 1 when only the line is known)
    assert re.match(rf"{re.escape(rel)}:{line}:\d+: error\[{code}\] ", errors[0]), errors[0]
    assert re.search(pattern, errors[0]), errors[0]
    assert re.search(r"\b1 error\b.*nothing was written", result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists(), "no partial output"


@pytest.mark.parametrize("case", BAD_PROBLEMS, ids=[c[0] for c in BAD_PROBLEMS])
def test_bad_problem_is_one_located_error(case, tmp_path, template_project):
    name, text, rel, line, pattern = case
    root = _project(tmp_path, template_project)
    (root / QUIZ).write_text(text, encoding="utf-8")
    _assert_one_error(root, tmp_path, rel, line, pattern, CODES[name])


@pytest.mark.parametrize("case", BAD_SETTINGS + BAD_GRADING, ids=[c[0] for c in BAD_SETTINGS + BAD_GRADING])
def test_bad_settings_and_grading_are_one_located_error(case, tmp_path, template_project):
    name, edits, rel, line, pattern = case
    root = _project(tmp_path, template_project)
    for file, (old, new) in edits.items():
        text = (root / file).read_text(encoding="utf-8")
        assert old in text, (file, old)
        (root / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    _assert_one_error(root, tmp_path, rel, line, pattern, CODES[name])


def test_template_project_builds(tmp_path, template_project):
    """The baseline of the bad-input cases is valid: each error comes from its one edit."""
    root = _project(tmp_path, template_project)
    (root / QUIZ).write_text(quiz(SINGLE + "choices:\n  - text: a\n    correct: true\n  - text: b\n"))
    result = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output


def test_range_answer_written_as_a_yaml_list_or_quoted(tmp_path, template_project, openedx):
    """`answer: [1, 5]` (a YAML list) and `answer: "[1, 5)"` (quoted, half-open) both work."""
    root = _project(tmp_path, template_project)
    (root / QUIZ).write_text(quiz("type: numerical\nprompt: Between?\nanswer: [1, 5]\n```\n\n```problem\nid: q2\n"
                                  "type: numerical\nprompt: Between?\nanswer: \"[1, 5)\"\n"))
    out = tmp_path / "out"
    assert run_cli("build", str(root), "-o", str(out), "-q").exit_code == 0
    tree = out / "MyOrg+C101+2026_T1" / "problem"
    closed = (tree / "quiz_check_problem.xml").read_text()
    half_open = (tree / "quiz_check_q2.xml").read_text()
    assert 'answer="[1, 5]"' in closed and 'answer="[1, 5)"' in half_open
    assert openedx.grade_problem(closed, ["5"]) == (1.0, 1.0)
    assert openedx.grade_problem(half_open, ["5"]) == (0.0, 1.0)
    assert openedx.grade_problem(half_open, ["4.99"]) == (1.0, 1.0)


# ----------------------------------------------------------------------------- the docs


def doc_problem_examples() -> list[str]:
    """Every YAML example of a whole problem block in the `problem` section of the authoring reference."""
    import yaml

    text = (REPO / "olxkit" / "reference" / "authoring.md").read_text(encoding="utf-8")
    section = text[text.index("### `problem`"):text.index("### `olx`")]
    examples = []
    for body in re.findall(r"^```yaml\n(.*?)^```$", section, re.S | re.M):
        data = yaml.safe_load(body)
        if isinstance(data, dict) and "id" in data and ("type" in data or "questions" in data):
            examples.append(body)
    return examples


def test_every_problem_example_in_the_docs_builds_and_grades_as_declared(tmp_path, template_project, openedx):
    examples = doc_problem_examples()
    assert len(examples) >= 14
    root = _project(tmp_path, template_project)
    (root / "course/static/images").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE / "course/static/images/card.png", root / "course/static/images/square.png")
    units = "".join(f"## Example {n} {{#example-{n}}}\n\n```problem\n{body}```\n\n"
                    for n, body in enumerate(examples, start=1))
    (root / "modules/01-getting-started/03-docs.md").write_text(
        f"---\ntitle: Docs\n---\n\n## Areas {{#areas}}\n\nAreas.\n\n{units}", encoding="utf-8")
    module = root / "modules/01-getting-started/module.yaml"
    module.write_text(module.read_text() + "  - 03-docs.md\n")
    out = tmp_path / "out"
    result = run_cli("build", str(root), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    problems = {url: p for url, p in course_problems(load_course(root)).items() if url.startswith("docs_")}
    assert len(problems) == len(examples)
    for url, problem in problems.items():
        xml = (out / "MyOrg+C101+2026_T1" / "problem" / f"{url}.xml").read_text(encoding="utf-8")
        menus = rendered_dropdowns(openedx.render_problem(xml))
        assert openedx.grade_problem(xml, declared_answers(problem, menus)) == (len(problem.questions),) * 2, url
        assert openedx.grade_problem(xml, wrong_answers(problem, menus))[0] == 0, url
