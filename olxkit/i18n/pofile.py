"""Reading and writing gettext catalogs, deterministically: the only module that touches polib."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polib

from ..diagnostics import error
from ..fsio import write_atomic
from .locales import plural_forms


def read_catalog(path: str | os.PathLike, rel: str | None = None) -> polib.POFile:
    """Read a PO/POT file; a malformed one is an error naming the file."""
    rel = rel or str(path)
    try:
        return _parse_po(str(path))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        # polib names the line only inside its message: "Syntax error in po file … (line 6)".
        found = re.search(r"\(line (\d+)\)", str(exc))
        line = int(found.group(1)) if found else 0
        message = re.sub(r" in po file \S+ \(line \d+\)", "", str(exc))
        raise error(rel, line, f"cannot read this catalog: {message}; fix it in a PO editor", code="SYN001") from None


def _parse_po(path: str) -> polib.POFile:
    """`polib.pofile(path)`, without the reference cycle polib's parser leaves behind.

    The parser refers to itself through its table of bound methods, and holds the catalog: with the cyclic GC
    paused (as the i18n commands run), every catalog read would stay in memory (7 catalogs of 30,000 entries:
    540 MB). Emptying the parser once it is done lets reference counting free the catalog when it is dropped.
    """
    parser_class = getattr(polib, "_POFileParser", None)
    if parser_class is None:  # another polib: correct, only heavier on memory
        return polib.pofile(path, wrapwidth=0, encoding="utf-8")
    parser = parser_class(path, encoding="utf-8", check_for_duplicates=False, klass=None)
    try:
        po = parser.parse()
    finally:
        vars(parser).clear()
    po.wrapwidth = 0
    return po


def header(project: str, language: str | None) -> dict[str, str]:
    """A fixed header: no dates, no generator version, so catalogs change only when their content does."""
    meta = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "Language": language or "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    if language:
        meta["Plural-Forms"] = plural_forms(language)
        meta["Language-Team"] = language_name(language)
        meta["Last-Translator"] = ""
    return meta


def language_name(code: str) -> str:
    """The language's English name from CLDR (Babel), e.g. `German (Austria)`."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


def new_catalog(project: str, language: str | None, comment: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0, encoding="utf-8", check_for_duplicates=False)
    po.header = comment
    po.metadata = header(project, language)
    return po


def catalog_text(po: polib.POFile) -> str:
    text = str(po)
    return text if text.endswith("\n") else text + "\n"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


def _unescape(match: re.Match) -> str:
    return _ESCAPES.get(match.group(1), match.group(1))


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    if "\\" not in text:
        return text
    if "\\\\" not in text:
        # No escaped backslash: every backslash starts an escape, so plain replacements are exact (most escapes
        # are the \n ending each line of a multi-line text); anything rarer goes through the full rule.
        text = text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t")
        if "\\" not in text:
            return text
    return _ESCAPE.sub(_unescape, text)


def read_translations(path: str | os.PathLike, rel: str | None = None) -> dict[tuple[str | None, str], str]:
    """The usable translations of a catalog (translated, not fuzzy, not obsolete): (msgctxt, msgid) → msgstr.

    A lean reader for builds, several times faster than polib; catalogs are still written only by polib.
    Plural entries are not used by courses and are skipped. A file that is not UTF-8 is an error naming
    `rel` (default: `path`) and the line.
    """
    table: dict[tuple[str | None, str], str] = {}
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(rel or str(path), line, "cannot read this catalog: it is not UTF-8 text; save it as UTF-8 "
                    "in a PO editor", code="SYN001") from None
    # Entries are paragraphs. Comments (#: #. #| and obsolete #~ lines) carry nothing a build uses but the fuzzy
    # flag; a comment or msgid after a msgstr starts the next entry (for files written without blank lines).
    for block in _BLANK_LINES.split(text):
        msgctxt = msgid = msgstr = current = None
        usable = True
        for line in block.split("\n"):
            line = line.strip()
            if not line:
                continue
            first = line[0]
            if first == '"':
                if current is not None:
                    current.append(_unquote(line))
                continue
            if msgstr is not None and (first == "#" or line.startswith(("msgctxt", "msgid "))):
                _store(table, msgctxt, msgid, msgstr, usable)
                msgctxt = msgid = msgstr = current = None
                usable = True
            if first == "#":
                if line.startswith("#,") and "fuzzy" in line:
                    usable = False
                continue
            keyword = line.split(None, 1)[0]
            if keyword == "msgid":
                current = msgid = [_unquote(line)]
            elif keyword == "msgstr":
                current = msgstr = [_unquote(line)]
            elif keyword == "msgctxt":
                current = msgctxt = [_unquote(line)]
            else:  # msgid_plural, msgstr[n]: plural entries are not used by courses
                usable = False
                current = None
        if msgstr is not None:
            _store(table, msgctxt, msgid, msgstr, usable)
    return table


def _store(table: dict, msgctxt: list | None, msgid: list | None, msgstr: list, usable: bool) -> None:
    if usable and msgid is not None:
        key, value = "".join(msgid), "".join(msgstr)
        if key and value:
            table[("".join(msgctxt) if msgctxt is not None else None, key)] = value


_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def write_catalog(po: polib.POFile, path: str | os.PathLike) -> bool:
    """Write atomically; returns False when the file already had exactly this content."""
    return write_if_changed(catalog_text(po), path)


def write_if_changed(text: str, path: str | os.PathLike) -> bool:
    """Write a catalog's text atomically; returns False when the file already had exactly this content."""
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomic(path, text)
    return True
