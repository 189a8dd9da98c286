"""Translation QA: each translation is compared with its source, parsed the same way the build parses it."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

import polib

from ..diagnostics import Diagnostic, Severity
from ..source.markdown import make_markdown, render_text
from ..source.yamlio import YamlMap, parse_yaml
from ..textscan import CODE, DISPLAY_MATH, LINK_TARGET, MATH, XML_FORBIDDEN, remove_spans
from .active import active_content
from .numbers import math_numbers, number_findings, same_plain_numbers
from .quick import (
    ASCII_DIGIT,
    MARKUP_START,
    NON_ASCII_DIGIT,
    TRIGGER,
    TRIGGER_BYTES,
    TRIGGER_LOW,
    has_markup,
    other_digit,
)
from .shape import same_shape

_PLACEHOLDER = re.compile(r"\{\{\s*[a-z][a-z0-9_]*\s*\}\}|%\([a-z_]+\)[sd]|\{[a-z_]+\}")
_PLAIN_FIELDS = {
    "problem title",
    "unit title",
    "lesson title",
    "module title",
    "course title",
    "video title",
    "discussion title",
    "discussion category",
    "discussion topic",
    "assignment type",
    "assignment label",
    "answer",
    "accepted answers",
    "wrong answer",
    "update title",
    "diagram title",
    "diagram description",
    "diagram label",
    "math text",
}
# How much longer than the source's longest line a line of a drawing's label may be (characters).
_FIT_RATIO, _FIT_SLACK = 1.2, 3


def _inventory(text: str, block: bool, source: bool = False) -> dict[str, Counter]:
    """What must survive translation in a text: link targets, images, code, math, HTML, emphasis, breaks…

    A source's inventory is memoised (the same source is compared with its translation in every catalog); a
    translation's is not: it is checked once, and caching it would evict the sources on a large course.
    """
    if not _MARKUP.search(text):
        return _EMPTY_INVENTORY
    return _source_inventory(text, block) if source else _inventory_of(text, block)


_KINDS = ("link", "url", "image", "code", "math", "mathnum", "html", "strong", "em", "literal", "break", "footnote",
          "s", "ref")
_EMPTY_INVENTORY = {k: Counter() for k in _KINDS}
# A character that can start inline Markdown, HTML, an entity, math, a placeholder or a footnote.
_MARKUP = re.compile(r"[\\`*_\[\]!<>&$~{}^|]|\n|  ")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s\[]+)\]|\^\[")
_REF_LABEL = re.compile(r"\]\[([^\]]+)\]")


def _inventory_of(text: str, block: bool) -> dict[str, Counter]:
    md = make_markdown()
    env: dict = {}
    tokens = md.parse(text, env) if block else md.parseInline(text, env)
    inv: dict[str, Counter] = {k: Counter() for k in _KINDS}
    stack = tokens[::-1]  # depth first, in document order; pop() from the end keeps the walk linear
    while stack:
        tok = stack.pop()
        if tok.children:
            stack.extend(reversed(tok.children))
        if tok.type == "link_open":
            href = tok.attrGet("href") or ""
            inv["url" if re.match(r"[a-z][a-z0-9+.-]*:", href, re.I) else "link"][href] += 1
        elif tok.type == "image":
            inv["image"][tok.attrGet("src") or ""] += 1
        elif tok.type == "code_inline":
            inv["code"][tok.content] += 1
        elif tok.type in ("math_inline", "math_inline_double", "math_block"):
            inv["math"][math_skeleton(tok.content)] += 1
            for number in _MATH_NUMBER.findall(tok.content):
                inv["mathnum"][number] += 1
        elif tok.type in ("html_inline", "html_block"):
            inv["html"][re.sub(r"\s+", " ", tok.content.strip())] += 1
        elif tok.type == "strong_open":
            inv["strong"]["**"] += 1
        elif tok.type == "em_open":
            inv["em"]["*"] += 1
        elif tok.type == "s_open":
            inv["s"]["~~"] += 1
        elif tok.type == "hardbreak":
            inv["break"]["\\n"] += 1
        elif tok.type == "text":
            for mark in re.findall(r"\*\*|__|~~|(?<![\w\\])\*(?!\s)|`", tok.content):
                inv["literal"][mark] += 1
    # Footnote and reference labels resolve only against the lesson's definitions, which a lone text lacks:
    # they are counted in the text as written.
    for match in _FOOTNOTE_REF.finditer(text):
        inv["footnote"][match.group(1) or "^[…]"] += 1
    for match in _REF_LABEL.finditer(text):
        if not match.group(1).startswith("^"):
            inv["ref"][match.group(1).lower()] += 1
    return inv


_source_inventory = lru_cache(maxsize=65536)(_inventory_of)


def math_skeleton(content: str) -> str:
    """A formula with what a translation may change taken out: the words of `\\text{…}`, spacing, and the way
    numbers are written (`200{,}000`, `200{.}000` and `200\\,000` are one number). Numbers are compared by
    value (`_math_numbers`), the rest of the formula symbol by symbol, in any order (`€200` may become `200 €`)."""
    body = _TEXT_CMD.sub(r"\\text{}", content)
    body = _MATH_NUMBER.sub("#", body)
    body = re.sub(r"\\[,;:! ]|\\q?quad\b|~", " ", body)
    symbols = re.findall(r"\\[A-Za-z]+|\\.|\S", body)
    return " ".join(sorted(symbols))


_TEXT_CMD = re.compile(r"\\(?:text|textrm|textit|textbf|mbox|mathrm)\s*+\{((?:[^{}]|\{[^{}]*+\})*+)\}")
# A number inside LaTeX: digits with `{,}` / `{.}` / `\,` / `.` / `,` between groups.
_MATH_NUMBER = re.compile(r"\d++(?:(?:\{[.,]\}|\\,|[.,'])\d++)*+")


_NAMES = {
    "link": "link targets",
    "image": "image paths",
    "code": "code spans",
    "math": "math",
    "html": "inline HTML",
    "strong": "bold (**…**) spans",
    "em": "italic (*…*) spans",
    "s": "strikethrough spans",
    "break": "line breaks",
    "footnote": "footnote references",
    "ref": "reference links ([text][label])",
}


def _diff(a: Counter, b: Counter) -> str:
    missing = list((a - b).elements())
    extra = list((b - a).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"`{m}`" for m in missing[:3]))
    if extra:
        parts.append("unexpected " + ", ".join(f"`{m}`" for m in extra[:3]))
    return "; ".join(parts)


def check_text(context: str | None, source: str, target: str, locale: str | None = None, errors_only: bool = False
               ) -> list[tuple[Severity, str, str]]:
    """Every finding on one translation but the glossary's: (severity, rule code, message); with `errors_only`,
    the checks that can only give warnings or notes are skipped.

    The build's gate runs exactly these on every text it is about to use (`gate_errors`); cheap tests go first,
    what depends on the source alone is worked out once per source text, a text with no markup on either side
    is never parsed, nor is a translation that only changes the words of its source (shape.py).
    """
    findings: list[tuple[Severity, str, str]] = []
    if not target:
        return findings
    block = is_block(context)
    if "<" in target or ":" in target:
        findings.extend(active_content(source, target))
    if (source[:1] == "\n") != (target[:1] == "\n") or (source[-1:] == "\n") != (target[-1:] == "\n"):
        findings.extend(_newlines(source, target))
    source_markup, source_digits = _source_facts(source)
    plain = not source_markup and not has_markup(target)
    same = not plain and same_shape(source, target, block)
    src, dst = ((_EMPTY_INVENTORY, _EMPTY_INVENTORY) if plain or same
                else (_inventory(source, block, source=True), _inventory(target, block)))
    if src is not dst:
        for key, name in _NAMES.items():
            if src[key] != dst[key]:
                findings.append((Severity.ERROR, "TRN003", f"{name} differ from the source: "
                                 f"{_diff(src[key], dst[key])}"))
        if src["url"] != dst["url"] and not errors_only:
            findings.append(
                (Severity.WARNING, "TRN007", f"link URLs differ from the source: {_diff(src['url'], dst['url'])}")
            )
        if dst["literal"] != src["literal"]:
            findings.append((Severity.ERROR, "TRN003", "unbalanced Markdown: "
                             f"{', '.join(sorted(set((dst['literal'] - src['literal']).elements())) or ['markup'])} "
                             "left as literal text"))
        if src["mathnum"] != dst["mathnum"]:
            findings.extend(math_numbers(src["mathnum"], dst["mathnum"], locale))
    if context == "diagram label" and not errors_only:
        findings.extend(_fit(source, target))
    if context == "accepted answers" and not any(line.strip() for line in target.split("\n")):
        findings.append((Severity.ERROR, "TRN106", "no accepted answer: write at least one, one per line"))
    if context == "math text":
        # The words sit inside \text{…} of a formula: a brace, a backslash or a dollar would break the formula.
        special = sorted(set(re.findall(r"[{}\\$%#&^_~]", target)) - set(source))
        if special:
            findings.append((Severity.ERROR, "TRN003", "the words of a formula may not use "
                             + " ".join(f"`{c}`" for c in special) + ": they would break the formula"))
    if ("{" in source or "%" in source or "{" in target or "%" in target) and (
        _source_placeholders(source) != _placeholders(target)
    ):
        findings.append((Severity.ERROR, "TRN003", "placeholders differ from the source"))
    if (context not in _PLAIN_FIELDS or context is None) and not same:
        findings.extend(_structure(source, target, block))
    # Markdown alone renders to valid HTML but for raw HTML, an entity (a `<` or `&` followed by whitespace starts
    # neither), a character XML forbids and `$$…$$` within a paragraph (a div inside a p): texts without any are
    # not rendered to be checked.
    if (block or not context) and ("<" in target or "&" in target) and (
        MARKUP_START.search(target) or XML_FORBIDDEN.search(target) or "$$" in target
    ):
        html = render_text(target) if block else render_text(target, inline=True)
        from ..olx.html import check_html

        for problem in check_html(html)[:1]:
            findings.append((Severity.ERROR, "TRN003", f"the translation renders to invalid HTML: {problem}"))
    if not errors_only and target.strip() == source.strip() and re.search(r"[^\W\d_]{4,}",
                                                                         remove_spans(source, (CODE, MATH))):
        findings.append((Severity.INFO, "TRN004", "the translation is the same as the source"))
    # A translation of the same shape has its source's digits 0-9 (shape.py keeps them as written).
    other = other_digit(target)
    if (source_digits or other or (not same and ASCII_DIGIT.search(target))) and not same_plain_numbers(
        source, target, other
    ):
        findings.extend(number_findings(source, target, locale))
    return findings


@cache  # two booleans per source text: sized by the course, never evicted
def _source_facts(source: str) -> tuple[bool, bool]:
    """Whether a source text has markup, and digits: the same source is checked against every catalog."""
    return has_markup(source), bool(ASCII_DIGIT.search(source) or other_digit(source))


# Contexts with errors of their own on a plain translation (a blank answer list, a formula's special signs).
_OWN_ERRORS = {"accepted answers", "math text"}


@cache  # a boolean per source text and context: sized by the course, never evicted
def _quiet_source(source: str, context: str | None, block: bool) -> bool:
    """Whether no error of `check_text` can come from this source alone, for a translation with no `TRIGGER`
    character: no markup, no newline at either end, no placeholder, no block line, no context of its own."""
    return not (_source_facts(source)[0] or source[:1] == "\n" or source[-1:] == "\n" or "{" in source
                or "%" in source or context in _OWN_ERRORS or (block and _block_lines(source)))


def quiet_translation(key: tuple[str | None, str], target: str) -> bool:
    """Whether no error of `check_text` can come from `target` as the translation of `key` ((context, source)):
    no character any error looks at (markup, a tag, URL, placeholder, digit, line break) on either side."""
    block = _quiet_key(key)
    return block is not None and quiet_target(target, block)


def python_quiet_target(target: str, block: bool) -> bool:
    """Whether `target` (a block text when `block`) has no character any error of `check_text` looks at, nor a
    line that could start a block. The reference: `quiet_target` is its compiled twin where that was built."""
    if "  " in target:
        return False
    try:  # below U+0100 (most texts): no digit beyond 0-9; one pass in C over the bytes, not a regex search
        data = target.encode("latin-1")
        if len(data.translate(None, TRIGGER_BYTES)) != len(data):
            return False
    except UnicodeEncodeError:
        if TRIGGER.search(target) and (TRIGGER_LOW.search(target) or NON_ASCII_DIGIT.search(target)):
            return False
    return not (block and _BLOCK_LINE.search(target))


try:
    from .speedups import quiet_target
except ImportError:  # built without a C compiler
    quiet_target = python_quiet_target


@cache  # a boolean or None per message: sized by the course, never evicted
def _quiet_key(key: tuple[str | None, str]) -> bool | None:
    """None when an error can come from the message's source alone (`_quiet_source`); else whether its text is a
    block text (what the translation's own quiet test needs)."""
    block = is_block(key[0])
    return block if _quiet_source(key[1], key[0], block) else None


def is_block(context: str | None) -> bool:
    """Whether a message of this context is a block of Markdown (a YAML text: a prompt, an explanation…), not one
    inline run of prose or a plain field."""
    return bool(context) and context not in _PLAIN_FIELDS


def _placeholders(text: str) -> Counter:
    # LaTeX braces (`\\text{value}`) are not placeholders: math is compared on its own.
    return Counter(_PLACEHOLDER.findall(remove_spans(text, (DISPLAY_MATH, MATH), " ") if "$" in text else text))


_source_placeholders = cache(_placeholders)  # a small Counter per source text: sized by the course; never changed


_ANSWERS = {"answer", "accepted answers", "wrong answer"}


def gate_errors(context: str | None, source: str, target: str, locale: str | None) -> list[tuple[str, str]]:
    """(rule code, message) of each error that keeps the build from using this translation."""
    if quiet_translation((context, source), target):
        return []  # most plain texts: no character any error looks at, on either side (a scan or two)
    findings = check_text(context, source, target, locale, True)
    if not findings:
        return []  # most translations: no finding at all
    return [(code, message) for severity, code, message in findings if severity >= Severity.ERROR]


def gate_rejections(items, locale: str | None) -> list[tuple[tuple[str | None, str], list[tuple[str, str]]]]:
    """(key, errors) of each translation of `items` ((key, msgstr) pairs of a catalog) that `gate_errors` keeps
    out."""
    return [(key, errors) for key, target in items if (errors := gate_errors(key[0], key[1], target, locale))]


def _newlines(source: str, target: str) -> list[tuple[Severity, str, str]]:
    """TRN103 as `msgfmt --check` has it: a text and its translation both begin, or both end, with a newline."""
    out = []
    if source.startswith("\n") != target.startswith("\n"):
        out.append((Severity.ERROR, "TRN103", "the source and the translation do not both begin with a newline "
                    "(`\\n`); msgfmt --check rejects the catalog"))
    if source.endswith("\n") != target.endswith("\n"):
        out.append((Severity.ERROR, "TRN103", "the source and the translation do not both end with a newline "
                    "(`\\n`); msgfmt --check rejects the catalog"))
    return out


_BLOCK_LINE = re.compile(r"^(?:\s{0,3}(?:[#>|+-]|\*\s|\d+[.)](?:\s|$))|\s{4})", re.M)


def _structure(source: str, target: str, block: bool) -> list[tuple[Severity, str, str]]:
    """TRN104: list items (count and nesting), headings and their levels, tables (rows and cells), quotes.

    A prose message is one inline run, rendered inline: a list or heading written into its translation would
    show as literal `- …`. A YAML text (a prompt, an explanation) is Markdown with its own blocks."""
    if not block and "\n" not in target.replace("\\\n", ""):
        # An inline run is rendered inline: `1. lépés` at its start is text. Only lines the translator added
        # can make blocks (they would show as literal `- …`).
        return []
    if not _block_lines(source) and not _BLOCK_LINE.search(target):
        return []
    src, dst = dict(_source_blocks(source)), dict(_blocks_of(target))
    if src == dst:
        return []
    problems = []
    for kind in dict.fromkeys([*src, *dst]):
        a, b = src.get(kind, 0), dst.get(kind, 0)
        if a != b:
            problems.append(f"{b} {kind} where the source has {a}")
    return [(Severity.ERROR, "TRN104", "the structure differs from the source: " + "; ".join(problems))]


@cache  # a boolean per source text: sized by the course, never evicted
def _block_lines(source: str) -> bool:
    return bool(_BLOCK_LINE.search(source))


def _blocks_of(text: str) -> tuple:
    md = make_markdown()
    found: Counter = Counter()
    depth = 0
    cells = 0
    for tok in md.parse(text, {}):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "list_item_open":
            found[f"list items at level {depth}" if depth > 1 else "list items"] += 1
        elif tok.type == "heading_open":
            found[f"level-{tok.tag[1]} headings"] += 1
        elif tok.type == "tr_open":
            cells = 0
        elif tok.type in ("th_open", "td_open"):
            cells += 1
        elif tok.type == "tr_close":
            found[f"table rows of {cells} cells"] += 1
        elif tok.type == "blockquote_open":
            found["block quotes"] += 1
        elif tok.type == "footnote_open":
            found["footnotes"] += 1
    return tuple(sorted(found.items()))


# Only sources are memoised: a translation is checked once, and caching it would evict the sources.
_source_blocks = lru_cache(maxsize=65536)(_blocks_of)


# Numbers as written in running text: digits, with group and decimal signs between them.
def check_entry(
    entry: polib.POEntry,
    glossary: list[tuple[str, str, list[str]]] | None = None,
    locale: str | None = None,
) -> list[tuple[Severity, str, str]]:
    """Findings for one translated entry: (severity, rule code, message). `locale` (the catalog's language)
    decides how its numbers are read; without it numbers are compared digit by digit."""
    findings = check_text(entry.msgctxt or None, entry.msgid, entry.msgstr, locale)
    source, target = entry.msgid, entry.msgstr
    if not target:
        return findings
    # Typed answers (context "answer") may legitimately keep a source-language term learners also type.
    for term, wanted, exceptions in (glossary or []) if entry.msgctxt not in _ANSWERS else []:
        # Titles of works are cited in italics and stay in their original language.
        text = re.sub(r"(?<![*\w])\*[^*\n]+\*(?!\*)", "", source)
        text = remove_spans(text, (LINK_TARGET, CODE, MATH), "]")  # link targets, image paths, code, math
        for phrase in exceptions:
            text = re.sub(re.escape(phrase), "", text, flags=re.I)
        if re.search(rf"\b{re.escape(term)}", text, re.I) and wanted.lower() not in target.lower():
            findings.append((Severity.WARNING, "TRN005", f"glossary: `{term}` should be translated as `{wanted}`"))
    return findings


def _fit(source: str, target: str) -> list[tuple[Severity, str, str]]:
    """TRN008: a drawing's label must fit where the source's lines were."""
    src, dst = source.split("\n"), target.split("\n")
    room = max(len(line) for line in src)
    longest = max(dst, key=len)
    out = []
    if len(longest) > max(room * _FIT_RATIO, room + _FIT_SLACK):
        out.append((Severity.WARNING, "TRN008", f"the line `{longest}` ({len(longest)} characters) may not fit the "
                    f"drawing: the source's longest line has {room}; break it (a new line is a new line)"))
    if len(dst) > len(src):
        out.append((Severity.WARNING, "TRN008", f"{len(dst)} lines where the drawing has room for {len(src)}: the "
                    "lines below may overlap the next text"))
    return out


def load_glossary(root: str | Path, locale: str) -> list[tuple[str, str, list[str]]]:
    """(source term, required translation, phrases to ignore) for `locale` from course/glossary.yaml."""
    rel = "course/glossary.yaml"
    path = Path(root) / rel
    if not path.is_file():
        return []
    from ..source.lesson import read_text

    data = YamlMap(parse_yaml(read_text(Path(root), rel), rel), rel, what="glossary.yaml")
    data.check_keys(("terms",))
    pairs = []
    base = locale.split("_")[0]
    for node in data.sequence("terms"):
        term = data.sub(node, "a glossary term")
        source = term.text("en", required=True)
        wanted = term.text(locale) or term.text(base)
        if wanted:
            pairs.append((source, wanted, [t for t, _line in term.text_list("except")]))
    return pairs


def check_catalog(
    po: polib.POFile,
    rel: str,
    glossary: list[tuple[str, str, list[str]]] | None = None,
) -> list[Diagnostic]:
    """Every finding in one catalog, at `locale/xx.po:line`, naming the source place."""
    locale = po.metadata.get("Language") or Path(rel).stem
    out = []
    for entry in po:
        if not entry.msgid or entry.obsolete or not entry.msgstr:
            continue
        where = entry.occurrences[0] if entry.occurrences else None
        origin = ""
        if where:
            origin = f" (source: {where[0]}:{where[1]})" if where[1] else f" (source: {where[0]})"
        for severity, code, message in check_entry(entry, glossary, locale):
            out.append(Diagnostic(rel, entry.linenum or 0, message + origin, severity, code))
    return sorted(out)
