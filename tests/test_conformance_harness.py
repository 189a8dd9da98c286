# ruff: noqa: F811  (pytest fixtures imported from conftest_conformance are redefined as arguments)
"""Tests of the Open edX conformance harness itself, on the hand-written OLX sample.

They prove the harness can pass (the sample is clean) and can fail (broken copies are
caught), and that CAPA grading through it behaves like the LMS.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # also works under --import-mode=importlib

from conftest_conformance import olx_sample_dir, olxcleaner_checker, openedx  # noqa: E402,F401

# third-party deprecations (openedx-calc uses pyparsing's camelCase API; webob imports cgi)
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*deprecated.*:Warning:calc"),
]

PROBLEMS = Path(__file__).parent / "fixtures" / "olx-sample" / "problem"


def problem(name: str) -> str:
    return (PROBLEMS / f"{name}.xml").read_text(encoding="utf-8")


@pytest.fixture
def course_copy(tmp_path, olx_sample_dir):
    """A writable copy of the sample course."""
    dest = tmp_path / "course"
    shutil.copytree(olx_sample_dir, dest)
    return dest


# ----------------------------------------------------------------------------- olxcleaner


@pytest.mark.parametrize("steps", [1, 8])
def test_sample_passes_olxcleaner_without_findings(olxcleaner_checker, olx_sample_dir, steps):
    findings = olxcleaner_checker.olxcleaner_findings(olx_sample_dir, steps=steps)
    assert olxcleaner_checker.olxcleaner_errors(olx_sample_dir, steps=steps) == []
    # the sample is meant as a model: not even warnings
    assert findings == [], olxcleaner_checker.format_findings(findings)


def test_html_parser_is_as_strict_as_studio(olxcleaner_checker):
    """Studio pins lxml 5.3 (libxml2 2.12); libxml2 >= 2.14 accepts HTML5 tags that Studio's
    olxcleaner gate rejects, so the harness must not run on a newer one."""
    from lxml import etree

    assert etree.LIBXML_VERSION < (2, 14), (
        f"libxml2 {etree.LIBXML_VERSION} is looser than Studio's; install requirements-conformance.txt"
    )


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _edit_json(path: Path, fn) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def break_unclosed_tag(d: Path) -> None:
    _write(d / "html/m1_s1_u1_txt.html", "<p>An <b>unclosed bold tag</p>\n")


def break_html5_tag(d: Path) -> None:
    _write(d / "html/m1_s1_u1_txt.html", '<figure><img src="/static/figure.png" alt=""/></figure>\n')


def break_bare_ampersand(d: Path) -> None:
    _write(d / "html/m1_s1_u1_txt.html", "<p>Salt & pepper</p>\n")


def break_empty_html(d: Path) -> None:
    _write(d / "html/m1_s1_u1_txt.html", "")


def break_missing_pointer_target(d: Path) -> None:
    (d / "problem/m1_q_u1_dd.xml").unlink()


def break_malformed_xml(d: Path) -> None:
    _write(d / "problem/m1_q_u2_num.xml", "<problem><numericalresponse answer='1'></problem>")


def break_pointer_with_extra_attribute(d: Path) -> None:
    path = d / "vertical/m1_q_u1.xml"
    _write(
        path,
        path.read_text().replace(
            '<problem url_name="m1_q_u1_dd"/>', '<problem url_name="m1_q_u1_dd" display_name="Dropdown"/>'
        ),
    )


def break_discussion_without_id(d: Path) -> None:
    path = d / "vertical/m1_s1_u1.xml"
    _write(path, path.read_text().replace(' discussion_id="olxkit-2025_T1-m1_s1_u1_disc"', ""))


def break_course_without_end(d: Path) -> None:
    _edit_json(d / "policies/2025_T1/policy.json", lambda p: p["course/2025_T1"].pop("end"))


def break_grader_weights(d: Path) -> None:
    _edit_json(d / "policies/2025_T1/grading_policy.json", lambda p: p["GRADER"][0].update(weight=0.8))


def break_missing_grading_policy(d: Path) -> None:
    (d / "policies/2025_T1/grading_policy.json").unlink()


def break_invalid_showanswer(d: Path) -> None:
    path = d / "problem/m1_q_u1_mc.xml"
    _write(path, path.read_text().replace('showanswer="finished"', 'showanswer="after_all_attempts"'))


def break_duplicate_url_name_across_types(d: Path) -> None:
    path = d / "vertical/m1_q_u1.xml"
    _write(path, path.read_text().replace('url_name="m1_q_u1_dd"', 'url_name="m1_s1_u1_txt"'))
    shutil.move(d / "problem/m1_q_u1_dd.xml", d / "problem/m1_s1_u1_txt.xml")


def break_policy_key_without_slash(d: Path) -> None:
    _edit_json(d / "policies/2025_T1/policy.json", lambda p: p.update(course={"display_name": "x"}))


def break_unknown_tag_in_sequential(d: Path) -> None:
    path = d / "sequential/m1_s1.xml"
    _write(path, path.read_text().replace("</sequential>", '<problem url_name="m1_q_u1_mc"/></sequential>'))


BREAKAGES = [
    (break_unclosed_tag, "InvalidHTML", "html/m1_s1_u1_txt.html"),
    (break_html5_tag, "InvalidHTML", "html/m1_s1_u1_txt.html"),
    (break_bare_ampersand, "InvalidHTML", "html/m1_s1_u1_txt.html"),
    (break_empty_html, "InvalidHTML", "html/m1_s1_u1_txt.html"),
    (break_missing_pointer_target, "FileDoesNotExist", "vertical/m1_q_u1.xml"),
    (break_malformed_xml, "InvalidXML", "problem/m1_q_u2_num.xml"),
    (break_pointer_with_extra_attribute, "InvalidPointer", "vertical/m1_q_u1.xml"),
    (break_discussion_without_id, "InvalidSetting", "vertical/m1_s1_u1.xml"),
    (break_course_without_end, "InvalidSetting", "course/2025_T1.xml"),
    (break_grader_weights, "GradingPolicyIssue", "grading_policy.json"),
    (break_missing_grading_policy, "PolicyNotFound", "policies/2025_T1/grading_policy.json"),
    (break_invalid_showanswer, "InvalidSetting", "problem/m1_q_u1_mc.xml"),
    (break_duplicate_url_name_across_types, "DuplicateURLName", "vertical/m1_q_u1.xml"),
    (break_policy_key_without_slash, "ValidatorCrashed", ""),
    (break_unknown_tag_in_sequential, "UnexpectedTag", "sequential/m1_s1.xml"),
]


@pytest.mark.parametrize(("breaker", "name", "filename"), BREAKAGES, ids=[b[0].__name__ for b in BREAKAGES])
def test_broken_copy_yields_olxcleaner_error(olxcleaner_checker, course_copy, breaker, name, filename):
    breaker(course_copy)
    errors = olxcleaner_checker.olxcleaner_errors(course_copy)
    assert any(e.name == name and e.filename == filename for e in errors), olxcleaner_checker.format_findings(errors)


# ------------------------------------------------------------------ xblocks-contrib parsing

EXPECTED_COUNTS = {
    "chapter": 1,
    "sequential": 2,
    "vertical": 3,
    "html": 1,
    "video": 1,
    "discussion": 1,
    "problem": 6,
}


def test_setup_is_idempotent(openedx):
    openedx.setup_openedx()
    openedx.setup_openedx()


def test_every_block_of_the_sample_parses(openedx, olx_sample_dir):
    assert openedx.parse_course_blocks(olx_sample_dir) == EXPECTED_COUNTS


def test_parsed_fields_are_what_the_olx_says(openedx, olx_sample_dir):
    parsed = openedx.parse_course(olx_sample_dir)
    assert str(parsed.target_course_key) == "course-v1:OlxKit+CONF101+2025_T1"
    (html,) = parsed.of_type("html")
    assert html.block.display_name == "Welcome" and html.block.editor == "raw"
    assert "introducción" in html.block.data
    (video,) = parsed.of_type("video")
    assert video.block.youtube_id_1_0 == ""
    assert video.block.html5_sources == ["https://cdn.example.org/olxkit/welcome.mp4"]
    assert video.block.transcripts == {"en": "welcome-en.srt"}
    mc = next(b for b in parsed.of_type("problem") if b.url_name == "m1_q_u1_mc")
    assert (mc.block.max_attempts, mc.block.weight, mc.block.showanswer) == (2, 1.0, "finished")


def test_video_transcript_is_imported_into_edxval(openedx, olx_sample_dir):
    from edxval import api as edxval_api

    (video,) = openedx.parse_course(olx_sample_dir).of_type("video")
    data = edxval_api.get_video_transcript_data(video.block.edx_video_id, "en")
    assert data is not None
    assert b"olxkit conformance sample" in data["content"]


def test_parse_names_the_missing_pointer_target(openedx, course_copy):
    break_missing_pointer_target(course_copy)
    with pytest.raises(openedx.HarnessError, match=r"problem/m1_q_u1_dd\.xml"):
        openedx.parse_course_blocks(course_copy)


def test_parse_names_the_malformed_file(openedx, course_copy):
    break_malformed_xml(course_copy)
    with pytest.raises(openedx.HarnessError, match=r"problem/m1_q_u2_num\.xml.*not well-formed"):
        openedx.parse_course_blocks(course_copy)


def test_parse_rejects_invalid_capa(openedx, course_copy):
    _write(
        course_copy / "problem/m1_q_u2_num.xml",
        '<problem display_name="x"><numericalresponse answer="5"><textline/><textline/></numericalresponse></problem>',
    )
    with pytest.raises(openedx.HarnessError, match=r"problem/m1_q_u2_num\.xml.*LoncapaProblem"):
        openedx.parse_course_blocks(course_copy)


def test_parse_rejects_bad_course_key_characters(openedx, course_copy):
    _write(course_copy / "course.xml", '<course url_name="2025_T1" org="Olx Kit" course="CONF101"/>')
    with pytest.raises(openedx.HarnessError, match=r"course\.xml: invalid course key"):
        openedx.parse_course_blocks(course_copy)


def test_parse_collects_lossy_input_and_strict_mode_raises(openedx, course_copy):
    video = course_copy / "video/m1_s1_u1_vid.xml"
    _write(video, video.read_text().replace(' youtube_id_1_0=""', ""))
    (course_copy / "static/welcome-en.srt").unlink()
    mc = course_copy / "problem/m1_q_u1_mc.xml"
    _write(mc, mc.read_text().replace('max_attempts="2"', 'max_attempt="2"'))
    dd = course_copy / "problem/m1_q_u1_dd.xml"
    _write(dd, dd.read_text().replace("<optioninput>", "").replace("</optioninput>", ""))

    warnings = "\n".join(openedx.parse_course(course_copy).warnings)
    assert "youtube_id_1_0" in warnings
    assert "transcript en='welcome-en.srt' was not imported" in warnings
    assert "problem/m1_q_u1_mc.xml: <problem> attributes ignored by the block: max_attempt" in warnings
    assert "problem/m1_q_u1_dd.xml: <problem>: response 0 <optionresponse> has no input element" in warnings
    with pytest.raises(openedx.HarnessError, match="lossy"):
        openedx.parse_course_blocks(course_copy)
    assert openedx.parse_course_blocks(course_copy, strict=False) == EXPECTED_COUNTS


# --------------------------------------------------------------------------- CAPA grading

CORRECT = {
    "m1_q_u1_mc": [1],
    "m1_q_u1_cb": [[0, 2]],
    "m1_q_u1_dd": ["vegetable"],
    "m1_q_u2_num": ["600"],
    "m1_q_u2_txt": ["Doc"],
    "m1_q_u2_multi": ["100 °C", "3.14"],
}
WRONG = {
    "m1_q_u1_mc": [0],
    "m1_q_u1_cb": [[1, 3]],
    "m1_q_u1_dd": ["fruit"],
    "m1_q_u2_num": ["700"],
    "m1_q_u2_txt": ["Snow White"],
    "m1_q_u2_multi": ["90 °C", "2.5"],
}


def test_answer_tables_cover_every_sample_problem(openedx, olx_sample_dir):
    assert set(openedx.course_problems(olx_sample_dir)) == set(CORRECT) == set(WRONG)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_answers_get_full_credit(openedx, name):
    earned, possible = openedx.grade_problem(problem(name), CORRECT[name])
    assert possible == len(CORRECT[name]) and earned == possible


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_answers_get_zero(openedx, name):
    earned, possible = openedx.grade_problem(problem(name), WRONG[name])
    assert (earned, possible) == (0.0, float(len(WRONG[name])))


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_sample_problems_are_sound(openedx, name):
    assert openedx.check_problem(problem(name)) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("600", 1.0),
        ("605", 1.0),
        ("604.99", 1.0),
        ("595", 1.0),
        ("6e2", 1.0),
        ("605.01", 0.0),
        ("594.99", 0.0),
        ("-600", 0.0),
    ],
)
def test_numerical_tolerance_boundaries(openedx, typed, expected):
    # answer 600, absolute tolerance 5: the interval [595, 605] is inclusive
    assert openedx.grade_problem(problem("m1_q_u2_num"), [typed]) == (expected, 1.0)


def test_numerical_percentage_tolerance(openedx):
    # pi with a 1% tolerance: |x - 3.14159| <= 0.0314159
    xml = problem("m1_q_u2_multi")
    assert openedx.grade_problem(xml, ["100 °C", "3.17"]) == (2.0, 2.0)
    assert openedx.grade_problem(xml, ["100 °C", "3.18"]) == (1.0, 2.0)


def test_invalid_numerical_input_is_reported_not_graded(openedx):
    result = openedx.grade_problem_details(problem("m1_q_u2_num"), ["abc"])
    assert (result.earned, result.possible) == (0.0, 1.0)
    assert "abc" in result.success and result.success not in ("correct", "incorrect")


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [([0, 2], 1.0), ([0], 0.75), ([0, 1, 2], 0.75), ([0, 1], 0.5), ([1, 3], 0.0), ([0, 1, 2, 3], 0.5)],
)
def test_checkbox_partial_credit_edc(openedx, ticked, expected):
    # EDC: every one of the 4 decisions (tick / leave) is worth a quarter
    assert openedx.grade_problem(problem("m1_q_u1_cb"), [ticked]) == (expected, 1.0)


def test_checkbox_partial_credit_halves(openedx):
    xml = problem("m1_q_u1_cb").replace('partial_credit="EDC"', 'partial_credit="halves"')
    assert openedx.grade_problem(xml, [[0, 2]]) == (1.0, 1.0)
    assert openedx.grade_problem(xml, [[0]]) == (0.5, 1.0)  # one mistake: half credit
    assert openedx.grade_problem(xml, [[0, 1, 2]]) == (0.5, 1.0)
    assert openedx.grade_problem(xml, [[1, 3]]) == (0.0, 1.0)


def test_checkbox_without_partial_credit_is_all_or_nothing(openedx):
    xml = problem("m1_q_u1_cb").replace(' partial_credit="EDC"', "")
    assert openedx.grade_problem(xml, [[0, 2]]) == (1.0, 1.0)
    assert openedx.grade_problem(xml, [[0]]) == (0.0, 1.0)


@pytest.mark.parametrize("typed", ["Doc", "doc", "DOC", "Sleepy", "sleepy", "DOPEY", "  dopey  "])
def test_case_insensitive_text_answers(openedx, typed):
    assert openedx.grade_problem(problem("m1_q_u2_txt"), [typed]) == (1.0, 1.0)


def test_text_answers_are_case_sensitive_without_ci(openedx):
    xml = problem("m1_q_u2_txt").replace(' type="ci"', "")
    assert openedx.grade_problem(xml, ["Doc"]) == (1.0, 1.0)
    assert openedx.grade_problem(xml, ["doc"]) == (0.0, 1.0)
    assert openedx.grade_problem(xml, ["sleepy"]) == (0.0, 1.0)


def test_input_ids_and_choice_names_follow_capa(openedx):
    assert openedx.capa_input_ids(problem("m1_q_u2_multi")) == [["harness_problem_2_1"], ["harness_problem_3_1"]]
    mc = openedx.grade_problem_details(problem("m1_q_u1_mc"), [2])
    assert mc.submission == {"input_harness_problem_2_1": "choice_2"}
    cb = openedx.grade_problem_details(problem("m1_q_u1_cb"), [[1, 3]])
    assert cb.submission == {"input_harness_problem_2_1[]": ["choice_1", "choice_3"]}
    multi = openedx.grade_problem_details(problem("m1_q_u2_multi"), ["100 °C", "3.14"])
    assert multi.submission == {"input_harness_problem_2_1": "100 °C", "input_harness_problem_3_1": "3.14"}
    assert multi.correct_map["harness_problem_3_1"]["correctness"] == "correct"
    assert openedx.correct_answers(problem("m1_q_u1_cb")) == [["choice_0", "choice_2"]]


def test_choice_indices_follow_authored_order_when_shuffled(openedx):
    xml = problem("m1_q_u1_mc").replace('shuffle="false"', 'shuffle="true"')
    html = openedx.render_problem(xml)
    assert html.index("Melbourne") < html.index("Sydney")  # seed 1 really shuffles
    assert openedx.grade_problem(xml, [1]) == (1.0, 1.0)  # Canberra, 2nd as authored
    assert openedx.grade_problem(xml, [0]) == (0.0, 1.0)


def test_weight_scales_the_weighted_score(openedx):
    xml = problem("m1_q_u2_multi").replace("<problem ", '<problem weight="10" ')
    result = openedx.grade_problem_details(xml, ["100 °C", "0"])
    assert (result.earned, result.possible) == (1.0, 2.0)
    assert (result.weighted_earned, result.weighted_possible) == (5.0, 10.0)


def test_answer_count_must_match_responses(openedx):
    with pytest.raises(ValueError, match="1 answers given for 2 responses"):
        openedx.grade_problem(problem("m1_q_u2_multi"), ["100 °C"])


# --------------------------------------------------------------------------- CAPA rendering


def test_render_problem_returns_lms_html(openedx):
    html = openedx.render_problem(problem("m1_q_u1_dd"))
    assert "A potato is a ..." in html
    assert 'name="input_harness_problem_2_1"' in html
    assert "vegetable" in html
    html = openedx.render_problem(problem("m1_q_u2_num"))
    assert 'id="input_harness_problem_2_1"' in html and "formulaequationinput" in html


def test_render_problem_raises_on_invalid_capa(openedx):
    with pytest.raises(Exception, match="cannot have more than 1 input"):
        openedx.render_problem(
            "<problem><numericalresponse answer='5'><textline/><textline/></numericalresponse></problem>"
        )


def test_check_problem_flags_unsolvable_problems(openedx):
    # the OLX docs' dropdown snippet without <optioninput>: renders, but has no input
    bare = (
        "<problem><optionresponse><option correct='True'>a</option>"
        "<option correct='False'>b</option></optionresponse></problem>"
    )
    assert openedx.check_problem(bare) == ["response 0 <optionresponse> has no input element"]
    no_correct = (
        "<problem><multiplechoiceresponse><choicegroup type='MultipleChoice'>"
        "<choice correct='false'>a</choice></choicegroup></multiplechoiceresponse></problem>"
    )
    assert openedx.check_problem(no_correct) == ["response 0 <multiplechoiceresponse> has no correct answer"]
    bad_answer = "<problem><numericalresponse answer='abc'><formulaequationinput/></numericalresponse></problem>"
    assert "earn 0.0/1.0" in openedx.check_problem(bad_answer)[0]
    assert openedx.check_problem("<problem><p>text only</p></problem>") == ["no response element (nothing to grade)"]
