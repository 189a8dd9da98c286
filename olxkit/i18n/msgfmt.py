"""What `msgfmt --check` rejects beyond a catalog's syntax: format strings, the header, plural forms, domains.

`--check` is `--check-format --check-header --check-domain`. Each check here gives the message msgfmt would
give (in olxkit's words) for the same fault; `pofile.scan_translations` runs them while it reads a catalog and
places them where msgfmt does (an entry's fault at its first `msgstr` line, the header's at the header's).
"""

from __future__ import annotations

import re

FORMAT_FLAGS = ("c-format", "python-format", "python-brace-format")

# -- format strings (--check-format) ----------------------------------------------------------------------------

# One C directive after its `%`: argument number, flags, width, precision, size, conversion.
_C_DIRECTIVE = re.compile(r"(?:([1-9][0-9]*+)\$)?+([-+ #0']*+)(\*(?:[1-9][0-9]*+\$)?+|[0-9]++)?+"
                          r"(?:\.(\*(?:[1-9][0-9]*+\$)?+|[0-9]*+))?+(hh|h|ll|l|L|q|j|z|Z|t)?+(.)?+", re.S)
_C_TYPES = {**dict.fromkeys("di", "int"), **dict.fromkeys("ouxX", "unsigned int"),
            **dict.fromkeys("eEfFgGaA", "double"), "c": "char", "s": "string", "p": "pointer", "n": "count",
            "C": "wide char", "S": "wide string"}
# A Python %-directive after its `%`: optional (name), flags, width, precision, length, conversion.
_PY_DIRECTIVE = re.compile(r"(?:\(([^)]*+)\))?+[-+ #0]*+(\*|[0-9]++)?+(?:\.(\*|[0-9]*+))?+[hlL]?+(.)?+", re.S)
_PY_TYPES = {**dict.fromkeys("diouxX", "integer"), **dict.fromkeys("eEfFgG", "float"), "c": "character",
             **dict.fromkeys("rsa", "string")}


class FormatError(ValueError):
    """The text is not a valid format string of its kind."""


def _c_arguments(text: str) -> dict[int, str]:
    args: dict[int, str] = {}
    numbered = unnumbered = False
    nxt = 1
    i = text.find("%")
    while i >= 0:
        m = _C_DIRECTIVE.match(text, i + 1)
        number, _flags, width, precision, size, conversion = m.groups()
        if conversion == "%" and not (number or width or precision or size):
            i = text.find("%", m.end())
            continue
        if not conversion or conversion not in _C_TYPES:
            raise FormatError("the string ends in the middle of a directive" if not conversion
                              else f"`%{text[i + 1:m.end()]}` is not a valid directive")
        for star in (width, precision):
            if star and star.startswith("*"):
                if star != "*":
                    numbered = True
                    args[int(star[1:-1])] = "int"
                else:
                    unnumbered = True
                    args[nxt] = "int"
                    nxt += 1
        kind = (size or "") + _C_TYPES[conversion]
        if number:
            numbered = True
            if args.get(int(number), kind) != kind:
                raise FormatError(f"argument {number} is used with two different types")
            args[int(number)] = kind
        else:
            unnumbered = True
            args[nxt] = kind
            nxt += 1
        if numbered and unnumbered:
            raise FormatError("numbered and unnumbered arguments are mixed")
        i = text.find("%", m.end())
    if numbered and args and sorted(args) != list(range(1, max(args) + 1)):
        missing = min(set(range(1, max(args) + 1)) - set(args))
        raise FormatError(f"argument {missing} is not used, yet a later one is")
    return args


def _python_arguments(text: str) -> dict[int | str, str]:
    args: dict[int | str, str] = {}
    named = positional = 0
    i = text.find("%")
    while i >= 0:
        m = _PY_DIRECTIVE.match(text, i + 1)
        name, width, precision, conversion = m.groups()
        if conversion == "%" and name is None and not (width or precision):
            i = text.find("%", m.end())
            continue
        if not conversion or conversion not in _PY_TYPES:
            raise FormatError("the string ends in the middle of a directive" if not conversion
                              else f"`%{text[i + 1:m.end()]}` is not a valid directive")
        if name is not None:
            named += 1
            if "*" in (width, precision):
                raise FormatError("a named directive cannot take its width or precision from an argument")
            args[name] = _PY_TYPES[conversion]
        else:
            for star in (width, precision):
                if star == "*":
                    args[len(args)] = "integer"
            positional += 1
            args[len(args)] = _PY_TYPES[conversion]
        if named and positional:
            raise FormatError("named and unnamed directives are mixed")
        i = text.find("%", m.end())
    return args


def _brace_arguments(text: str) -> dict[int | str, str]:
    args: dict[int | str, str] = {}
    i, n, auto = 0, len(text), 0
    while i < n:
        ch = text[i]
        if ch == "}":
            if text.startswith("}}", i):
                i += 2
                continue
            raise FormatError("a single `}` outside a directive (write `}}`)")
        if ch != "{":
            i += 1
            continue
        if text.startswith("{{", i):
            i += 2
            continue
        end, depth, j = -1, 1, i + 1
        while j < n:
            if text[j] == "{":
                depth += 1
                if depth > 2:
                    raise FormatError("directives are nested too deeply")
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    end = j
                    break
            j += 1
        if end < 0:
            raise FormatError("there is an unterminated format directive")
        field = re.split(r"[!:]", text[i + 1:end], maxsplit=1)[0]
        top = re.split(r"[.\[]", field, maxsplit=1)[0]
        if top == "":
            key: int | str = auto
            auto += 1
        elif top.isdigit():
            key = int(top)
        elif top.isidentifier():
            key = top
        else:
            raise FormatError(f"`{{{text[i + 1:end]}}}` is not a valid directive")
        args[key] = "any"
        i = end + 1
    return args


