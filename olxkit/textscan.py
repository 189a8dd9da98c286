"""Linear-time text scanning for author, translator and server text.

Python's regular expressions backtrack: a pattern such as `\\s*\\{#` searched in a heading, or `\\](…[^)]*\\)` in a
msgstr full of `](`, tries again from every position and rescans the rest each time — 50,000 spaces in a heading
took 14 s, a megabyte would take hours. The helpers here scan once, left to right. `risky_patterns` is the
static check (run by the tests) that no pattern of olxkit has the shapes that backtrack.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

# -- delimited spans ------------------------------------------------------------------------------------------

MATH = ("$", "$", "$")
CODE = ("`", "`", "`")
LINK_TARGET = ("](", ")", ")")
PLACEHOLDER = ("{{", "}}", "}")
DISPLAY_MATH = ("$$", "$$", None)
TAG = ("<", ">", ">")
FOOTNOTE = ("[^", "]", "]")
"""Spans (see `find_spans`): `$x$` is `\\$[^$]*\\$`, `{{ x }}` is `\\{\\{[^}]*\\}\\}`, a Markdown link target `](x)`
is `\\]\\([^)]*\\)`, `$$x$$` is `\\$\\$.*?\\$\\$` (DOTALL), a tag `<[^>]*>`, a footnote `\\[\\^[^\\]]*\\]`."""

# Characters XML forbids, which libxml2's HTML parser reports ("Invalid char in CDATA 0x1", "Char 0xFFFE out of
# allowed range"): the C0 controls but tab, new line and carriage return, and U+FFFE/U+FFFF.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def find_spans(text: str, spans: tuple[tuple, ...]):
    """Yield (start, end, k) for each match of the alternation of `spans` (k: which span), left to right, as
    `re.finditer` would; in linear time.

    A span is (opener, closer, stop) or (opener, closer, stop, least): with a `stop` character, the span's inside
    may not hold it and the first one must start the closer (`\\$[^$]*\\$`); with `stop` None, the span ends at
    the first closer after at least `least` characters (`\\$\\$.*?\\$\\$` with DOTALL). Where each stop character or
    closer is next found is kept and looked up again only once the scan has passed it, so no part of the text is
    scanned twice.
    """
    nxt: dict[str, int] = {}
    i = 0
    n = len(text)
    # Jump from one place where a span may open to the next: the text in between is skipped at C speed.
    openers = _openers(tuple(span[0][0] for span in spans))
    while i < n:
        found = openers.search(text, i)
        if found is None:
            return
        i = found.start()
        for k, span in enumerate(spans):
            opener, closer, stop = span[:3]
            if not text.startswith(opener, i):
                continue
            start = i + len(opener) + (span[3] if len(span) > 3 else 0)
            key = stop if stop is not None else closer
            at = nxt.get(key, -2)
            if at != -1 and at < start:
                at = nxt[key] = text.find(key, start)
            if at != -1 and (stop is None or text.startswith(closer, at)):
                yield i, at + len(closer), k
                i = at + len(closer)
                break
        else:
            i += 1


@lru_cache(maxsize=64)
def _openers(firsts: tuple[str, ...]) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(set(firsts))) + "]")


def remove_spans(text: str, spans: tuple[tuple, ...], replacement: str = "") -> str:
    """`re.sub("A|B|…", replacement, text)` for delimited spans A, B… (see `find_spans`), in one linear pass."""
    if not any(span[0] in text for span in spans):
        return text
    out: list[str] = []
    done = 0
    for start, end, _k in find_spans(text, spans):
        out.append(text[done:start])
        out.append(replacement)
        done = end
    out.append(text[done:])
    return "".join(out)


def strip_tags(text: str) -> str:
    """`re.sub("<[^>]+>", " ", text)` in linear time: each `<…>` becomes one space."""
    out: list[str] = []
    i = done = 0
    close = -2
    while True:
        i = text.find("<", i)
        if i == -1:
            break
        if close != -1 and close <= i:
            close = text.find(">", i + 1)
        if close == -1:
            break
        if close > i + 1:
            out.append(text[done:i])
            out.append(" ")
            i = done = close + 1
        else:
            i += 1
    out.append(text[done:])
    return "".join(out)


def squeeze_spaces(text: str) -> str:
    """Runs of white space as one space, the ends stripped (`" ".join(text.split())`)."""
    return " ".join(text.split())


def trailing_id(content: str) -> tuple[str, str] | None:
    """A heading's `{#id}` at its end: (the text before it, stripped; the id), or None.

    The regular expression `\\s*\\{#([^}\\s]*)\\}\\s*$`, found by scanning back from the end once.
    """
    text = content.rstrip()
    if not text.endswith("}"):
        return None
    j = len(text) - 1
    while j > 0 and text[j - 1] != "}" and not text[j - 1].isspace():
        j -= 1
    start = text.find("{#", j, len(text) - 1)
    if start == -1:
        return None
    return text[:start].strip(), text[start + 2 : -1]


def join_lines(inline_source: str) -> str:
    """A Markdown inline run as one message: soft line breaks become one space, hard breaks (two spaces or a
    backslash at the end of a line) become `\\` + newline. Linear time."""
    lines = inline_source.strip().split("\n")
    if len(lines) == 1:
        return lines[0]
    hard = []
    for k, line in enumerate(lines[:-1]):
        if line.endswith("\\"):
            lines[k], brk = line[:-1], True
        elif line.endswith("  "):
            lines[k], brk = line.rstrip(" "), True
        else:
            brk = False
        hard.append(brk)
    out = []
    for k, line in enumerate(lines):
        if k > 0 and not hard[k - 1]:
            line = line.lstrip(" \t")
        if k < len(hard) and not hard[k]:
            line = line.rstrip(" \t")
        out.append(line)
        if k < len(hard):
            out.append("\\\n" if hard[k] else " ")
    return "".join(out)


# -- the static check -----------------------------------------------------------------------------------------

_SEARCHING = {"search", "sub", "subn", "findall", "finditer", "split"}
_SAMPLE = [chr(c) for c in range(0, 128)] + ["\u00a0", "é", "ß", "\u2028", "漢"]


def risky_patterns(package: str | Path) -> list[str]:
    """`file:line: pattern — why` for each regular expression in `package` that can backtrack on long input:
    nested unbounded quantifiers, two adjacent unbounded quantifiers that can match the same character, or an
    unbounded quantifier in a searched pattern that can rescan where a later attempt starts (`<[^>]+>`)."""
    found = []
    for file in sorted(Path(package).rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args):
                continue
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                continue  # built from escaped words (re.escape) or a name checked where it is compiled
            flags = _flags(node)
            searched = node.func.attr in _SEARCHING or (node.func.attr == "compile" and _searched(node, tree))
            why = pattern_risk(arg.value, flags, searched)
            if why:
                found.append(f"{file.relative_to(Path(package).parent)}:{node.lineno}: {arg.value!r} — {why}")
    return found


def _searched(call: ast.Call, tree: ast.Module) -> bool:
    """Is the pattern compiled by `call` (NAME = re.compile(…)) ever searched (not only matched at the start)?"""
    names = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and n.value is call
             for t in n.targets if isinstance(t, ast.Name)}
    if not names:
        return True
    return any(isinstance(n, ast.Attribute) and n.attr in _SEARCHING and isinstance(n.value, ast.Name)
               and n.value.id in names for n in ast.walk(tree))


def _flags(node: ast.Call) -> int:
    flags = 0
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "re":
            flags |= {"I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M, "S": re.S, "DOTALL": re.S,
                      "U": 0, "UNICODE": 0}.get(sub.attr, 0)
    return flags


def pattern_risk(pattern: str, flags: int = 0, searched: bool = True) -> str | None:
    """Why `pattern` can take more than linear time, or None."""
    from re import _constants as c
    from re import _parser as p

    parsed = p.parse(pattern, flags)
    unbounded = (c.MAX_REPEAT, c.MIN_REPEAT)

    def matcher(items) -> set[str]:
        """Sample characters an item sequence can start with (conservative)."""
        try:
            compiled = re.compile(_unparse_first(items), flags)
        except Exception:  # noqa: BLE001 - unknown shape: assume it can start with anything
            return set(_SAMPLE)
        return {ch for ch in _SAMPLE if compiled.match(ch)}

    def walk(items, inside_unbounded: bool) -> str | None:
        seq = list(items)
        for k, (op, av) in enumerate(seq):
            if op in unbounded and av[1] == c.MAXREPEAT:
                if inside_unbounded and _has_unbounded(av[2]):
                    return "nested unbounded quantifiers"
                if inside_unbounded:
                    return "nested unbounded quantifiers"
                body = matcher([(op, av)])
                for later in seq[k + 1 :]:
                    lop, lav = later
                    if lop in unbounded and lav[1] == c.MAXREPEAT:
                        if body & matcher([later]):
                            return "adjacent unbounded quantifiers that match the same characters"
                        break
                    if lop in unbounded and lav[0] == 0:
                        continue  # optional: the two on either side are adjacent
                    break
                why = walk(av[2], True)
                if why:
                    return why
            elif op is c.SUBPATTERN:
                why = walk(av[3], inside_unbounded)
                if why:
                    return why
            elif op is c.BRANCH:
                for alt in av[1]:
                    why = walk(alt, inside_unbounded)
                    if why:
                        return why
            elif op in (c.POSSESSIVE_REPEAT, c.ATOMIC_GROUP):
                continue
        return None

    why = walk(parsed, False)
    if why or not searched:
        return why
    anchored = parsed and parsed[0][0] is c.AT and (parsed[0][1] is c.AT_BEGINNING_STRING
                                                  or (parsed[0][1] is c.AT_BEGINNING and not flags & re.M))
    if anchored:
        return None
    # A searched pattern is tried at every position: an unbounded quantifier followed by more pattern rescans
    # its run from each later start that can begin a match inside that run.
    line_starts = bool(parsed) and parsed[0][0] is c.AT and parsed[0][1] is c.AT_BEGINNING
    for alt in _alternatives(parsed):
        # With re.M, `^` lets an attempt start only after a newline: only a run that crosses one rescans.
        first = {"\n"} if line_starts else matcher(alt)
        if _rescans(alt, first, matcher, followed=False):
            return "an unbounded quantifier that later attempts rescan (search restarts inside its run)"
    return None


def _rescans(items, first: set[str], matcher, followed: bool) -> bool:
    from re import _constants as c

    items = list(items)
    for k, (op, av) in enumerate(items):
        after = followed or _needs_more(items[k + 1 :])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] == c.MAXREPEAT:
            if after and matcher([(op, av)]) & first:
                return True
            if _rescans(av[2], first, matcher, after):
                return True
        elif op is c.SUBPATTERN:
            if _rescans(av[3], first, matcher, after):
                return True
        elif op is c.BRANCH and any(_rescans(a, first, matcher, after) for a in av[1]):
            return True
    return False


def _alternatives(parsed):
    from re import _constants as c

    items = list(parsed)
    if len(items) == 1 and items[0][0] is c.BRANCH:
        return [list(a) for a in items[0][1][1]]
    if len(items) == 1 and items[0][0] is c.SUBPATTERN and len(list(items[0][1][3])) == 1:
        return _alternatives(items[0][1][3])
    return [items]


def _has_unbounded(items) -> bool:
    from re import _constants as c

    for op, av in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] == c.MAXREPEAT:
            return True
        if op is c.SUBPATTERN and _has_unbounded(av[3]):
            return True
        if op is c.BRANCH and any(_has_unbounded(a) for a in av[1]):
            return True
    return False


def _needs_more(rest) -> bool:
    """True when what follows must consume or assert something (so an attempt can fail after the run)."""
    from re import _constants as c

    for op, av in rest:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] == 0:
            continue
        return True
    return False


def _unparse_first(items) -> str:
    """A pattern matching one character that `items` can start with (what the checks compare)."""
    from re import _constants as c

    out = []
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the match starts with what follows
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            out.append(f"(?:{_unparse_first(av[2])})")
            if av[0] > 0:
                return "".join(out) if len(out) == 1 else "(?:" + "|".join(out) + ")"
            continue
        out.append(_one(op, av))
        return out[0] if len(out) == 1 else "(?:" + "|".join(out) + ")"
    return "(?:" + "|".join(out) + ")" if out else "(?!)"


def _one(op, av) -> str:
    from re import _constants as c

    if op is c.LITERAL:
        return re.escape(chr(av))
    if op is c.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is c.ANY:
        return "."
    if op is c.SUBPATTERN:
        return _unparse_first(av[3])
    if op is c.BRANCH:
        return "(?:" + "|".join(_unparse_first(a) for a in av[1]) + ")"
    if op is c.IN:
        return _unparse_in(av)
    raise ValueError(op)


def _unparse_in(items) -> str:
    from re import _constants as c

    negate = ""
    parts = []
    for op, av in items:
        if op is c.NEGATE:
            negate = "^"
        elif op is c.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is c.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is c.CATEGORY:
            parts.append({c.CATEGORY_DIGIT: r"\d", c.CATEGORY_NOT_DIGIT: r"\D", c.CATEGORY_SPACE: r"\s",
                          c.CATEGORY_NOT_SPACE: r"\S", c.CATEGORY_WORD: r"\w", c.CATEGORY_NOT_WORD: r"\W"}[av])
        else:
            raise ValueError(op)
    return f"[{negate}{''.join(parts)}]"




__all__ = ["CODE", "DISPLAY_MATH", "FOOTNOTE", "LINK_TARGET", "MATH", "PLACEHOLDER", "TAG", "find_spans",
           "join_lines", "pattern_risk", "remove_spans", "risky_patterns", "squeeze_spaces", "strip_tags",
           "trailing_id"]
