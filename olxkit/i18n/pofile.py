"""Reading and writing gettext catalogs, deterministically: the only module that touches polib."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..confine import check_inside
from ..diagnostics import error
from ..fsio import sweep, write_atomic
from .locales import plural_forms
from .msgfmt import charset_problem, format_problems, header_field
from .msgfmt import plural_forms as parse_plural_forms
from .pofast import po_pieces, read_po


def read_catalog(path: str | os.PathLike, rel: str | None = None) -> polib.POFile:
    """Read a PO/POT file; a malformed one is an error naming the file."""
    _confined(path, rel)
    rel = rel or str(path)
    try:
        return _parse_po(str(path))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        # polib names the line only inside its message: "Syntax error in po file … (line 6)".
        found = re.search(r"\(line (\d+)\)", str(exc))
        line = int(found.group(1)) if found else 0
        message = re.sub(r" in po file \S+ \(line \d+\)", "", str(exc))
        raise error(rel, line, f"cannot read this catalog: {message}; fix it in a PO editor", code="SYN001") from None


def _confined(path: str | os.PathLike, rel: str | None) -> None:
    """A catalog `rel` of the project read at `path` (= project/rel) must not lead out of the project (SEC001)."""
    if rel and str(path).endswith(rel) and not os.path.isabs(rel):
        check_inside(str(path)[: -len(rel)] or ".", rel)


def _parse_po(path: str) -> polib.POFile:
    """`polib.pofile(path)`, without the reference cycle polib's parser leaves behind.

    The parser refers to itself through its table of bound methods, and holds the catalog: with the cyclic GC
    paused (as the i18n commands run), every catalog read would stay in memory (7 catalogs of 30,000 entries:
    540 MB). Emptying the parser once it is done lets reference counting free the catalog when it is dropped.
    """
    fast = read_po(path)  # the same objects, several times faster; None leaves the file to polib
    if fast is not None:
        fast.wrapwidth = 0
        return fast
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


def parse_catalog_text(text: str) -> polib.POFile:
    """A catalog from its text (no file)."""
    return polib.pofile(text, wrapwidth=0, encoding="utf-8", check_for_duplicates=False)


def same_meaning(a: polib.POFile, b: polib.POFile) -> bool:
    """Whether two catalogs say the same thing, whatever their bytes: the same header fields, and the same
    entries (active and obsolete) with the same translations, flags, previous msgids, comments and references.
    A catalog saved by Poedit or Weblate, or rewritten by `msgcat` (wrapped or not), means what it meant."""
    return a.metadata == b.metadata and _meaning(a) == _meaning(b)


def _meaning(po: polib.POFile) -> dict:
    out = {}
    for e in po:
        if not e.msgid and not e.obsolete:
            continue
        key = (e.obsolete, e.msgctxt or None, e.msgid)
        out[key] = (e.msgstr, e.msgid_plural, tuple(sorted(e.msgstr_plural.items())), frozenset(e.flags),
                    e.previous_msgctxt or None, e.previous_msgid or None,
                    # Tools re-wrap comments (polib and Poedit at 79 columns, even inside a hyphenated word):
                    # their characters are what they mean, not where the lines break.
                    "".join(e.comment.split()), "".join(e.tcomment.split()),
                    tuple(sorted((path, str(line)) for path, line in e.occurrences)))
    return out


def catalog_text(po: polib.POFile) -> str:
    return "".join(catalog_pieces(po))


def catalog_pieces(po: polib.POFile):
    """`catalog_text(po)` piece by piece (`po_pieces`), then the newline that ends the text if its last piece has
    none."""
    last = ""
    for piece in po_pieces(po):
        yield piece
        last = piece or last
    if not last.endswith("\n"):
        yield "\n"


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
    `rel` (default: `path`) and the line. See `scan_translations` for the syntax it also checks.
    """
    return scan_translations(path, rel).table


@dataclass
class Scan:
    """What a build reads from a catalog: its usable translations, where each one is, and the syntax errors."""

    table: dict[tuple[str | None, str], str] = field(default_factory=dict)
    lines: dict[tuple[str | None, str], int] = field(default_factory=dict)
    """line where each usable entry starts (its first comment, else its msgctxt or msgid), as polib counts"""
    syntax: list[tuple[int, str]] = field(default_factory=list)
    """(line, message): what `msgfmt --check` calls a fatal error; a catalog with any is not used"""
    language: str = ""
    """the header's Language field"""
    entry_errors: list[tuple[int, tuple[str | None, str], str]] = field(default_factory=list)
    """(line, key, message): what `msgfmt --check` rejects in one translation (its format strings), at its first
    `msgstr` line; such a translation is not used, the rest of the catalog is"""
    warnings: list[tuple[int, str]] = field(default_factory=list)
    """(line, message): what msgfmt only warns about (the header's charset)"""


