"""The fast PO reader (olxkit/i18n/pofast.py) gives exactly what polib's parser gives, or leaves the file to polib."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olxkit.i18n.pofast import read_po, unescape
from olxkit.i18n.pofile import read_catalog

ROOT = Path(__file__).resolve().parent.parent


def polib_read(path: Path) -> polib.POFile:
    return polib.pofile(str(path), encoding="utf-8", check_for_duplicates=False)


def snapshot(po: polib.POFile) -> tuple:
    """Everything polib's parser sets, entry by entry (every attribute, line numbers included)."""
    return (
        type(po), po.fpath, po.encoding, po.header, po.metadata, po.metadata_is_fuzzy, po.check_for_duplicates,
        [(type(e), dict(vars(e))) for e in po],
    )


def same_as_polib(path: Path) -> polib.POFile | None:
    fast = read_po(str(path))
    if fast is not None:
        assert snapshot(fast) == snapshot(polib_read(path))
    return fast


def catalogs() -> list[Path]:
    found = sorted((ROOT / "locale").glob("*.po*")) + sorted((ROOT / "olxkit/i18n/messages").glob("*.po"))
    assert len(found) >= 8
    return found


@pytest.mark.parametrize("path", catalogs(), ids=lambda p: p.name)
def test_the_project_catalogs_read_the_same_and_fast(path):
    fast = same_as_polib(path)
    assert fast is not None, "the project's own catalogs must take the fast path"
    assert len(fast) >= 3


def test_fuzzy_previous_obsolete_and_header_comments(tmp_path):
    text = (
        "# Italian translation of a course.\n#\n# Second paragraph of the header.\n"
        'msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n"Language: it\\n"\n"X-Note: one\\n"\n"two\\n"\n\n'
        '#. a note\n#. on two lines\n#: modules/01.md:3 modules/02.md:14 odd:name no-colon\n#, fuzzy, python-format\n'
        '#| msgctxt "old"\n#| msgid "Old text"\nmsgctxt "ctx"\nmsgid ""\n"Multi \\"quoted\\" \\\\ text\\n"\n'
        '"second\\tline"\nmsgstr "Testo \\"citato\\""\n\n'
        '# translator\'s note\n#\n## double hash\nmsgid "plain"\nmsgstr ""\n\n'
        'msgid "no blank line before the next"\nmsgstr "x"\nmsgid "next"\nmsgstr "y"\n'
        '#~ msgid "gone"\n#~ msgstr "andato"\n\n#~ msgctxt "c"\n#~ msgid "gone too"\n#~ msgstr ""\n#~ "via"\n'
        "# a trailing comment is dropped\n"
    )
    path = tmp_path / "it.po"
    path.write_text(text, encoding="utf-8")
    fast = same_as_polib(path)
    assert fast is not None
    assert fast.metadata["X-Note"] == "one\ntwo"
    assert [e.msgid for e in fast.obsolete_entries()] == ["gone", "gone too"]
    assert fast[0].previous_msgid == "Old text" and fast[0].flags == ["fuzzy", "python-format"]


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n',  # plurals: polib's
        'msgid "a"\nmsgstr "un "quoted" word"\n',  # syntax error: polib's message
        'msgstr "a"\n',  # no msgid
        'msgid "a"\nmsgstr "b"\nbogus "c"\n',  # unknown keyword
        'msgid ""\nmsgstr "A: b\\n"\n\nmsgid ""\nmsgstr "C: d\\n"\n',  # two headers
    ],
)
def test_unusual_files_are_left_to_polib(tmp_path, text):
    path = tmp_path / "x.po"
    path.write_text(text, encoding="utf-8")
    assert read_po(str(path)) is None
    try:
        expected = snapshot(polib_read(path))
    except OSError as exc:
        with pytest.raises(Exception) as caught:
            read_catalog(path, "locale/x.po")
        line = int(str(exc).split("(line ")[1].split(")")[0])
        assert "cannot read this catalog" in str(caught.value)
        assert caught.value.diagnostics[0].line == line
    else:
        got = read_catalog(path, "locale/x.po")
        got.wrapwidth = 78
        assert snapshot(got) == expected


def test_not_utf8_is_left_to_polib(tmp_path):
    path = tmp_path / "x.po"
    path.write_bytes(b'msgid "caf\xe9"\nmsgstr ""\n')
    assert read_po(str(path)) is None


@given(st.text(alphabet='ab\\"ntrvbfx\n\t', max_size=30))
def test_unescape_is_polibs(text):
    assert unescape(text) == polib.unescape(text)


