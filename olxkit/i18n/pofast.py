"""A fast reader of PO files that gives exactly what polib's parser gives, or None to let polib read the file.

polib's parser is a general state machine (a method call, a table look-up and a regex per line, a full
constructor per entry): on the 7 catalogs of a 30,000-message course it was the largest cost of `i18n update`,
`i18n check` and `validate`. This reader follows the same state machine inline for the lines real catalogs are
made of (comments, `#|` previous texts, `msgctxt`/`msgid`/`msgstr`, continuations, obsolete `#~` entries) and
builds the same `polib.POEntry`/`polib.POFile` objects, field for field, line numbers included
(tests/test_pofast.py compares both readers). On anything else — plural entries, a syntax error, a transition
polib's machine does not allow, text that is not UTF-8 — it returns None, and the caller reads the file with
polib, which gives the result (or the error message) it always gave.
"""

from __future__ import annotations

import codecs

import polib

_BOM = codecs.BOM_UTF8.decode("utf-8")
_KEYWORDS = {"msgctxt": "ct", "msgid": "mi", "msgstr": "ms"}
_PREVIOUS = {"msgid": "pm", "msgctxt": "pc"}
_ALL = {"st", "he", "gc", "oc", "fl", "ct", "pc", "pm", "pp", "tc", "ms", "mp", "mx", "mi"}
# polib's transitions: the states each symbol may follow (the same table as polib._POFileParser.__init__).
_ALLOWED = {
    "gc": _ALL, "oc": _ALL, "fl": _ALL, "pc": _ALL, "pm": _ALL,
    "ct": {"st", "he", "gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mx"},
    "mi": {"st", "he", "gc", "oc", "fl", "ct", "tc", "pc", "pm", "pp", "ms", "mx"},
    "ms": {"mi", "mp", "tc"},
    "mc": {"ct", "mi", "mp", "ms", "mx", "pm", "pp", "pc"},
}
_FIELD_OF_STATE = {"ct": "msgctxt", "mi": "msgid", "ms": "msgstr", "pm": "previous_msgid", "pc": "previous_msgctxt"}
_SIMPLE_ESCAPES = (("\\n", "\n"), ('\\"', '"'), ("\\t", "\t"), ("\\r", "\r"), ("\\v", "\v"), ("\\b", "\b"),
                   ("\\f", "\f"))


class _Unusual(Exception):
    """A line this reader leaves to polib."""


def unescape(text: str) -> str:
    """polib's `unescape`, with the common cases done by plain replacements (same result)."""
    if "\\" not in text:
        return text
    if "\\\\" in text:
        return polib.unescape(text)
    # Without an escaped backslash every backslash starts its own two-character escape: replacing them one kind
    # at a time cannot create a new escape, so this is polib's left-to-right rule.
    for escaped, char in _SIMPLE_ESCAPES:
        if escaped in text:
            text = text.replace(escaped, char)
    return text


def _has_bare_quote(inner: str) -> bool:
    """polib's test for an unescaped double quote: `re.search(r'([^\\\\]|^)"', inner)`."""
    if '"' not in inner:
        return False
    if inner[0] == '"':
        return True
    at = inner.find('"', 1)
    while at != -1:
        if inner[at - 1] != "\\":
            return True
        at = inner.find('"', at + 1)
    return False


def _new_entry(linenum: int) -> polib.POEntry:
    entry = polib.POEntry.__new__(polib.POEntry)
    # What POEntry(linenum=…) sets, without its keyword look-ups.
    entry.__dict__.update(msgid="", msgstr="", msgid_plural="", msgstr_plural={}, msgctxt=None, obsolete=False,
                          encoding=polib.default_encoding, comment="", tcomment="", occurrences=[], flags=[],
                          previous_msgctxt=None, previous_msgid=None, previous_msgid_plural=None, linenum=linenum)
    return entry


