"""The checks' shortcut (olxkit/i18n/shape.py): a translation whose markup shape equals its source's is not
parsed, because it parses to the same markup. Property: whenever the shortcut says "same shape", markdown-it
(the full comparison the checks would otherwise run) finds the same inventory and the same blocks; and the
checks still catch every seeded fault."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit.i18n import checks
from olxkit.i18n.shape import same_shape, shape

from helpers import compiled as compiled_module

# Markdown and text pieces: markup of every kind the checks compare, the characters around it, line starts,
# non-ASCII letters, punctuation and spaces (inert or not), and the parser's odd corners.
PIECES = ["word", "Wört", "**", "*", "_", "__", "~~", "`", "$", "$$", "[", "]", "(", ")", "](", "![", "[^1]",
          "^[", "\\", "\n", "  \n", " ", "1.", "2)", "- ", "> ", "# ", "|", "---", "x.md", "#id", ",", ".", "«", "»",
          "'", '"', "/", "?", "{", "}", "{,}", "\\text{a b}", "5", "1,5", "²", "=", "+", ":", "\t", "    ", "é", "%",
          "@", "!", ";", "–", "…", "\u00a0", "\u0301", "\n| a | b |\n|---|---|\n", "```\nco de\n```", "~~~",
          "\n\n", "\n1. ", "\n#", "\n==", "\u2003", "€", "→", "_a_", "*a*", "**a b**", "\n    ", "\n> ", "\n- ",
          "< ", "<", "& ", "&", "a <\n", "<b>", "<!-- c -->", "&amp;", "&#38;", "<x@y.z>", "<http://a.b>", "١٢"]
# What a translator may put where the source had words: other words, punctuation, spaces, symbols.
WORDS = ["a", "bb", "Ccc", "dé", "xyz zy", "ü", "q r s", ",", ".", " ", "«", "'", "ab, cd", "\u00a0", "€", "x\u0301",
         "  ", "→", "-", "a-b", "#", ":", "=", "@", "%", "+", " - ", "x:y", "# a", "«de-AT» ", ""]

sources = st.lists(st.sampled_from(PIECES), min_size=1, max_size=16).map("".join)


def _reworded(source: str, data) -> str:
    """The source with each run of characters the shape collapses replaced by other such text."""
    from olxkit.i18n import shape as shape_module

    return shape_module._INERT.sub(lambda _m: data.draw(st.sampled_from(WORDS)), source)


def _parsed_alike(source: str, target: str, block: bool) -> bool:
    same_inventory = checks._inventory_of(source, block) == checks._inventory_of(target, block)
    return same_inventory and (not block or checks._blocks_of(source) == checks._blocks_of(target))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources, st.data(), st.booleans())
def test_same_shape_means_the_same_parse(source, data, block):
    target = _reworded(source, data) if data.draw(st.booleans()) else data.draw(sources)
    if same_shape(source, target, block):
        assert _parsed_alike(source, target, block), (source, target, block)


@settings(max_examples=300, deadline=None)
@given(sources, st.booleans())
def test_the_shape_is_a_function_of_the_text(source, block):
    assert shape(source, block) == shape(source + "", block)
    assert same_shape(source, source, block) == (shape(source, block) is not None)


def test_a_reworded_translation_takes_the_shortcut_and_a_broken_one_does_not():
    source = "Read **the guide** and [the quiz](02-quiz.md#start), then compute $\\frac{a}{b}$."
    assert same_shape(source, "«it» Leggi **la guida** e [il quiz](02-quiz.md#start), poi calcola $\\frac{a}{b}$.",
                      False)
    for broken in ("Leggi **la guida e [il quiz](02-quiz.md#start), poi calcola $\\frac{a}{b}$.",
                   "Leggi **la guida** e [il quiz](01-quiz.md#start), poi calcola $\\frac{a}{b}$.",
                   "Leggi ** la guida** e [il quiz](02-quiz.md#start), poi calcola $\\frac{a}{b}$.",
                   "Leggi **la guida** e [il quiz] (02-quiz.md#start), poi calcola $\\frac{a}{b}$.",
                   "Leggi **la guida** e [il quiz](02-quiz.md#start), poi calcola $\\frac{a}{c}$."):
        assert not same_shape(source, broken, False), broken
        assert checks.gate_errors(None, source, broken, "it"), broken
    block = "Steps:\n\n- Listen to people.\n- Test an idea."
    assert same_shape(block, "Passi:\n\n- Ascoltare le persone.\n- Provare un'idea.", True)
    assert not same_shape(block, "Passi:\n\n- Ascoltare le persone.\n-Provare un'idea.", True)
    # Inline, words may come before the first mark or after the last where the source has none (a block's first
    # and last lines can make blocks: there they may not).
    assert same_shape("![A map](map.png) of the area", "«it» ![Una mappa](map.png)", False)
    assert not same_shape("![A map](map.png) of the area", "«it» ![Una mappa](map.png)", True)
    assert not same_shape("abc\n---", "\n---", True) and not same_shape("x\n===", "x\n===abc", True)
    # A hard break (two spaces before a line break) is not a soft one.
    assert not same_shape("One  \ntwo", "Uno \ndue", False)
    # No shape where names decide the parse: raw HTML, entities.
    assert shape("A <b>bold</b> word", False) is None and shape("R&amp;D", False) is None
    # … but a `<` or `&` followed by whitespace starts neither: it is text, kept as written.
    assert same_shape("if $p < q$ & more", "«it» se $p < q$ & altro", False)
    assert not same_shape("if $p < q$ & more", "«it» se $p <q$ & altro", False)


# The compiled steps (olxkit/i18n/speedups.c) are shape.py's `python_shape` and checks.py's
# `python_quiet_target` in C: the same value for every text.

# Characters every rule looks at, with letters, digits and spaces of several kinds around them.
_MARKS = list("*_~`$\\[]()!^<>&|{}#:=+-.)% \t\n\r\x00\x01aZ09«é€\u0301\u2003\u00a0\u2028\u0663\U0001F600")
_TEXTS = st.one_of(sources, st.text(), st.text(alphabet=st.sampled_from(_MARKS), max_size=60))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.booleans())
def test_the_compiled_steps_are_the_python_ones(text, block):
    from olxkit.i18n.shape import python_shape

    compiled = compiled_module("speedups")
    assert compiled.shape(text, block) == python_shape(text, block)
    assert compiled.quiet_target(text, block) == checks.python_quiet_target(text, block)


def test_the_compiled_steps_agree_on_every_text_of_the_course_catalogs():
    from olxkit.i18n import shape as shape_module
    from olxkit.i18n.pofile import scan_translations

    from helpers import REPO

    compiled = compiled_module("speedups")
    assert shape_module.shape is compiled.shape and checks.quiet_target is compiled.quiet_target  # in use
    texts = 0
    for po in sorted((REPO / "locale").glob("*.po")):
        for (context, source), target in scan_translations(po, f"locale/{po.name}").table.items():
            block = checks.is_block(context)
            for text in (source, target):
                assert compiled.shape(text, block) == shape_module.python_shape(text, block), (po.name, text)
                assert compiled.quiet_target(text, block) == checks.python_quiet_target(text, block), text
                texts += 1
    assert texts > 10_000
    # A long hostile text: no limit, no crash, the same value.
    huge = "x](" + "(" * 50_000 + "\\" * 1001 + "[^" * 999 + "  \n" * 2000 + "$" + "**a_" * 10_000
    for block in (True, False):
        assert compiled.shape(huge, block) == shape_module.python_shape(huge, block)
        assert compiled.quiet_target(huge, block) == checks.python_quiet_target(huge, block)
