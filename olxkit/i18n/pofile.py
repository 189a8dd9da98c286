"""Reading and writing gettext catalogs, deterministically: the only module that touches polib."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import polib

from ..diagnostics import error
from .locales import plural_forms


def read_catalog(path: str | os.PathLike, rel: str | None = None) -> polib.POFile:
    """Read a PO/POT file; a malformed one is an error naming the file."""
    rel = rel or str(path)
    try:
        return polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        # polib names the line only inside its message: "Syntax error in po file … (line 6)".
        found = re.search(r"\(line (\d+)\)", str(exc))
        line = int(found.group(1)) if found else 0
        message = re.sub(r" in po file \S+ \(line \d+\)", "", str(exc))
        raise error(rel, line, f"cannot read this catalog: {message}; fix it in a PO editor", code="SYN001") from None


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


def _unquote(line: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), line[line.index('"') + 1 : line.rindex('"')])


def read_translations(path: str | os.PathLike) -> dict[tuple[str | None, str], str]:
    """The usable translations of a catalog (translated, not fuzzy, not obsolete): (msgctxt, msgid) → msgstr.

    A lean reader for builds, several times faster than polib; catalogs are still written only by polib.
    Plural entries are not used by courses and are skipped.
    """
    table: dict[tuple[str | None, str], str] = {}
    fields: dict[str, str] = {}
    current = None
    fuzzy = plural = False

    def flush():
        nonlocal fields, current, fuzzy, plural
        msgid, msgstr = fields.get("msgid"), fields.get("msgstr")
        if msgid and msgstr and not fuzzy and not plural:
            table[(fields.get("msgctxt"), msgid)] = msgstr
        fields, current, fuzzy, plural = {}, None, False, False

    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.strip()
            if not line:
                flush()
            elif line.startswith("#"):
                if "msgstr" in fields:
                    flush()
                if line.startswith("#,") and "fuzzy" in line:
                    fuzzy = True
            elif line.startswith('"'):
                if current is not None:
                    fields[current] += _unquote(line)
            else:
                keyword = line.split(None, 1)[0]
                if keyword in ("msgctxt", "msgid") and "msgstr" in fields:
                    flush()
                if keyword.startswith(("msgid_plural", "msgstr[")):
                    plural = True
                    current = None
                    continue
                current = keyword
                fields[current] = _unquote(line)
    flush()
    return table


def write_catalog(po: polib.POFile, path: str | os.PathLike) -> bool:
    """Write atomically; returns False when the file already had exactly this content."""
    return write_text(catalog_text(po), path)


def write_text(text: str, path: str | os.PathLike) -> bool:
    """Write a catalog's text atomically; returns False when the file already had exactly this content."""
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return True