def read_po(path: str) -> polib.POFile | None:
    """The catalog at `path` as `polib.pofile(path, encoding="utf-8", check_for_duplicates=False)` reads it,
    or None when the file has anything this reader leaves to polib (see the module's docstring)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (UnicodeDecodeError, LookupError):
        return None
    try:
        return _parse(text, path)
    except _Unusual:
        return None


def _parse(text: str, path: str) -> polib.POFile:  # noqa: C901 - one state machine, kept in one place
    po = polib.POFile(pofile=path, encoding="utf-8", check_for_duplicates=False)
    entries: list[polib.POEntry] = []
    header = ""
    entry = _new_entry(0)
    state = "st"
    last_first = ""  # the first token of the last non-blank line (polib drops a last entry ending in a comment)
    if text.startswith(_BOM):
        text = text[len(_BOM):]
    number = 0
    for raw in text.split("\n"):
        number += 1
        line = raw.strip()
        if not line:
            continue
        lead = line[0]
        if lead == '"':  # a continuation, the most common line of a catalog with long texts
            last_first = lead
            if len(line) < 2 or line[-1] != '"' or _has_bare_quote(line[1:-1]) or state not in _FIELD_OF_STATE:
                raise _Unusual
            field = _FIELD_OF_STATE[state]
            setattr(entry, field, getattr(entry, field) + unescape(line[1:-1]))
            continue
        obsolete = 0
        if lead == "m":
            first, _, token = line.partition(" ")
            if not token:
                raise _Unusual  # a tab after the keyword, `msgid_plural`, `msgstr[n]` or polib's syntax errors
            token = token.lstrip()
            last_first = first
        else:
            tokens = line.split(None, 2)
            first = tokens[0]
            count = len(tokens)
            if first == "#~|":
                last_first = first
                continue
            if first == "#~" and count > 1:
                line = line[3:].strip()
                tokens = tokens[1:]
                first = tokens[0]
                count -= 1
                obsolete = 1
                if first[0] == '"':
                    last_first = first
                    if len(line) < 2 or line[-1] != '"' or _has_bare_quote(line[1:-1]) or (
                        state not in _FIELD_OF_STATE
                    ):
                        raise _Unusual
                    field = _FIELD_OF_STATE[state]
                    setattr(entry, field, getattr(entry, field) + unescape(line[1:-1]))
                    continue
                if first in _KEYWORDS and count > 1:
                    token = line[len(first):].lstrip()
            last_first = first
        if first in _KEYWORDS and (lead == "m" or obsolete and count > 1):
            symbol = _KEYWORDS[first]
            if len(token) < 2 or token[0] != '"' or token[-1] != '"' or _has_bare_quote(token[1:-1]):
                raise _Unusual
        elif lead == "m" or first[0] == '"':
            raise _Unusual
        elif first == "#:":
            if count <= 1:
                continue
            symbol, token = "oc", line
        elif first == "#,":
            if count <= 1:
                continue
            symbol, token = "fl", line
        elif first == "#" or first.startswith("##"):
            symbol, token = "tc", line
        elif first == "#.":
            if count <= 1:
                continue
            symbol, token = "gc", line
        elif first == "#|":
            if count <= 2 or tokens[1] not in _PREVIOUS:
                raise _Unusual  # a continuation of a previous text, or polib's syntax errors
            token = line[2:].lstrip()[len(tokens[1]):].lstrip()
            if len(token) < 2 or token[0] != '"' or token[-1] != '"':
                raise _Unusual
            symbol = _PREVIOUS[tokens[1]]
        else:
            raise _Unusual  # msgid_plural, msgstr[n], or a line polib rejects
        if symbol == "tc":
            if state in ("st", "he"):
                header = f"{header}\n{token[2:]}" if header else token[2:]
                state = "he"
                continue
            if state == "ct":
                raise _Unusual  # polib's machine has no comment after a msgctxt
            if state in ("ms", "mx"):
                entries.append(entry)
                entry = _new_entry(number)
            comment = token.lstrip("#")
            if comment.startswith(" "):
                comment = comment[1:]
            entry.tcomment = f"{entry.tcomment}\n{comment}" if entry.tcomment else comment
            state = "tc"
            continue
        if state not in _ALLOWED[symbol]:
            raise _Unusual
        if symbol == "ms":
            entry.msgstr = unescape(token[1:-1])
            state = "ms"
            continue
        if state in ("ms", "mx"):
            entries.append(entry)
            entry = _new_entry(number)
        state = symbol
        if symbol == "mi":
            entry.obsolete = obsolete
            entry.msgid = unescape(token[1:-1])
        elif symbol == "ct":
            entry.msgctxt = unescape(token[1:-1])
        elif symbol == "oc":
            for occurrence in token[3:].split():
                fil, sep, at = occurrence.rpartition(":")
                entry.occurrences.append((fil, at) if sep and at.isdigit() else (occurrence, ""))
        elif symbol == "fl":
            entry.flags += [flag.strip() for flag in token[3:].split(",")]
        elif symbol == "gc":
            entry.comment = f"{entry.comment}\n{token[3:]}" if entry.comment else token[3:]
        elif symbol == "pm":
            entry.previous_msgid = unescape(token[1:-1])
        else:  # "pc"
            entry.previous_msgctxt = unescape(token[1:-1])
    if last_first and not last_first.startswith("#"):
        entries.append(entry)
    po.header = header
    po.extend(entries)
    _take_metadata(po)
    return po


def _take_metadata(po: polib.POFile) -> None:
    """polib's end of parsing: the header entry (msgid "") becomes `metadata`, its flags `metadata_is_fuzzy`."""
    blank = [i for i, e in enumerate(po) if e.msgid == ""]
    if not any(not po[i].obsolete for i in blank):
        return
    if len(blank) > 1:
        raise _Unusual  # polib picks one by its own rules and removes the first equal entry: leave it to polib
    meta = po.pop(blank[0])
    po.metadata_is_fuzzy = meta.flags
    key = None
    for line in meta.msgstr.splitlines():
        try:
            key, value = line.split(":", 1)
            po.metadata[key] = value.strip()
        except (ValueError, KeyError):
            if key is not None:
                po.metadata[key] += "\n" + line.strip()