# A quoted PO string as gettext reads it: every `"` and `\` inside is escaped, and only C escapes are allowed.
_PO_STRING = re.compile(r'"(?:[^"\\]|\\(?:[ntrabfv\\"\'?]|[0-7]{1,3}+|x[0-9a-fA-F]++))*+"')
_KEYWORDS = {"msgctxt", "msgid", "msgid_plural", "msgstr"}
_PLURAL_MSGSTR = re.compile(r"msgstr\[\d+\]\Z")


def scan_translations(path: str | os.PathLike, rel: str | None = None) -> Scan:
    """Read a catalog for a build as gettext reads it: usable translations with their lines, and every syntax
    error `msgfmt` finds fatal (an unescaped quote, an unknown keyword or escape, a msgid without msgstr, a
    message defined twice). Raises an error naming `rel` and the line for a file that is not UTF-8.

    A plainly well-formed catalog is read by the compiled reader (`poscan.c`), anything else by
    `python_scan_translations`, the reference, which also reports every fault: both give the same Scan."""
    if _compiled_scan is None:
        return python_scan_translations(path, rel)
    _confined(path, rel)
    with open(path, "rb") as file:
        found = _compiled_scan(file.read())
    if found is None:
        return python_scan_translations(path, rel)
    table, lines, header, header_line = found
    scan = Scan(table=table, lines=lines, language=_language(header))
    _check_header(scan, [header, header_line], [])
    return scan


try:
    from .poscan import scan as _compiled_scan
except ImportError:  # not built (no C compiler at install): the Python reader reads every catalog
    _compiled_scan = None


