"""markdown-it-py without work that changes nothing (olxkit/source/quickparse.py, issue 16): the quiet block rules
and the quick setext-heading test make the same tokens as the library's own rules, and the citation parser that
`i18n extract` reads footnote citations with finds the same ones, numbered the same, as a full inline parse."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from olxkit.source.markdown import make_markdown, parse_for_texts
from olxkit.source.quickparse import citation_parser

from helpers import REPO

LINES = [
    "Plain words", "more words", "===", "---", "- item", "* star item", "1. first", "> quoted", "    indented code",
    "```", "~~~", "## Heading", "# Top", "| a | b |", "|---|---|", "<div>", "</div>", "$$", "x = 1", "!!! note",
    "    inside the box", "[^1]: a note", "[r]: https://example.org", "", "", "", "  - nested", "***", "Title",
    "  ===", "    ---", "-", "=", "text ---", "\t- tabbed", "> ---", "> - quoted item", "-- not a rule",
]

PIECES = [
    "words", "**bold**", "*it*", "_u_", "`code [^1]`", "``x`` ", "$x [^1]$", "$$y$$", "\\[^1]", "\\", "[^1]",
    "[^2]", "[^nope]", "^[inline *note* [^1]]", "^[", "[a [^1] link](https://x.org)", "[x](https://a/[^1])",
    "![img [^2]](p.png)", "<https://x.org/[^1]>", "<span title=\"[^2]\">", "&#91;^1]", "&amp;", "~~s~~", "\n",
    "  \n", "[", "]", "^", "!", "<", "$", "`", "[^1][^2]", "[ref][r]", "[^1]^[b]",
]


def _tokens(md, text):
    return [t.as_dict() for t in md.parse(text, {})]


@st.composite
def documents(draw):
    return "\n".join(draw(st.lists(st.sampled_from(LINES), min_size=1, max_size=25)))


@settings(max_examples=400, deadline=None)
@given(documents())
def test_quick_block_rules_make_the_same_tokens(text):
    assert _tokens(make_markdown(), text) == _tokens(make_markdown(quick=False), text)


def test_quick_block_rules_on_the_course():
    lessons = sorted((REPO / "modules").rglob("*.md")) + sorted((REPO / "course").rglob("*.md"))
    assert len(lessons) > 10
    for path in lessons:
        text = path.read_text(encoding="utf-8")
        assert _tokens(make_markdown(), text) == _tokens(make_markdown(quick=False), text), path


def test_the_library_is_left_as_it_is():
    # Our parser runs copies of the rules; markdown-it's own modules and a parser made by someone else log as ever.
    import importlib
    import logging

    from markdown_it import MarkdownIt

    module = importlib.import_module("markdown_it.rules_block.paragraph")
    make_markdown()
    assert isinstance(module.LOGGER, logging.Logger)
    other = MarkdownIt("commonmark")
    assert any(r.fn is module.paragraph for r in other.block.ruler.__rules__)
    ours = {r.name: r.fn for r in make_markdown().block.ruler.__rules__}
    assert ours["paragraph"] is not module.paragraph
    assert ours["paragraph"].__globals__["LOGGER"] is not module.LOGGER


def _citations(parser, text):
    md = make_markdown()
    env = {"references": {"R": {"href": "https://example.org", "title": ""}},
           "footnotes": {"refs": {":1": -1, ":2": -1}}}
    tokens: list = []
    parser.parse(text, md, env, tokens)
    found = []

    def walk(toks):
        for t in toks:
            if t.type == "footnote_ref":
                found.append(dict(t.meta))
            walk(t.children or [])

    walk(tokens)
    notes = env["footnotes"]
    listed = {k: {"label": v.get("label"), "count": v.get("count"), "content": v.get("content")}
              for k, v in notes.get("list", {}).items()}
    return found, notes.get("refs"), listed


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map(" ".join))
def test_citation_parser_finds_what_a_full_parse_finds(text):
    md = make_markdown()
    assert _citations(citation_parser(md), text) == _citations(md.inline, text)


def test_texts_parse_numbers_footnotes_as_a_full_parse():
    lesson = ("## Unit {#u}\n\nSee *this*[^a] and `[^b]` and \\[^b] and ^[inline, with [^b]].\n\n"
              "[a [^b] link](https://x.org) then [^c].\n\n[^a]: First.\n[^b]: Second.\n[^c]: Third.\n[^d]: Unused.\n")
    full_env: dict = {}
    make_markdown().parse(lesson, full_env)
    texts_env: dict = {}
    parse_for_texts(lesson, texts_env)
    assert texts_env["footnotes"]["refs"] == full_env["footnotes"]["refs"]
    assert [v.get("label") for v in texts_env["footnotes"]["list"].values()] == \
        [v.get("label") for v in full_env["footnotes"]["list"].values()] == ["a", None, "b", "c"]


def test_repo_helper_points_at_the_course():
    assert Path(REPO, "course", "course.yaml").is_file()


HEADING_PIECES = ["Unit", "one", "{#unit-1}", "x: y", "a-b", "50%", "+1", "=", "@home", "#3", "(c)", "|", "}", "{",
                  "*", "_", "`x`", "$", "&amp;", "[", "]", "!", "^", "<b>", "~", "\\", "é", "  ", "'q'", '"q"']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(HEADING_PIECES), min_size=0, max_size=8).map(" ".join))
def test_plain_heading_is_the_parsers_one_text_token(text):
    from olxkit.source.quickparse import PlainFirst

    md = make_markdown()
    ours = PlainFirst(md).parse(text, md, {}, [])
    full = md.inline.parse(text, md, {}, [])
    assert [t.as_dict() for t in ours] == [t.as_dict() for t in full]