def po_text(po: polib.POFile) -> str:
    """`str(po)` for a catalog that is not wrapped (`wrapwidth` 0, as olxkit writes them), built directly: the
    same text as polib's writer (tests/test_pofast.py compares both), a few times faster. Wrapped catalogs go
    through polib."""
    return "".join(po_pieces(po))


def po_pieces(po: polib.POFile):
    """`po_text(po)` piece by piece, an entry at a time (a wrapped catalog: polib's whole text, in one piece):
    what compares a catalog with its file without the whole text (tens of MB) in memory."""
    if po.wrapwidth > 0:
        yield str(po)
        return
    head = []
    for line in po.header.split("\n"):
        if not line:
            head.append("#\n")
        elif line[:1] in (",", ":"):
            head.append(f"#{line}\n")
        else:
            head.append(f"# {line}\n")
    yield "".join(head) + _entry_text(po.metadata_as_entry())
    for e in po:
        if not e.obsolete:
            yield "\n" + _entry_text(e)
    for e in po:
        if e.obsolete:
            yield "\n" + _entry_text(e)


def _field(out: list[str], flag: str, name: str, value: str) -> None:
    lines = value.splitlines(True)
    if len(lines) > 1:
        out.append(f'{flag}{name} ""')
        out.extend(f'{flag}"{polib.escape(line)}"' for line in lines)
    else:
        out.append(f'{flag}{name} "{polib.escape(value)}"')


def _entry_text(e: polib.POEntry) -> str:
    """polib's `POEntry.__unicode__(0)`: comments, references, flags, previous texts, then the texts."""
    out: list[str] = []
    obsolete = e.obsolete
    if e.tcomment:
        out.extend(f"# {line}" for line in e.tcomment.split("\n"))
    if not obsolete:
        if e.comment:
            out.extend(f"#. {line}" for line in e.comment.split("\n"))
        if e.occurrences:
            out.append("#: " + " ".join(f"{path}:{line}" if line else path for path, line in e.occurrences))
    if e.flags:
        out.append("#, " + ", ".join(e.flags))
    previous = "#~| " if obsolete else "#| "
    if e.previous_msgctxt is not None:
        _field(out, previous, "msgctxt", e.previous_msgctxt)
    if e.previous_msgid is not None:
        _field(out, previous, "msgid", e.previous_msgid)
    if e.previous_msgid_plural is not None:
        _field(out, previous, "msgid_plural", e.previous_msgid_plural)
    flag = "#~ " if obsolete else ""
    if e.msgctxt is not None:
        _field(out, flag, "msgctxt", e.msgctxt)
    _field(out, flag, "msgid", e.msgid)
    if e.msgid_plural:
        _field(out, flag, "msgid_plural", e.msgid_plural)
    if e.msgstr_plural:
        for index in sorted(e.msgstr_plural):
            _field(out, flag, f"msgstr[{index}]", e.msgstr_plural[index])
    else:
        _field(out, flag, "msgstr", e.msgstr)
    out.append("")
    return "\n".join(out)