def python_scan_translations(path: str | os.PathLike, rel: str | None = None) -> Scan:
    """`scan_translations` in Python: the reference, and the reader of every catalog with a fault."""
    scan = Scan()
    _confined(path, rel)
    table, lines, syntax = scan.table, scan.lines, scan.syntax
    seen: dict[tuple[str | None, str], int] = {}
    # Entries are paragraphs. Comments (#: #. #| and obsolete #~ lines) carry nothing a build uses but the fuzzy
    # flag; a comment or msgid after a msgstr starts the next entry (for files written without blank lines).
    state = {"ctxt": None, "id": None, "str": None, "usable": True, "start": 0, "plural": False, "flags": (),
             "str_line": 0, "plural_id": None, "forms": {}}
    number = 0
    header: list[str | int] = []  # the header's text and the line of its msgstr
    plurals: list[tuple[int, int]] = []  # (first msgstr line, number of forms) of each translated plural entry

    def finish():
        msgctxt, msgid, msgstr = state["ctxt"], state["id"], state["str"]
        if msgid is not None and msgstr is None and not state["plural"]:
            syntax.append((state["start"], "missing `msgstr` after this `msgid`"))
        elif msgid is not None:
            key = ("".join(msgctxt) if msgctxt is not None else None, "".join(msgid))
            if key in seen:
                syntax.append((state["start"], f"duplicate message definition (first defined at line {seen[key]})"))
            else:
                seen[key] = state["start"]
            if key[1] == "" and msgstr is not None:
                scan.language = _language("".join(msgstr))
                if key[0] is None and not header:
                    header.extend(["".join(msgstr), state["str_line"]])
            elif state["usable"] and msgstr is not None and not state["plural"]:
                value = "".join(msgstr)
                if value:
                    problems = format_problems(state["flags"], key[1], value) if state["flags"] else ()
                    scan.entry_errors.extend((state["str_line"], key, problem) for problem in problems)
                    if not problems:
                        table[key] = value
                        lines[key] = state["start"]
            elif state["usable"] and state["plural"] and any("".join(f) for f in state["forms"].values()):
                _check_plural(scan, key, state)
                plurals.append((state["str_line"], len(state["forms"])))
        state.update(ctxt=None, id=None, str=None, usable=True, start=0, plural=False, flags=(), str_line=0,
                     plural_id=None, forms={})

    current = None
    for raw in _lines(path, rel):
        number += 1
        line = raw.strip()
        if not line:
            if state["str"] is not None or state["id"] is not None or state["ctxt"] is not None:
                finish()
            current = None
            continue
        first = line[0]
        if not state["start"] and first != '"' and state["id"] is None and state["ctxt"] is None:
            # The entry's first line, its comments included (where polib, and so `i18n check`, places it).
            state["start"] = number
        if first == '"':
            if current is None:
                syntax.append((number, "a quoted string outside any `msgid` or `msgstr`"))
            else:
                value = _string(line)
                if value is None:
                    syntax.append((number, _string_problem(line)))
                else:
                    current.append(value)
            continue
        if first == "#":
            if state["str"] is not None:
                finish()
                state["start"] = number
            current = None
            if line.startswith("#,") and state["id"] is None:
                flags = {flag.strip() for flag in line[2:].split(",")}
                state["flags"] = (*state["flags"], *flags)
                if "fuzzy" in flags:
                    state["usable"] = False
            continue
        keyword, _, rest = line.partition(" ")
        if not rest:
            keyword, _, rest = line.partition("\t")
        rest = rest.strip()
        if keyword == "domain":
            syntax.append((number, "a `domain` directive: a catalog of a course is one domain (msgfmt --check-domain "
                                   "rejects it)"))
            current = None
            continue
        if keyword not in _KEYWORDS and not _PLURAL_MSGSTR.match(keyword):
            syntax.append((number, f"unknown keyword `{keyword[:20]}`; a quote inside a text must be written \\\""))
            current = None
            continue
        value = _string(rest)
        broken = value is None
        if broken:
            syntax.append((number, _string_problem(rest)))
            # Keep the entry's shape (no second error for the same line), but never use it.
            value = ""
        if keyword in ("msgctxt", "msgid") and state["str"] is not None:
            finish()
            state["start"] = number
        if broken:
            state["usable"] = False
        if keyword == "msgctxt":
            if state["id"] is not None:
                syntax.append((number, "`msgctxt` after `msgid`: the context comes first"))
            current = state["ctxt"] = [value]
        elif keyword == "msgid":
            if state["id"] is not None:
                syntax.append((number, "`msgid` without a `msgstr` before it"))
            current = state["id"] = [value]
        elif keyword == "msgstr":
            if state["id"] is None:
                syntax.append((number, "`msgstr` without a `msgid`"))
            if state["plural"]:
                syntax.append((number, "a plural message takes `msgstr[n]`, not `msgstr`"))
            current = state["str"] = [value]
            state["str_line"] = number
        else:  # msgid_plural, msgstr[n]: plural entries are not used by courses, only checked as msgfmt does
            state["plural"] = True
            if keyword == "msgid_plural":
                current = state["plural_id"] = [value]
            else:
                state["str_line"] = state["str_line"] or number
                current = state["forms"][int(keyword[7:-1])] = [value]
    finish()
    _check_header(scan, header, plurals)
    return scan


def _language(header: str) -> str:
    """The Language field of a catalog's header text, as written ("" when it has none)."""
    found = _LANGUAGE.search(header)
    return found.group(1) if found else ""


_LANGUAGE = re.compile(r"^Language:[ \t]*(\S*)", re.M)


