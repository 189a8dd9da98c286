"""A plain inline run's HTML written without markdown-it (olxkit/source/fastinline.py, issue 16): wherever
`simple_inline_html` answers, its HTML is byte for byte what markdown-it-py's parser and renderer make of the run
(the library is the reference); where it cannot vouch for a run it says so (None) and the build parses it."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from olxkit.source.fastinline import link_tokens, simple_inline_html
from olxkit.source.markdown import (
    footnote_refs,
    make_markdown,
    parse_deferred,
    parse_inline,
    render_page_html,
    render_text,
    with_footnotes,
)
from olxkit.source.runs import checked_children

from helpers import REPO, link_view

sys.path.insert(0, str(REPO / "bench"))

from shapes import SHAPES  # noqa: E402

# Single characters and pieces that sit near every edge of the fast path: each delimiter, what flanks it
# (letters, digits, Unicode letters, punctuation and symbols, spaces of every kind), and what it leaves alone.
CHARS = [*"aZé9ß  \n\t.,;:!?()[]{}<>&\"'*`$_~\\^#%+-=@|/", "\u00a0", "\u2003", "€", "«", "»", "²", "\r", "\0"]
PIECES = [
    "word", "two words", "*em*", "**strong**", "***both***", "`code`", "`a*b*c`", "` spaced `", "``", "`x``",
    "$x_i$", "$\\frac{a}{b}$", "$p < q$", "$ a $", "$$", "$5", "10$", "$\\$", "*", "**", "***", "****",
    "(*x*)", "*x*.", "**a b**,", "a*b*c", "*a **b** c*", "**a *b* c**", "x  \ny", "line\nnext", "$x$2", "\\*",
    "&amp;", "<b>", "[l](u)", "~~s~~", "_u_", "^[n]", "[^1]", "«*g*»", "*é*", "**9**", "\u00a0*x*", "*x*\u00a0",
    "*a_", "_a*", "*a_b*", "****x****", "***x**", "**x***", "`*`x*", "$*$x*", "~~s~~", "~x~", "~~~x~~~",
    "~~a *b* c~~", "*a ~~b* c~~", "[a](b.md)", "[*a* b](../x/y.md#s)", "[l](https://example.org/p)",
    "[l](HTTP://x.org)", "[l](//host/x)", "[l](a b)", "[l](<a>)", '[l](a "t")', "![i](p.png)", "[a]", "[a][b]",
    "[a](b)(c)", "[a]( b)", "[](x)", "[a](x%20y)", "[a](javascript:x)", "[a](x:y)", "[a](#frag)", "[a **b**](c)",
    "[a](b)c", "x[a](b)", "([a](b))", "[a ](b)", "[`c`](d)", "[$x$](d)", "[a\nb](c)", "[a](b)*", "*[a](b)*",
    "[A](https://ex.org/A_b)", "[a](b.md)[c](d.md)",
]


def resolver(calls: list):
    """A link resolver that notes its calls and answers with a target that needs escaping."""
    def resolve(url: str, kind: str) -> str:
        calls.append((url, kind))
        return f"/r/{kind}/{url}?a=1&b=\"2\""
    return resolve


def reference(src: str, resolve=None) -> str:
    """markdown-it-py's HTML of `src` as an inline run (the parse and render the build used before)."""
    md = make_markdown()
    env: dict = {"olxkit_resolve": resolve}
    return md.renderer.render(parse_inline(src, env), md.options, env)


def check(src: str) -> bool:
    fast = simple_inline_html(src)
    links = link_tokens(src)
    assert (links is None) == (fast is None), src
    if links is not None:
        assert link_view(links) == link_view(parse_inline(src, {})[0].children), src
    if fast is not None:
        assert fast == reference(src), src
        calls: list = []
        expected_calls: list = []
        assert simple_inline_html(src, resolver(calls)) == reference(src, resolver(expected_calls)), src
        assert calls == expected_calls
    return fast is not None


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(CHARS + PIECES), min_size=1, max_size=14).map("".join))
def test_random_runs_render_as_markdown_it_renders_them(src):
    check(src)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES + [" ", " ", "\n", ".", "(", ")"]), min_size=1, max_size=10).map("".join))
def test_random_runs_of_whole_pieces(src):
    check(src)


def test_the_fast_path_answers_for_plain_runs_and_declines_the_rest():
    answered = ["Plain text.", "A *topic* in a **clear** project\nthat grows.", "(`co-design`) with ***fair*** aims",
                "so that $x_i$ stays *small*.", 'He said "yes" > no', "**9** of *10*", "~~as planned~~ as agreed",
                "(see [the *unit*](../04-b/05-c.md#part)) and [this](https://example.org/x)."]
    for src in answered:
        assert check(src), src
    declined = ["a [link](https://x.org?q=1)", "[ref][r]", "![img](a.png)", "raw <b>html</b>", "x_y",
                "~~~gone~~~", "a\\*b", "AT&T", "2 * 3", "*a*b", "**a*", "$$x$$", "10$ and $5", "line  \nbreak",
                " lead", "$x$2", "``a``", "*open", "`\r`", "a\0b"]
    for src in declined:
        assert simple_inline_html(src) is None, src
        reference(src)  # markdown-it renders it instead