LINES = [
    "", "#", "# c", "#. g", "#.", "#: f.md:1 g", "#:", "#, fuzzy", "#,", "#| msgid \"p\"", "#| msgctxt \"pc\"",
    "#| \"cont\"", "#| msgid", "## x", "#~ msgid \"o\"", "#~ msgstr \"s\"", "#~ \"c\"", "#~| msgid \"q\"", "#~",
    'msgctxt "k"', 'msgid ""', 'msgid "i\\"d"', 'msgstr ""', 'msgstr "s\\n"', '"Language: it\\n"', '"more"',
    '"bad"quote"', 'msgid_plural "p"', 'msgstr[0] "z"', "msgid", "junk", "\ufeffmsgid \"b\"", '"\\\\"', ' msgid "sp"',
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_any_mix_of_lines_reads_as_polib_or_falls_back(tmp_path, lines):
    path = tmp_path / "h.po"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        expected = snapshot(polib_read(path))
    except (OSError, ValueError):
        assert read_po(str(path)) is None  # polib rejects it: the fast reader must not accept it
        return
    fast = read_po(str(path))
    if fast is not None:
        assert snapshot(fast) == expected


@pytest.mark.parametrize("path", catalogs(), ids=lambda p: p.name)
def test_the_writer_gives_polibs_text(path):
    from olxkit.i18n.pofast import po_text

    po = read_catalog(path)
    assert po_text(po) == str(po)
    po.wrapwidth = 78
    assert po_text(po) == str(po)  # wrapped: polib's own writer


def test_the_writer_gives_polibs_text_for_every_field(tmp_path):
    from olxkit.i18n.pofast import po_text

    po = polib.POFile(wrapwidth=0, encoding="utf-8")
    po.header = "Title\n\n, flags-like\n: colon-like"
    po.metadata = {"Project-Id-Version": "x", "X-B": "2", "X-a10": "1", "X-a9": "0", "Language": "it"}
    po.metadata_is_fuzzy = ["fuzzy"]
    po.append(polib.POEntry(msgid="a\nb\r\nc\x0bd", msgstr='q"uote\\ \t', msgctxt="", comment="c1\nc2",
                            tcomment="t", occurrences=[("f.md", "3"), ("g", "")], flags=["fuzzy", "x-format"],
                            previous_msgid="old\nline", previous_msgctxt="pc"))
    po.append(polib.POEntry(msgid="p", msgid_plural="ps", msgstr_plural={1: "y", 0: "x\n"}))
    po.append(polib.POEntry(msgid="gone", msgstr="via", comment="dropped", tcomment="kept", obsolete=True,
                            occurrences=[("f", "1")], flags=["fuzzy"], previous_msgid="was"))
    assert po_text(po) == str(po)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12), st.booleans(), st.text(max_size=6)),
                max_size=6))
def test_the_writer_gives_polibs_text_for_any_text(items):
    from olxkit.i18n.pofast import po_text

    po = polib.POFile(wrapwidth=0, encoding="utf-8")
    for msgid, msgstr, obsolete, comment in items:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, obsolete=obsolete, tcomment=comment, comment=comment))
    assert po_text(po) == str(po)



def test_quoted_strings_read_quickly_are_read_as_the_full_pattern_reads_them():
    """`pofile._string` takes a shortcut for strings with only the common escapes (\\\\, \\n, \\", \\t): on every
    short string of quotes, backslashes and escape letters, it gives what the full PO-string pattern gives
    (None where gettext rejects the string)."""
    import itertools

    from olxkit.i18n import pofile

    def full(quoted):
        return pofile._unquote(quoted) if pofile._PO_STRING.fullmatch(quoted) else None

    for n in range(7):
        for chars in itertools.product(['a', '\\', '"', 'n', 't', 'x', '7'], repeat=n):
            inner = "".join(chars)
            for quoted in (f'"{inner}"', inner, f'"{inner}'):
                assert pofile._string(quoted) == full(quoted), quoted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12), st.booleans(), st.text(max_size=6)),
                max_size=6),
       st.sampled_from(["same", "crlf", "one more byte", "one byte less", "a byte changed", "none", "no newline"]))
def test_a_catalog_is_written_only_when_its_file_differs(tmp_path, items, change):
    # `write_catalog` compares a catalog with its file piece by piece (no whole text in memory): its answer, and the
    # file it leaves, are those of comparing the whole text as read in text mode, and `write_if_changed`'s.
    from olxkit.i18n.pofile import catalog_text, write_catalog, write_if_changed

    def whole(p, path):
        text = catalog_text(p)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return False
        path.write_bytes(text.encode("utf-8"))
        return True

    po = polib.POFile(wrapwidth=0, encoding="utf-8")
    po.metadata = {"Project-Id-Version": "x", "Language": "it"}
    for msgid, msgstr, obsolete, comment in items:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, obsolete=obsolete, tcomment=comment))
    text = catalog_text(po).encode("utf-8")
    before = {"same": text, "crlf": text.replace(b"\n", b"\r\n"), "one more byte": text + b"#",
              "one byte less": text[:-1], "a byte changed": text[:-2] + b"#\n", "no newline": text.rstrip(b"\n"),
              "none": None}[change]
    results = []
    for name, write in (("pieces", write_catalog), ("whole", whole),
                        ("text", lambda p, path: write_if_changed(catalog_text(p), path))):
        path = tmp_path / f"{name}.po"
        path.unlink(missing_ok=True)
        if before is not None:
            path.write_bytes(before)
        results.append((write(po, path), path.read_bytes()))
    assert results[0] == results[1] == results[2]
    if b"\r" not in text:  # a carriage return of its own reads as a line end in text mode: the file is written
        assert results[0][0] == (change not in ("same", "crlf"))