def _string(quoted: str) -> str | None:
    """The text of a quoted PO string, or None where gettext rejects it. Most strings hold neither a quote nor a
    backslash: those are checked with two searches instead of the full pattern (a regex step per character)."""
    if len(quoted) >= 2 and quoted[0] == '"' and quoted[-1] == '"':
        inner = quoted[1:-1]
        if "\\" not in inner:
            if '"' not in inner:
                return inner
        else:
            # The common escapes alone (\\ in formulas, \n, \", \t): split at each escaped backslash (read left
            # to right, as gettext reads them: no other escape has a backslash as its second character), and every
            # backslash left in a piece must start one of the other three. Anything else: the full pattern.
            pieces = inner.split("\\\\")
            for piece in pieces:
                rest = piece.replace("\\n", "").replace('\\"', "").replace("\\t", "")
                if "\\" in rest or '"' in rest:
                    break
            else:
                return "\\".join(p.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t") for p in pieces)
    return _unquote(quoted) if _PO_STRING.fullmatch(quoted) else None


def _lines(path: str | os.PathLike, rel: str | None):
    """The catalog's lines one at a time, split at `\\n` only (as gettext reads them): its text is never held
    whole (a large course's catalog is 80 MB, and its text and list of lines were a build's peak of memory)."""
    try:
        with open(path, encoding="utf-8", newline="\n") as fh:
            yield from fh
    except UnicodeDecodeError:
        data = Path(path).read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
        else:  # pragma: no cover - the file changed while it was read
            line = 0
        raise error(rel or str(path), line, "cannot read this catalog: it is not UTF-8 text; save it as UTF-8 "
                    "in a PO editor", code="SYN001") from None


def _check_plural(scan: Scan, key: tuple[str | None, str], state: dict) -> None:
    """A plural entry's format strings: every msgstr[i] against msgid_plural, as msgfmt compares them. msgfmt lets
    a form that stands for one number only (in most languages msgstr[0], n = 1) leave the number out: olxkit
    lets msgstr[0] do so in any language."""
    if not state["flags"] or state["plural_id"] is None:
        return
    plural = "".join(state["plural_id"])
    for index, form in sorted(state["forms"].items()):
        text = "".join(form)
        problems = format_problems(state["flags"], plural, text, "msgid_plural", f"msgstr[{index}]", index == 0)
        if problems:
            scan.entry_errors.append((state["str_line"], key, problems[0]))
            return


def _check_header(scan: Scan, header: list, plurals: list[tuple[int, int]]) -> None:
    """msgfmt --check-header: a header entry, a well-formed Plural-Forms (required when plurals are used) whose
    nplurals every plural entry has; and the charset, which msgfmt only warns about."""
    if not header:
        scan.syntax.append((1, "the catalog has no header entry (`msgid \"\"` with Language, Content-Type…); "
                               "msgfmt --check rejects it"))
        return
    text, line = header
    value = header_field(text, "Plural-Forms")
    count, problem = parse_plural_forms(value)
    if problem and (value is not None and "lacks" not in problem or plurals):
        scan.syntax.append((line, f"the header's Plural-Forms {problem}; msgfmt --check rejects it"))
    elif value is None and plurals:
        scan.syntax.append((line, "the catalog has plural translations but the header has no Plural-Forms; "
                                  "msgfmt --check rejects it"))
    elif count is not None:
        wrong = [(at, n) for at, n in plurals if n != count]
        if wrong:
            at, n = wrong[0]
            scan.syntax.append((at, f"this message has {n} plural forms, but the header's Plural-Forms says "
                                    f"nplurals={count}"))
    charset = charset_problem(text)
    if charset:
        scan.warnings.append((line, charset))


def _string_problem(text: str) -> str:
    if not text.startswith('"') or not text.endswith('"') or len(text) < 2:
        return "a text must be in double quotes"
    inner = text[1:-1]
    bad = re.search(r'(?<!\\)(?:\\\\)*+"', inner)
    if bad:
        return "unescaped double quote: write a quote inside a text as \\\""
    escape = re.search(r"\\([^ntrabfv\\\"'?0-7x])", inner)
    if escape:
        return f"invalid escape `\\{escape.group(1)}`"
    return "malformed quoted text"




def write_catalog(po: polib.POFile, path: str | os.PathLike) -> bool:
    """Write atomically; returns False when the file already had exactly this content."""
    return _write_pieces(lambda: catalog_pieces(po), path)


def write_if_changed(text: str, path: str | os.PathLike) -> bool:
    """Write a catalog's text atomically; returns False when the file already had exactly this content."""
    return _write_pieces(lambda: (text,), path)


def _write_pieces(pieces, path: str | os.PathLike) -> bool:
    """Write the text that `pieces()` gives, unless the file at `path` has it already: compared piece by piece
    with the file's bytes first (an unchanged catalog is the usual case of `i18n update`: its whole text and the
    file's decoded copy, a few times the catalog's size, were most of its memory, and their pages most of its
    system time), then, when the bytes differ, as text (a file with CRLF line ends reads the same)."""
    path = Path(path)
    sweep(path.parent, path.name)  # what a killed update left (`.it.po.olxkit-tmp-<pid>-…`), even if unchanged now
    if _same_bytes(pieces(), path):
        return False
    text = "".join(pieces())
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomic(path, text)
    return True


def _same_bytes(pieces, path: str | os.PathLike) -> bool:
    """Whether the file at `path` holds exactly the UTF-8 of `pieces`. A piece with a carriage return (read as a
    line end in text mode) leaves the answer to the comparison as text."""
    try:
        with open(path, "rb") as file:
            data = memoryview(file.read())
    except OSError:
        return False
    pos = 0
    for piece in pieces:
        if "\r" in piece:
            return False
        chunk = piece.encode("utf-8")
        end = pos + len(chunk)
        if data[pos:end] != chunk:
            return False
        pos = end
    return pos == len(data)
