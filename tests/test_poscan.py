"""The compiled catalog reader (olxkit/i18n/poscan.c) gives exactly what the Python reader gives, or leaves the file
to it: `scan_translations` (what builds, validate and the preview call) returns the same Scan as
`python_scan_translations`, or raises the same error, for any file."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit.diagnostics import OlxkitError
from olxkit.i18n.pofile import python_scan_translations, scan_translations

from helpers import compiled as compiled_module

ROOT = Path(__file__).resolve().parent.parent


def _outcome(read, path: Path):
    try:
        scan = read(path, "locale/it.po")
    except OlxkitError as exc:
        return ("error", [(d.path, d.line, d.message, d.code) for d in exc.diagnostics])
    # Same values in the same order (the table's order is the catalog's: an export walks it).
    return ("scan", asdict(scan), list(scan.table), list(scan.lines))


def same_reading(path: Path) -> bool:
    """Both readers agree on `path`; True when the compiled one read it (rather than leaving it to Python)."""
    assert _outcome(scan_translations, path) == _outcome(python_scan_translations, path)
    return compiled_module("poscan").scan(path.read_bytes()) is not None


HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: course\\n"\n"Language: it\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n')


def test_every_catalog_of_the_course_is_read_compiled_and_the_same():
    paths = sorted((ROOT / "locale").glob("*.po"))
    assert len(paths) >= 7
    assert all(same_reading(p) for p in paths)


def test_a_catalog_with_every_plain_form(tmp_path):
    text = HEADER + (
        '\n#. a note\n#: modules/01.md:3\n#, fuzzy\n#| msgid "Old"\nmsgid "Fuzzy"\nmsgstr "Sfocato"\n\n'
        '#,fuzzy, fuzzy\nmsgid "twice fuzzy"\nmsgstr "x"\n\n'
        'msgctxt "unit title"\nmsgid "Intro"\nmsgstr "Introduzione"\n\nmsgctxt ""\nmsgid "Intro"\nmsgstr "Vuoto"\n\n'
        'msgid ""\n"Multi \\"quoted\\" \\\\ text\\n"\n"second\\tline $\\\\alpha$"\nmsgstr ""\n"Testo \\"citato\\"\\n"\n'
        '"seconda"\n\n# comment\nmsgid "untranslated"\nmsgstr ""\n\n'
        'msgid "no blank line before the next"\nmsgstr "x"\nmsgid "next"\nmsgstr "y"\n'
        '#~ msgid "gone"\n#~ msgstr "andato"\n\nmsgid\t"tab"\nmsgstr   "spaces"  \r\n\n'
        'msgid "é «» 😀"\nmsgstr "è «» 😀"\n# é at the end of a comment é\nmsgid "last"\nmsgstr "ultimo"')
    path = tmp_path / "it.po"
    path.write_text(text, encoding="utf-8")
    assert same_reading(path)
    scan = scan_translations(path, "locale/it.po")
    assert scan.table[("unit title", "Intro")] == "Introduzione" and scan.table[("", "Intro")] == "Vuoto"
    assert scan.table[(None, 'Multi "quoted" \\ text\nsecond\tline $\\alpha$')] == 'Testo "citato"\nseconda'
    assert (None, "Fuzzy") not in scan.table and (None, "untranslated") not in scan.table
    assert scan.lines[(None, "last")] == text.count("\n") - 1 and scan.language == "it"  # from its comment


@pytest.mark.parametrize("text", [
    HEADER + 'msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\n',  # defined twice
    HEADER + 'msgid "a"\n\nmsgid "b"\nmsgstr "c"\n',  # msgid without msgstr
    HEADER + 'msgid "a \\q"\nmsgstr "b"\n',  # unknown escape
    HEADER + 'msgid "a "quoted""\nmsgstr "b"\n',  # unescaped quote
    HEADER + 'msgid "a"\nmsgstr "\\r\\101\\x41"\n',  # escapes the compiled reader leaves to Python
    HEADER + '#, python-format\nmsgid "%s a"\nmsgstr "%d b"\n',  # a format flag: checked in Python
    HEADER + 'msgid "file"\nmsgid_plural "files"\nmsgstr[0] "f"\nmsgstr[1] "ff"\n',
    HEADER + 'domain "other"\nmsgid "a"\nmsgstr "b"\n',
    HEADER + '\nmsgstr "no msgid"\n',
    HEADER + '\n"a string outside any entry"\n',
    'msgid "no header"\nmsgstr "b"\n',
    "\ufeff" + HEADER + 'msgid "a"\nmsgstr "b"\n',  # a byte-order mark
    HEADER + '\u00a0\nmsgid "a"\nmsgstr "b"\u00a0\n',  # white space beyond ASCII, which str.strip() removes
    HEADER + 'msgctxt "c"\nmsgid ""\nmsgstr "a header with a context"\n',
])
def test_what_the_compiled_reader_leaves_to_python_reads_the_same(tmp_path, text):
    path = tmp_path / "it.po"
    path.write_text(text, encoding="utf-8")
    assert not same_reading(path)


def test_a_file_that_is_not_utf8_is_the_same_error(tmp_path):
    path = tmp_path / "it.po"
    path.write_bytes(HEADER.encode() + b'msgid "a"\nmsgstr "caf\xe9"\n# \xed\xa0\x80 a surrogate\n')
    assert not same_reading(path)
    assert _outcome(scan_translations, path)[0] == "error"


# Random catalogs, line by line, from the pieces where the two readers could differ.
_CHARS = st.sampled_from(list('ab \\"ntrx0\t«é😀\x0b\r'))
_QUOTED = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab «é")), max_size=8).map(lambda s: f'"{s}"'),
    st.text(alphabet=_CHARS, max_size=10).map(lambda s: f'"{s}"'),
    st.text(alphabet=_CHARS, max_size=10),
)
_EDGE = st.sampled_from(["", "", "", " ", "\t", "\r", "\x0b", "\x1c", "\u00a0", "\u2003"])
_KEYWORD = st.sampled_from(["msgid", "msgid", "msgstr", "msgstr", "msgctxt", "msgid_plural", "msgstr[0]", "domain",
                            "msgidx"])
_LINE = st.one_of(
    st.tuples(_EDGE, _KEYWORD, st.sampled_from([" ", "\t", "  ", " \t"]), _QUOTED, _EDGE).map("".join),
    st.tuples(_EDGE, _QUOTED, _EDGE).map("".join),
    st.sampled_from(["", "", " ", "\u00a0", "#. note", "#: a.md:1", "#, fuzzy", "#,fuzzy, fuzzy", "#, python-format",
                     "#,", "#, fuzzy,", "#~ msgid \"old\"", "#| msgid \"prev\"", "# é", "#,\u00a0fuzzy", "#\u00a0,x"]),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.booleans(), st.lists(_LINE, max_size=14), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.binary(max_size=3))
def test_random_catalogs_read_the_same(tmp_path, header, lines, newline, raw, junk):
    text = (HEADER if header else "") + newline.join(lines)
    data = text.encode("utf-8")
    if raw:  # bytes that may not be UTF-8, somewhere in the file
        data = data[: len(data) // 2] + junk + data[len(data) // 2:]
    path = tmp_path / "it.po"
    path.write_bytes(data)
    same_reading(path)


_SAFE = st.text(alphabet=st.sampled_from(list('ab «é😀\\"\n\t$*')), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(st.none(), _SAFE), _SAFE.filter(bool), _SAFE, st.booleans(), st.booleans()),
                max_size=12))
def test_random_well_formed_catalogs_are_read_compiled_and_the_same(tmp_path, entries):
    def quoted(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'

    parts = [HEADER]
    for context, msgid, msgstr, fuzzy, split in entries:
        parts.append("\n#. note\n" + ("#, fuzzy\n" if fuzzy else ""))
        if context is not None:
            parts.append(f"msgctxt {quoted(context)}\n")
        parts.append(f'msgid ""\n{quoted(msgid)}\n' if split else f"msgid {quoted(msgid)}\n")
        parts.append(f"msgstr {quoted(msgstr)}\n")
    path = tmp_path / "it.po"
    path.write_text("".join(parts), encoding="utf-8")
    keys = [(c, m) for c, m, *_ in entries]
    assert same_reading(path) == (len(set(keys)) == len(keys))  # a message defined twice: Python reports it
