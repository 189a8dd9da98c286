"""The outline read (source/headings.py and `load_course_with_warnings(..., full=…)`): a lesson's units found by a
line scan must be markdown-it's, whenever the scan answers; a course read for its outline has every module,
lesson and unit of the full read, with components only in the lessons read in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit import component_types
from olxkit.diagnostics import OlxkitError
from olxkit.source.cache import LessonCache
from olxkit.source.headings import unit_headings
from olxkit.source.lesson import split_front_matter
from olxkit.source.loader import PAGES, load_course_with_warnings
from olxkit.source.markdown import LessonSyntaxError, parse_lesson

from helpers import REPO, copy_course

FENCES = component_types.fence_names()

# Lines of every kind that decides where a unit starts: headings of each level and indentation, their titles'
# markup, ids and closing hashes, fences (components, code, longer, tildes, unclosed, with backticks in the info),
# display formulas (one line, several, with blank lines, labelled, unclosed), HTML blocks, setext underlines,
# lists, quotes, admonitions, tables, footnotes, tabs, and plain text.
LINES = ["## Unit one", "## Unit two {#two}", "## *Em* and `code` {#em-code}", "## Title ##", "##", "## {#only-id}",
         "## [Link](x.md) title", "## Footnote[^1]", "## A &amp; B", "## Trailing \\#", "##No space", "# Lesson title",
         "### Sub-heading", "#### Deep", " ## One space", "   ## Three spaces", "    ## Four spaces", "\t## Tab",
         "- ## In a list", "> ## In a quote", "text", "More text with *emphasis*.", "Text before", "- item",
         "  - nested item", "1. first", "   continued", "    indented code", "```", "```problem", "```python",
         "```video", "````", "~~~", "~~~text", "``` x`y", "  ```", "---", "===", "-", "  ---", "***", "", "   ",
         "<div>", "</div>", "<!--", "-->", "  <p>", "<pre>", "</pre>", "<PRE>", "<script>", "<?php", "?>",
         "<!DOCTYPE html>", "<span>inline</span> text", "< q is text", "  <!--",
         "$$", "$$ x = 1 $$", "x = 2 $$", "$$ a $$ (1)", "$$x", "y$$",
         "$$$", "  $$", "!!! note", "!!! tip \"Title\"", "    admonition body", "| a | b |", "|---|---|",
         "[^1]: A footnote.", "    more of it", "[x]: https://example.org", "id: q1", "type: single"]

UNIT_HEADINGS = ["## Unit one", "## Unit two {#two}", "## *Em* and `code` {#em-code}", "## Title ##", "## A &amp; B",
                 "## Trailing \\#", "## {#only-id}", "## Unit one", "## `x` {#x}"]
# Blocks of a plain lesson (each ends with a blank line), and blocks the scan must see through or give up on.
PLAIN = ["", "text\n", "More text with *emphasis*.\n", "- item\n- item\n", "```problem\nid: q1\n# a comment\n```\n",
         "```python\n# code\n\n```\n", "~~~~\n```\n# x\n~~~~\n", "$$\nx\n\n## not a unit\n$$\n", "$$ a $$\n",
         "| a |\n|---|\n", "    indented code\n", "---\n", "!!! note\n    ## in a note\n", "<div>\n</div>\n",
         "text\n<span>x</span>\n"]
TRICKY = ["<!--\n\n## x\n-->", "<div>\n## in html\n</div>", "```\n## in code\n```", "text\n---", "text\n## x"]


def _lesson(units: list[tuple[str, list[str]]]) -> str:
    return "".join(f"{heading}\n\n" + "".join(f"{line}\n" for line in lines) for heading, lines in units)


# Lines at random, and lessons made of units (a heading, a blank line, lines: blank and plain ones often).
bodies = st.one_of(
    st.lists(st.sampled_from(LINES), min_size=1, max_size=24).map("\n".join),
    st.lists(st.tuples(st.sampled_from(UNIT_HEADINGS * 16 + LINES),
                       st.lists(st.sampled_from(PLAIN * 40 + TRICKY + LINES), max_size=6)),
             min_size=1, max_size=5).map(_lesson))


def _parsed_units(body: str, offset: int):
    try:
        units, _env = parse_lesson(body, offset, FENCES, texts_only=True)
    except LessonSyntaxError:
        return None
    return [(u.title, u.id, u.line) for u in units]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.integers(min_value=0, max_value=9))
def test_the_scan_finds_the_units_the_parse_finds(body, offset):
    scanned = unit_headings(body, offset)
    if scanned is not None:
        parsed = _parsed_units(body, offset)
        assert parsed is not None, body  # the scan answers only for lessons that parse
        assert [(u.title, u.id, u.line) for u in scanned] == parsed, body


def _lessons(root: Path):
    for path in sorted(root.glob("modules/*/*.md")):
        _front, body, offset = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        yield path, body, offset


def test_the_scan_answers_for_the_embedded_course_as_the_parse():
    answered = 0
    for path, body, offset in _lessons(REPO):
        scanned = unit_headings(body, offset)
        if scanned is not None:
            assert [(u.title, u.id, u.line) for u in scanned] == _parsed_units(body, offset), path
            answered += 1
    assert answered == len(list(REPO.glob("modules/*/*.md")))  # every lesson of the course: no parse needed


def test_the_scan_on_a_generated_course(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from build_bench import CourseGenerator

    CourseGenerator(600).write(tmp_path / "gen")
    lessons = list(_lessons(tmp_path / "gen"))
    assert lessons
    for path, body, offset in lessons:
        scanned = unit_headings(body, offset)
        assert scanned is not None, path
        assert [(u.title, u.id, u.line) for u in scanned] == _parsed_units(body, offset), path


def _shape(course):
    return [(m.id, m.title, [(le.id, le.title, le.graded, le.format, le.due, le.start, le.path,
                              [(u.id, u.title, u.line, u.path, u.id_pinned) for u in le.units])
                             for le in m.lessons]) for m in course.modules]


def test_an_outline_read_has_the_full_reads_outline():
    full, _ = load_course_with_warnings(REPO)
    lessons = [le.path for le in full.lessons()]
    shown = {lessons[3]}
    outline, _ = load_course_with_warnings(REPO, full=shown)
    assert _shape(outline) == _shape(full)
    for lesson, whole in zip(outline.lessons(), full.lessons(), strict=True):
        components = [[c.id for c in u.components] for u in lesson.units]
        expected = [[c.id for c in u.components] for u in whole.units]
        assert components == (expected if lesson.path in shown else [[] for _ in whole.units]), lesson.path
    assert full.about.overview is not None and full.handouts is not None and full.updates
    assert outline.about.overview is None and outline.handouts is None and not outline.updates  # not read
    assert outline.assets == full.assets and outline.about.short_description == full.about.short_description
    pages, _ = load_course_with_warnings(REPO, full=PAGES)
    assert pages.about.overview.tokens and pages.handouts.tokens and len(pages.updates) == len(full.updates)


def test_the_cache_keeps_outline_and_full_reads_apart(tmp_path):
    project = copy_course(tmp_path / "p")
    cache = LessonCache()
    outline, _ = load_course_with_warnings(project, cache, full=())
    lessons = [le.path for le in outline.lessons()]
    assert all(not c for le in outline.lessons() for u in le.units for c in [u.components])
    again, _ = load_course_with_warnings(project, cache, full={lessons[0]})
    assert cache.parsed == [lessons[0]]  # the others' outlines came from the cache
    assert [u.components for u in next(again.lessons()).units][0]
    whole, _ = load_course_with_warnings(project, cache)
    assert sorted(cache.parsed) == sorted(lessons[1:])  # the lesson read in full already is not read again
    assert all(u.components for le in whole.lessons() for u in le.units)


def test_an_outline_read_reports_what_it_reads(tmp_path):
    """Errors in what an outline read reads (front matter, unit headings) fail it as they fail the full read;
    errors inside a lesson's body it did not read in full are the full read's to report."""
    project = copy_course(tmp_path / "p")
    rel = "modules/01-what-is-social-innovation/03-quiz.md"
    lesson = project / rel
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("```problem", "```problme", 1), encoding="utf-8")
    load_course_with_warnings(project, full=())  # the body is not read: no error yet
    with pytest.raises(OlxkitError) as full:
        load_course_with_warnings(project, full={rel})
    assert [(d.path, d.code) for d in full.value.diagnostics] == [(rel, "SYN005")]
    assert "problme" in full.value.diagnostics[0].message
    lesson.write_text(text.replace("title:", "title: [unclosed\nx:", 1), encoding="utf-8")
    with pytest.raises(OlxkitError) as outline:
        load_course_with_warnings(project, full=())
    assert [d.path for d in outline.value.diagnostics] == [rel]
