"""The preview's grader agrees with Open edX's problem engine (CAPA, from xblocks-contrib).

Every problem of the embedded course, in all 8 instances, and a generated corpus of problems are graded with both
on the same answers: the correct one, each wrong choice, partial-credit combinations, numbers at and just past the
tolerance, range ends open and closed, text answers in other cases, with spaces, and regular expressions. Both must
give the same correctness per response and the same score.
"""

from __future__ import annotations

import itertools
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from olxkit.model import Choice, ProblemComponent, Question
from olxkit.olx.capa import build_problem
from olxkit.serve.grader import InputError, Problem

from conftest_conformance import openedx  # noqa: F401


def _number_variants(response) -> list[str]:
    answer = response.get("answer", "").strip()
    out = []
    if answer[:1] in "[(":
        low, high = (Decimal(x.strip()) for x in answer[1:-1].split(","))
        step = (high - low) / 1000
        out += [str(low), str(high), str(low - step), str(high + step), str(low + step), str(high - step),
                str((low + high) / 2)]
        return out
    value = Decimal(answer)
    param = response.find("responseparam[@type='tolerance']")
    tol = param.get("default").strip() if param is not None else None
    out += [answer, f" {answer} ", f"{answer}0", str(value + 1)]
    if tol is None:
        out += [str(value * Decimal("1.00001")), str(value * Decimal("1.00002"))]
    elif tol.endswith("%"):
        delta = abs(value) * Decimal(tol[:-1]) / 100
        out += [str(value + delta), str(value - delta), str(value + delta * Decimal("1.01")),
                str(value - delta * Decimal("1.01"))]
    else:
        delta = Decimal(tol)
        out += [str(value + delta), str(value - delta), str(value + delta + Decimal("0.001")),
                str(value - delta - Decimal("0.001"))]
    return out


def _text_variants(response) -> list[str]:
    answers = [response.get("answer", "")] + [a.get("answer", "") for a in response.findall("additional_answer")]
    wrong = [h.get("answer", "") for h in response.findall("stringequalhint")]
    out = []
    for a in answers + wrong:
        plain = a.removeprefix("^(?:").removesuffix(")$")
        out += [plain, plain.upper(), plain.lower(), f"  {plain} "]
    out += ["something else entirely", "x"]
    return list(dict.fromkeys(v for v in out if v.strip()))


def answer_sets(xml: bytes) -> list[list]:
    """Answers to try, one list per submission: every candidate of each response with the others correct."""
    problem = Problem(xml)
    candidates: list[list] = []
    correct: list = []
    for response in problem.responses:
        el = response.el
        if response.tag == "multiplechoiceresponse":
            n = len(response.choices())
            candidates.append(list(range(n)))
            correct.append(response.answer()["choices"][0])
        elif response.tag == "choiceresponse":
            n = len(response.choices())
            right = response.answer()["choices"]
            if n <= 4:
                subsets = [list(c) for k in range(1, n + 1) for c in itertools.combinations(range(n), k)]
            else:
                wrong = [i for i in range(n) if i not in right]
                subsets = [right, right[:-1], right + wrong[:1], right + wrong[:2], right[1:] + wrong[:1]]
                subsets += [[i] for i in range(n)]
            candidates.append(subsets)
            correct.append(right)
        elif response.tag == "optionresponse":
            options = [(o.text or "").strip() for o in response.options()]
            candidates.append(options)
            correct.append(response.answer()["text"])
        elif response.tag == "numericalresponse":
            candidates.append(_number_variants(el))
            correct.append(_number_variants(el)[0])
        else:
            candidates.append(_text_variants(el))
            correct.append(_text_variants(el)[0])
    sets = [list(correct)]
    for index, options in enumerate(candidates):
        for option in options:
            answers = list(correct)
            answers[index] = option
            sets.append(answers)
    return sets


def compare(engine, xml: bytes, where: str) -> int:
    """Grade every answer set with both engines; return how many submissions were compared."""
    text = xml.decode("utf-8")
    problem = Problem(xml)
    count = 0
    for answers in answer_sets(xml):
        try:
            ours = problem.grade(answers)
        except InputError:
            continue
        capa = engine.grade_problem_details(text, answers)
        theirs = [capa.correct_map[k]["correctness"] for k in sorted(capa.correct_map, key=_input_order)]
        mine = [o.correctness for o in ours.outcomes]
        assert mine == theirs, f"{where}: answers {answers!r}: olxkit {mine}, CAPA {theirs}"
        assert (ours.earned, ours.possible) == pytest.approx((capa.earned, capa.possible)), (
            f"{where}: answers {answers!r}: olxkit {ours.earned}/{ours.possible}, CAPA {capa.earned}/{capa.possible}")
        assert (ours.weighted_earned, ours.weighted_possible) == pytest.approx(
            (capa.weighted_earned, capa.weighted_possible)), f"{where}: weighted score differs for {answers!r}"
        count += 1
    return count


def _input_order(answer_id: str) -> tuple[int, int]:
    parts = answer_id.rsplit("_", 2)
    return int(parts[-2]), int(parts[-1])