_PARSERS = {"c-format": (_c_arguments, "C"), "python-format": (_python_arguments, "Python"),
            "python-brace-format": (_brace_arguments, "Python brace")}


def format_problems(flags, msgid: str, msgstr: str, msgid_role: str = "msgid", msgstr_role: str = "msgstr",
                    fewer: bool = False) -> list[str]:
    """What msgfmt --check-format finds wrong in a translation `msgstr` of `msgid` whose entry has `flags`; with
    `fewer`, `msgstr` may leave arguments out (a plural form that stands for one number)."""
    out = []
    for flag in FORMAT_FLAGS:
        if flag not in flags:
            continue
        parse, kind = _PARSERS[flag]
        try:
            want = parse(msgid)
        except FormatError:
            continue  # msgfmt checks only translations of valid format strings
        try:
            got = parse(msgstr)
        except FormatError as exc:
            out.append(f"`{msgstr_role}` is not a valid {kind} format string, unlike `{msgid_role}` ({exc}); "
                       f"it is flagged {flag}")
            continue
        positional = flag == "c-format" or (flag == "python-format" and all(isinstance(k, int) for k in [*want, *got]))
        if positional and len(want) != len(got) and not (fewer and len(got) < len(want)):
            out.append(f"the number of format specifications in `{msgid_role}` and `{msgstr_role}` does not "
                       f"match ({flag})")
            continue
        missing = [k for k in want if k not in got and not fewer]
        extra = [k for k in got if k not in want]
        if missing:
            out.append(f"the format specification for argument {missing[0]!r} of `{msgid_role}` is missing in "
                       f"`{msgstr_role}` ({flag})")
        elif extra:
            out.append(f"`{msgstr_role}` has a format specification for argument {extra[0]!r}, which `{msgid_role}` "
                       f"does not have ({flag})")
        else:
            for k, kind_wanted in want.items():
                if k in got and got[k] != kind_wanted:
                    out.append(f"the format specifications in `{msgid_role}` and `{msgstr_role}` for argument "
                               f"{k!r} are not the same ({flag})")
                    break
    return out


# -- the header and plural forms (--check-header) ---------------------------------------------------------------

_NPLURALS = re.compile(r"(?:^|;)\s*+nplurals\s*+=\s*+([^;]*)")
_PLURAL = re.compile(r"(?:^|;)\s*+plural\s*+=\s*+([^;]*)")
_TOKEN = re.compile(r"\s*+(\d++|n|\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()])")
_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


def plural_forms(value: str | None) -> tuple[int | None, str | None]:
    """(nplurals, problem) of a Plural-Forms header value: the count, or what msgfmt finds invalid in it."""
    if value is None:
        return None, None
    found = _NPLURALS.search(value)
    plural = _PLURAL.search(value)
    if found is None or plural is None:
        return None, "lacks " + ("a `nplurals=INTEGER`" if found is None else "a `plural=EXPRESSION`") + " attribute"
    count = found.group(1).strip()
    if not count.isdigit() or int(count) == 0:
        return None, f"has an invalid nplurals value `{count}`"
    if not _valid_expression(plural.group(1)):
        return int(count), f"has an invalid plural expression `{plural.group(1).strip()}`"
    return int(count), None


def _valid_expression(text: str) -> bool:
    """A C expression in `n`, as gettext's plural formulas are written (ternary, logic, comparison, arithmetic)."""
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            return False
        tokens.append(m.group(1))
        pos = m.end()
    tokens.append("")
    at = 0

    def primary() -> bool:
        nonlocal at
        tok = tokens[at]
        if tok == "(":
            at += 1
            if not ternary() or tokens[at] != ")":
                return False
            at += 1
            return True
        if tok == "!":
            at += 1
            return primary()
        if tok == "n" or tok.isdigit():
            at += 1
            return True
        return False

    def binary(level: int) -> bool:
        nonlocal at
        if level == len(_BINARY):
            return primary()
        if not binary(level + 1):
            return False
        while tokens[at] in _BINARY[level]:
            at += 1
            if not binary(level + 1):
                return False
        return True

    def ternary() -> bool:
        nonlocal at
        if not binary(0):
            return False
        if tokens[at] == "?":
            at += 1
            if not ternary() or tokens[at] != ":":
                return False
            at += 1
            return ternary()
        return True

    return ternary() and tokens[at] == ""


def header_field(header: str, name: str) -> str | None:
    """The value of one field of a catalog's header text, or None."""
    for line in header.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name.lower():
            return value.strip()
    return None


def charset_problem(header: str) -> str | None:
    """A warning about the header's Content-Type charset (msgfmt only warns; olxkit reads catalogs as UTF-8)."""
    content_type = header_field(header, "Content-Type")
    found = re.search(r"charset=([^\s;]+)", content_type or "")
    if found is None:
        return "the header has no `Content-Type: text/plain; charset=UTF-8`: gettext tools cannot convert it"
    if found.group(1).replace("-", "").replace("_", "").lower() != "utf8":
        return (f"the header declares charset `{found.group(1)}`, but catalogs are read as UTF-8: declare "
                "`charset=UTF-8` (save as UTF-8 in a PO editor)")
    return None
