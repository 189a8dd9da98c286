"""The build's learner-state record (build/.olxkit-manifest.json) is made as the OLX is exported
(`export_olx(..., learners=True)`, olx/learners.Recorder) instead of by parsing the files back; it must be exactly
what reading the files gives (`learner_blocks(files)`), for every course shape, whole and in shares.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest
from lxml import etree

from olxkit.olx.learners import built_answers, learner_blocks
from olxkit.olx.read import response_answers
from olxkit.olx_export import export_olx
from olxkit.source.loader import load_course

from helpers import run_cli

REPO = Path(__file__).resolve().parent.parent
PROBLEMS = Path(__file__).parent / "fixtures" / "problems"
sys.path.insert(0, str(REPO / "bench"))

from build_bench import CourseGenerator  # noqa: E402

FRAGMENTS = ["plain", "**bold**", "*it*", "`code`", "$x^2$", "~~gone~~", "<span>raw</span>", "a&b", "x  y",
             "[link](https://example.org)", "![pic](../../course/static/images/diagram.svg)"]


def _same_record(root: Path) -> dict:
    course = load_course(root)
    whole, diags = export_olx(course, learners=True)
    assert not diags.errors, diags.items
    expected = learner_blocks(whole.files)
    assert whole.learners == expected
    assert list(whole.learners) == list(expected)  # the same key order (the manifest is written as it comes)
    for n in (2, 3):
        for k in range(n):
            share, _diags = export_olx(course, part=(k, n), learners=True)
            assert share.learners == learner_blocks(share.files)
    plain, _diags = export_olx(course)
    assert plain.learners is None and plain.files == whole.files
    return expected


def test_the_embedded_course():
    blocks = _same_record(REPO)
    assert sum(b["graded"] for b in blocks.values()) >= 20


def test_every_problem_type_of_the_fixture_course():
    blocks = _same_record(PROBLEMS)
    assert len(blocks) >= 15


def test_the_bench_course(tmp_path):
    CourseGenerator(300).write(tmp_path / "bench")
    _same_record(tmp_path / "bench")


def _random_choices(rng: random.Random, n: int) -> str:
    out = []
    for i in range(n):
        words = " ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 3)))
        glue = "" if rng.random() < 0.5 else " "
        text = glue.join(rng.choice(FRAGMENTS[1:5]) for _ in range(2)) if rng.random() < 0.4 else words
        entry = f"  - text: {text!r}\n" + ("    correct: true\n" if i == 0 else "")
        if rng.random() < 0.5:
            entry += f"    feedback: {rng.choice(FRAGMENTS)!r}\n"
        out.append(entry)
    return "".join(out)


@pytest.mark.parametrize("seed", range(4))
def test_random_choice_markup_and_raw_blocks(tmp_path, seed):
    """Choices whose text is only markup (`**a***b*`: two elements, no text of their own) read back with a space
    between them: the record reads such problems from their file; raw inline blocks are read as written."""
    rng = random.Random(seed)
    root = tmp_path / "course"
    shutil.copytree(PROBLEMS, root)
    lesson = root / "modules" / "01-practice" / "01-choices.md"
    units = []
    for u in range(6):
        kind = rng.choice(["single-choice", "multiple-choice"])
        units.append(f"## Random {u} {{#random-{u}}}\n\n```problem\nid: r{u}\ntitle: Random {u}\ntype: {kind}\n"
                     f"prompt: Pick.\nchoices:\n{_random_choices(rng, rng.randint(2, 4))}```\n")
    units.append('## Raw {#raw}\n\n```olx\n<problem url_name="raw-quiz" display_name="Raw"><multiplechoiceresponse>'
                 '<choicegroup type="MultipleChoice"><choice correct="true"><b>x</b><i>y</i></choice>'
                 '<choice correct="false">n</choice></choicegroup></multiplechoiceresponse></problem>\n```\n\n'
                 '```olx\n<drag-and-drop-v2 url_name="dnd" display_name="Drag"/>\n```\n')
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + "\n".join(units), encoding="utf-8")
    blocks = _same_record(root)
    raw = [block for key, block in blocks.items() if key.startswith("problem/") and block["title"] == "Raw"]
    assert [block["answers"] for block in raw] == [["xy"]]  # inline: written as it came, not indented
    assert any(key.startswith("drag-and-drop-v2/") for key in blocks)


def test_an_imported_course_with_kept_files_and_pinned_attributes(tmp_path):
    studio = Path(__file__).parent / "fixtures" / "studio-export"
    project = tmp_path / "project"
    result = run_cli("import", str(studio / "course"), "-o", str(project))
    assert result.exit_code == 0, result.output
    assert _same_record(project)


def test_an_element_only_choice_is_read_back_not_trusted():
    """What pretty-printing does to a choice with elements only: the in-memory text would be wrong."""
    root = etree.fromstring('<problem><multiplechoiceresponse><choicegroup><choice correct="true"><b>a</b><i>b</i>'
                            '</choice></choicegroup></multiplechoiceresponse></problem>')
    read_back = etree.fromstring(etree.tostring(root, pretty_print=True))
    assert response_answers(root) != response_answers(read_back)
    assert built_answers(root) is None
    mixed = etree.fromstring('<problem><multiplechoiceresponse><choicegroup><choice correct="true">a<b>b</b>'
                             '<choicehint>no</choicehint></choice></choicegroup></multiplechoiceresponse></problem>')
    again = etree.fromstring(etree.tostring(mixed, pretty_print=True))
    assert built_answers(mixed) == response_answers(again) == (("multiplechoiceresponse",), ("ab",))