def test_every_problem_of_every_instance_grades_as_in_open_edx(openedx, embedded_build):  # noqa: F811
    _result, out = embedded_build
    trees = sorted(p for p in Path(out).iterdir() if p.is_dir())
    assert len(trees) == 8, [t.name for t in trees]
    seen: set[bytes] = set()
    graded = problems = 0
    for tree in trees:
        for path in sorted((tree / "problem").glob("*.xml")):
            xml = path.read_bytes()
            problems += 1
            if xml in seen:  # an instance whose problem is the same as another's (de-AT and de share texts)
                continue
            seen.add(xml)
            graded += compare(openedx, xml, f"{tree.name}/problem/{path.name}")
    assert problems >= 8 * 20
    assert graded > 1000, graded


def _q(qtype: str, **kw) -> Question:
    choices = kw.pop("choices", [])
    q = Question(type=qtype, prompt="Which one?", description=None, line=1, **kw)
    q.choices = [Choice(text=t, correct=c, feedback=f"Feedback for {t}", line=1) for t, c in choices]
    return q


def corpus() -> list[ProblemComponent]:
    """Problems covering every grading rule the preview implements."""
    qs = [
        _q("single-choice", choices=[("Alpha", False), ("Beta", True), ("Gamma", False)]),
        _q("multiple-choice", choices=[("A", True), ("B", False), ("C", True)]),
        _q("multiple-choice", partial_credit="halves", choices=[("A", True), ("B", False), ("C", True)]),
        _q("multiple-choice", partial_credit="halves",
           choices=[("A", True), ("B", False), ("C", True), ("D", False), ("E", True)]),
        _q("multiple-choice", partial_credit="halves", choices=[("A", True), ("B", False)]),
        _q("multiple-choice", partial_credit="every-choice",
           choices=[("A", True), ("B", False), ("C", True), ("D", False)]),
        _q("multiple-choice", partial_credit="every-choice",
           choices=[("A", True), ("B", False), ("C", False), ("D", False), ("E", True), ("F", False)]),
        _q("dropdown", choices=[("members' fund", False), ("don't know", True), ("l'élite", False)]),
        _q("numerical", answer="42"),
        _q("numerical", answer="42", tolerance="2"),
        _q("numerical", answer="0.35", tolerance="0.01"),
        _q("numerical", answer="1500", tolerance="5%"),
        _q("numerical", answer="-3.5", tolerance="10%"),
        _q("numerical", answer="[1, 5]"),
        _q("numerical", answer="(1, 5)"),
        _q("numerical", answer="[0.5, 2.5)"),
        _q("numerical", answer="(-10, 10]"),
        _q("text", answers=["Theory of change"]),
        _q("text", answers=["Theory of Change"], case_sensitive=True),
        _q("text", answers=["co-design", "codesign", "co design"]),
        _q("text", answers=["colou?r"], regexp=True),
        _q("text", answers=["[Ss]ocial (enterprise|business)", "SE"], regexp=True, case_sensitive=True),
        _q("text", answers=["impact"], wrong_answers=[("output", "That is what you make, not what changes.")]),
        _q("text", answers=["Bologna"], case_sensitive=True,
           wrong_answers=[("bologna", "Mind the capital letter.")]),
    ]
    problems = [ProblemComponent(id=f"p{i}", title=f"Problem {i}", questions=[q], hints=[], explanation=None,
                                 settings={}, path="x.md", line=1, base_dir="modules")
                for i, q in enumerate(qs)]
    # Several questions in one problem, and weights.
    problems.append(ProblemComponent(id="multi", title="Multi", questions=[qs[0], qs[2], qs[11], qs[19]],
                                     hints=[], explanation=None, settings={"weight": 3.0}, path="x.md", line=1,
                                     base_dir="modules"))
    problems.append(ProblemComponent(id="weighted", title="Weighted", questions=[qs[5]], hints=[],
                                     explanation=None, settings={"weight": 2.5}, path="x.md", line=1,
                                     base_dir="modules"))
    problems.append(ProblemComponent(id="zero", title="Zero", questions=[qs[3], qs[9]], hints=[],
                                     explanation=None, settings={"weight": 0}, path="x.md", line=1,
                                     base_dir="modules"))
    return problems


@pytest.mark.parametrize("component", corpus(), ids=lambda p: p.id)
def test_generated_corpus_grades_as_in_open_edx(openedx, component):  # noqa: F811
    xml = etree.tostring(build_problem(component), encoding="utf-8")
    assert compare(openedx, xml, component.id) >= 3


def test_numbers_as_typed(openedx):  # noqa: F811
    """Arithmetic and suffixes are read as Open edX's calculator reads them; unreadable input grades nothing."""
    component = corpus()[11]  # 1500 ± 5%
    xml = etree.tostring(build_problem(component), encoding="utf-8")
    problem = Problem(xml)
    for typed in ("3000/2", "1500*1.05", "1400+100", "(1000+575)", "15e2", "1575.0001", "2^3", "-1500",
                  "150000%", "sqrt(2250000)", "pi"):
        ours = problem.grade([typed]).outcomes[0].correctness
        capa = openedx.grade_problem_details(xml.decode(), [typed])
        assert ours == next(iter(capa.correct_map.values()))["correctness"], typed
    for typed in ("fifteen hundred", "1.5k", "2*", "1,5"):
        with pytest.raises(InputError):
            problem.grade([typed])
        assert openedx.grade_problem_details(xml.decode(), [typed]).correct_map == {}, typed


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
