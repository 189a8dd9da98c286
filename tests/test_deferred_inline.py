"""A build parses a lesson's inline Markdown where it renders it (issue 16): runs that the reading of the lesson
does not need (no link, image, raw HTML or footnote citation) keep `children = None` until `render` parses them,
and a translated run is parsed only when its variant is rendered. The HTML is exactly a full parse's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from olxkit.i18n import locales
from olxkit.i18n.variant import load_tables, make_variant
from olxkit.source.fastinline import inline_parts
from olxkit.source.instances import load_instances
from olxkit.source.loader import load_course
from olxkit.source.markdown import make_markdown, parse_deferred, render
from olxkit.source.runs import checked_children

from helpers import copy_course, link_view

PIECES = [
    "Plain words", "**bold**", "*italic*", "`code`", "$x^2 < y$", "a < b", "[a link](https://example.org)",
    "[ref][r]", "![a chart](chart.png)", "<span>raw</span>", "<https://example.org>", "note[^1]", "^[inline note]",
    "\\*escaped\\*", "&amp;", "~~gone~~", "line  \nbreak", "x_y_z", "[^2]",
]
BLOCKS = ["", "- item {}\n- other {}", "> quoted {}", "| a | b |\n|---|---|\n| {} | {} |", "## Heading {}",
          "!!! note \"Title {}\"\n    inside {}"]
TAIL = "\n\n[r]: https://example.org/ref\n\n[^1]: The first note, with **bold** and [a link](https://x.org).\n\n" \
       "[^2]: The second note.\n"


@st.composite
def lessons(draw):
    paragraphs = []
    for _ in range(draw(st.integers(1, 6))):
        words = " ".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6)))
        block = draw(st.sampled_from(BLOCKS))
        paragraphs.append(block.format(words, words) if block else words)
    return "\n\n".join(paragraphs) + TAIL


@settings(max_examples=150, deadline=None)
@given(lessons())
def test_a_deferred_parse_renders_as_a_full_parse(text):
    md = make_markdown()
    full_env: dict = {}
    full = md.parse(text, full_env)
    env: dict = {}
    deferred = parse_deferred(text, env)
    assert [t.type for t in deferred] == [t.type for t in full]
    assert render(deferred, env) == render(full, full_env)
    full_runs = [t for t in full if t.type == "inline"]
    for tok, whole in zip([t for t in deferred if t.type == "inline"], full_runs, strict=True):
        if tok.children is None:
            # Left to the render: a run with nothing the reading needs, or one fastinline vouches for, whose
            # links the checks read all the same.
            assert "<" not in tok.content.replace("< ", "")
            assert "[" not in tok.content or inline_parts(tok.content) is not None
            assert link_view(checked_children(tok)) == link_view(whole.children)


def test_the_course_keeps_plain_runs_unparsed_and_variants_parse_translations_when_rendered(tmp_path):
    root = copy_course(tmp_path / "course")
    course = load_course(root)
    runs = [t for lesson in course.lessons() for unit in lesson.units for comp in unit.components
            if getattr(comp, "body", None) is not None for t in comp.body.tokens if t.type == "inline"]
    unparsed = [t for t in runs if t.children is None]
    parsed = [t for t in runs if t.children is not None]
    assert unparsed and parsed, "the embedded course has plain runs and runs with links"
    assert all("[" not in t.content or inline_parts(t.content) is not None for t in unparsed)
    assert any("[" in t.content for t in unparsed), "runs with plain links are left to the render too"
    instance = next(i for i in load_instances(root, course) if i.locale == "it")
    codes = locales.chain(instance.locale, course.language)
    variant, _report = make_variant(course, instance, load_tables(root, codes), {"en", "it"})
    translated = [t for lesson in variant.lessons() for unit in lesson.units for comp in unit.components
                  if getattr(comp, "body", None) is not None for t in comp.body.tokens
                  if t.type == "inline" and t.children is None and "olxkit_msgid" in t.meta
                  and t.content != t.meta["olxkit_msgid"][0]]
    assert translated, "translated runs wait for the render to be parsed"
    # Rendering such a run gives the translation's HTML, and leaves the variant's tokens as they were.
    body = next(comp.body for lesson in variant.lessons() for unit in lesson.units for comp in unit.components
                if getattr(comp, "body", None) is not None and any(t is translated[0] for t in comp.body.tokens))
    html = render(body.tokens, body.env)
    refs = {"references": body.env.get("references") or {}}
    assert make_markdown().renderInline(translated[0].content, refs) in html
    assert translated[0].children is None