def _runs(text: str):
    md = make_markdown()
    for tok in md.parse(text, {}):
        if tok.type == "inline" and tok.children is not None:
            yield tok


def _check_course_files(paths: list[Path]) -> tuple[int, int]:
    md = make_markdown()
    answered = total = 0
    for path in paths:
        for tok in _runs(path.read_text(encoding="utf-8")):
            total += 1
            fast = simple_inline_html(tok.content)
            if fast is not None:
                answered += 1
                assert fast == md.renderer.renderInline(tok.children, md.options, {}), (path, tok.content)
                assert link_view(link_tokens(tok.content)) == link_view(tok.children), (path, tok.content)
    return answered, total


def test_every_run_of_the_embedded_course():
    paths = sorted((REPO / "modules").rglob("*.md")) + sorted((REPO / "course").rglob("*.md"))
    answered, total = _check_course_files(paths)
    assert total > 500 and answered > total // 3, (answered, total)


def test_every_run_and_problem_text_of_the_bench_courses(tmp_path):
    for shape in ("lean", "dense"):
        root = tmp_path / shape
        SHAPES[shape](400).write(root)
        answered, total = _check_course_files(sorted((root / "modules").rglob("*.md")))
        assert answered > total // 2, (shape, answered, total)
    # Problem texts (prompts, choices, hints, feedback) go through render_text: the same HTML either way.
    texts = [line.split(": ", 1)[1] for path in (tmp_path / "dense" / "modules").rglob("*.md")
             for line in path.read_text(encoding="utf-8").splitlines()
             if line.lstrip("- ").startswith(("text: ", "feedback: ", "correct_feedback: ")) and ": " in line]
    assert len(texts) > 100
    for text in texts:
        md = make_markdown()
        env: dict = {}
        expected = "<p>" + md.renderer.render(parse_inline(text, env), md.options, env) + "</p>\n"
        assert render_text(text) == expected, text
        assert render_text(text, inline=True) == expected[3:-5], text


LESSON_PIECES = ["Plain words", "**bold**", "*italic*", "`code`", "$x^2 < y$", "[a link](https://example.org)",
                 "[rel](../b/c.md#d)", "~~gone~~", "[ref][r]", "![a chart](chart.png)", "<span>raw</span>", "x_y",
                 "note[^1]", "line\nnext", "(*aside*)"]
LESSON_BLOCKS = ["{}", "- item {}\n- other {}", "> quoted {}", "| a | b |\n|---|---|\n| {} | {} |", "## Heading {}",
                 "1. first {}\n   - nested {}", "!!! note \"Title\"\n    inside {}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LESSON_BLOCKS), st.lists(st.sampled_from(LESSON_PIECES), min_size=1,
                                                                    max_size=6)), min_size=1, max_size=6))
def test_pages_render_as_markdown_it_renders_them_links_resolved_in_order(blocks):
    """A page's runs, some written here and some parsed, and its block tokens written by `render_with`: the HTML
    and the resolver's calls are markdown-it's own (its renderer on a full parse)."""
    text = "\n\n".join(block.format(" ".join(words), " ".join(words)) for block, words in blocks)
    text += "\n\n[r]: https://example.org/ref\n\n[^1]: A note with [a link](x.md).\n"
    md = make_markdown()
    full_env: dict = {}
    full = md.parse(text, full_env)
    expected_calls: list = []
    refs = footnote_refs(full)  # what render_page_html gives the renderer, with the library's own render loop
    expected = md.renderer.render(with_footnotes(full, full_env, refs), md.options,
                                  dict(full_env, olxkit_resolve=resolver(expected_calls), olxkit_fnrefs=refs))
    env: dict = {}
    calls: list = []
    html, _unchecked = render_page_html(parse_deferred(text, env), env, resolver(calls))
    assert html == expected
    assert calls == expected_calls


def test_the_build_leaves_runs_with_plain_links_unparsed_and_gives_the_checks_their_links():
    """A run whose links fastinline vouches for is not parsed as the lesson is read (`render` writes it); the
    checks get its links from `checked_children`. Runs with a footnote citation, an image or raw HTML are parsed."""
    text = ("A *plain* run,\nthen (see [**click here**](02-quiz.md)).\n\nA note[^1] and [a](b.md).\n\n"
            "![A chart](c.png) and <b>raw</b> [x](y.md).\n\n[^1]: The note.\n")
    env: dict = {}
    runs = [t for t in parse_deferred(text, env) if t.type == "inline"]
    assert [r.children is None for r in runs] == [True, False, False, True]  # the last: the note's text
    assert link_view(checked_children(runs[0])) == [("break",), ("link", "02-quiz.md"), ("label", "click here"),
                                                    ("end",)]
    assert link_view(checked_children(runs[1])) == [("footnote_ref",), ("link", "b.md"), ("label", "a"), ("end",)]
    page_env: dict = {}
    html, _ = render_page_html(parse_deferred(text, page_env), page_env)
    assert '(see <a href="02-quiz.md"><strong>click here</strong></a>).' in html
