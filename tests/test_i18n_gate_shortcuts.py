"""The gate's shortcuts (olxkit/i18n/checks.py, shape.py) give the verdicts of the full checks.

The build's gate (`gate_errors`) skips work the full `i18n check` path does: a translation with no character any
error looks at is not examined further, a `<` or `&` followed by whitespace is text (no parse, no HTML check),
and digits beyond 0-9 are looked for only past U+0660. Properties: the gate's errors are exactly the errors of the
full check, on generated texts; and each claim the shortcuts rest on holds."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit.diagnostics import Severity
from olxkit.i18n import checks, quick
from olxkit.olx.html import check_html
from olxkit.source.markdown import render_text
from olxkit.textscan import XML_FORBIDDEN

PIECES = ["word", "Wört", "**", "*", "_", "~~", "`", "$", "[", "](x.md)", "![a](b.png)", "[^1]", "\\", "\n", "  \n",
          " ", "1.", "1,5", "15", "2)", "- ", "> ", "# ", "|", "{", "}", "{{ contact }}", "%s", ":", "http://x.org",
          "javascript:", "< ", "<", "& ", "&", "&amp;", "<b>", "</b>", "<script>", " onclick=", "«", "»", "\u00a0",
          "١٢", "٣", "\u2013", "€", "\t", "    ", "\n- ", "\n1. ", "\n| a | b |\n|---|---|\n", "\u000b", "\ufffe",
          "$p < q$", "a & b"]
CONTEXTS = [None, "explanation", "question", "hint", "answer", "accepted answers", "math text", "diagram label",
            "problem title", "wrong answer"]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join)


def _full_errors(context, source, target, locale):
    return [(code, message) for severity, code, message in checks.check_text(context, source, target, locale)
            if severity >= Severity.ERROR]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CONTEXTS), texts, st.data(), st.sampled_from(["de", "hu", "it"]))
def test_the_gate_finds_exactly_the_errors_of_the_full_check(context, source, data, locale):
    # A translation: the source with pieces inserted, removed or replaced, or another text altogether.
    if data.draw(st.booleans()):
        target = data.draw(texts)
    else:
        target = source
        for _ in range(data.draw(st.integers(0, 3))):
            i = data.draw(st.integers(0, len(target)))
            j = data.draw(st.integers(i, min(len(target), i + 3)))
            target = target[:i] + data.draw(st.sampled_from(PIECES + ["", "x", "«de» "])) + target[j:]
    assert checks.gate_errors(context, source, target, locale) == _full_errors(context, source, target, locale)
    # The build's gate lets a quiet translation through without calling gate_errors: it must have no error.
    if checks.quiet_translation((context, source), target):
        assert _full_errors(context, source, target, locale) == []


@pytest.mark.parametrize("target", ["A plain sentence, nothing else.", "«it» Frase semplice", "\u00e9t\u00e9 ٣ fois",
                                    "x < y but not <b>", "\u2013 one \u2013", "Zwei  Leerzeichen", "a: b"])
def test_the_gate_and_the_full_check_agree_on_plain_texts(target):
    for context in CONTEXTS:
        for source in ("A plain sentence.", "Two 2 digits", "With **bold**", "{{ contact }} here", "\nLead"):
            assert checks.gate_errors(context, source, target, "de") == _full_errors(context, source, target, "de")
            if checks.quiet_translation((context, source), target):
                assert _full_errors(context, source, target, "de") == []


loose = st.lists(st.sampled_from([p for p in PIECES if not re.search(r"[<&](?![ \t\n])", p)
                                  and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", p)]
                                 + ["\n\n", "!!! note\n    text\n", "\n[^1]: a note\n", "```\nco < de\n```\n", "$x$",
                                    "\\[", "\\]", "$$x < y$$", "\n$$\nx\n$$\n", "\n- a\n  b\n", "\n> q\n", "\n***\n",
                                    "\n# h\n", "\nt\n===\n", "\n    code < x\n", "\n1) a\n", "<", "&"]),
                 min_size=1, max_size=12).map("".join).filter(lambda t: not re.search(r"[<&](?![ \t\n])", t))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loose, st.booleans())
def test_markdown_with_only_loose_angle_brackets_and_ampersands_renders_to_valid_html(text, block):
    # What lets the gate skip the HTML check: with no `<` or `&` that can start markup, and no character XML
    # forbids, a text renders to HTML that Studio's import gate accepts.
    # ($$…$$ inside a paragraph renders a div within a p: such texts are checked.)
    html = render_text(text) if block else render_text(text, inline=True)
    assert "$$" in text or check_html(html) == [], (text, html)


def test_only_the_characters_xml_forbids_make_a_text_invalid_html():
    # Every other character, in plain text next to a loose `<`, renders to HTML the check accepts (non-ASCII
    # characters in large chunks: one check each).
    others = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000
              and not XML_FORBIDDEN.match(chr(c))]
    ascii_ = [ch for ch in others if ord(ch) < 128 and ch not in "<&"]
    for ch in ascii_:
        assert check_html(render_text(f"a < b {ch} c", inline=True)) == [], repr(ch)
    wide = [ch for ch in others if ord(ch) >= 128]
    for start in range(0, len(wide), 4096):
        assert check_html(render_text("a < b " + "".join(wide[start:start + 4096]), inline=True)) == []
    for ch in "\x01\x0b\x1f\ufffe":
        assert check_html(render_text(f"a < b {ch} c", inline=True)), repr(ch)


def test_every_digit_beyond_ascii_is_at_u0660_or_above():
    digits = [chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\d", chr(c))]
    assert [d for d in digits if ord(d) < 0x660] == [str(n) for n in range(10)]
    for text in ("abc", "«it» été", "١", "x ٣ y", "\u2013 12", "\uff11"):
        assert quick.other_digit(text) == bool(re.search(r"(?![0-9])\d", text))


def test_the_trigger_bytes_are_the_low_trigger_characters():
    # quiet_translation looks for TRIGGER_LOW's characters in a Latin-1 text's bytes: the same set, all ASCII.
    assert {chr(b) for b in quick.TRIGGER_BYTES} == {chr(i) for i in range(256) if quick.TRIGGER_LOW.match(chr(i))}
    assert quick.TRIGGER_BYTES.isascii()
    for text, quiet in [("«it» Frase semplice", True), ("«it» 5 Frasi", False), ("été fois", True), ("a: b", False),
                        ("\u2013 one", True), ("\u0663 fois", False), ("ő ű", True), ("ő `x`", False)]:
        assert checks.quiet_translation((None, "A plain sentence."), text) is quiet, text


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["*", "_", "~", "a", " ", ".", "«", "é", "\n", "ő", "\u2013", "1", "(", "\u00a0", "!"]),
                max_size=14).map("".join))
def test_the_delimiter_flanks_are_read_as_the_regex_reads_them(text):
    # shape._flanks splits a Latin-1 text's bytes at the delimiters instead of searching the runs: same classes.
    from olxkit.i18n import shape

    runs = [m.span() for m in shape._DELIMITERS.finditer(text)]
    assert shape._flanks(text) == tuple(
        shape._pair((text[start - 1] if start else "", text[end] if end < len(text) else "")) for start, end in runs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(CONTEXTS), texts, texts), min_size=1, max_size=12),
       st.sampled_from(["de", "hu", "it"]))
def test_a_catalog_gated_at_once_gives_each_translations_verdict(entries, locale):
    # The build gates a catalog in one loop (`gate_rejections`): its verdicts are those of `gate_errors` on each.
    items = list({(context, source): target for context, source, target in entries}.items())
    expected = [(key, errors) for key, target in items if (errors := checks.gate_errors(key[0], key[1], target,
                                                                                          locale))]
    assert checks.gate_rejections(items, locale) == expected
