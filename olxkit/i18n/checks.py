"""Translation QA: each translation is compared with its source, parsed the same way the build parses it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib

from ..diagnostics import Diagnostic, Severity
from ..source.markdown import make_markdown, render_text
from ..source.yamlio import YamlMap, parse_yaml

_PLACEHOLDER = re.compile(r"\{\{\s*[a-z][a-z0-9_]*\s*\}\}|%\([a-z_]+\)[sd]|\{[a-z_]+\}")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?")
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
    "update title",
    "diagram title",
    "diagram description",
    "diagram label",
}
# How much longer than the source's longest line a line of a drawing's label may be (characters).
_FIT_RATIO, _FIT_SLACK = 1.2, 3


def _inventory(text: str, block: bool) -> dict[str, Counter]:
    md = make_markdown()
    env: dict = {}
    tokens = md.parse(text, env) if block else md.parseInline(text, env)
    inv: dict[str, Counter] = {
        k: Counter()
        for k in ("link", "url", "image", "code", "math", "html", "strong", "em", "literal", "break", "footnote", "s")
    }
    stack = list(tokens)
    while stack:
        tok = stack.pop(0)
        if tok.children:
            stack[0:0] = tok.children
        if tok.type == "link_open":
            href = tok.attrGet("href") or ""
            inv["url" if re.match(r"[a-z][a-z0-9+.-]*:", href, re.I) else "link"][href] += 1
        elif tok.type == "image":
            inv["image"][tok.attrGet("src") or ""] += 1
        elif tok.type == "code_inline":
            inv["code"][tok.content] += 1
        elif tok.type in ("math_inline", "math_inline_double", "math_block"):
            inv["math"][tok.content.strip()] += 1
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
        elif tok.type == "footnote_ref":
            inv["footnote"][tok.meta.get("label", "")] += 1
        elif tok.type == "text":
            for mark in re.findall(r"\*\*|__|~~|(?<![\w\\])\*(?!\s)|`", tok.content):
                inv["literal"][mark] += 1
    return inv


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


def check_entry(
    entry: polib.POEntry,
    glossary: list[tuple[str, str, list[str]]] | None = None,
) -> list[tuple[Severity, str, str]]:
    """Findings for one translated entry: (severity, rule code, message)."""
    findings: list[tuple[Severity, str, str]] = []
    source, target = entry.msgid, entry.msgstr
    if not target:
        return findings
    block = bool(entry.msgctxt) and entry.msgctxt not in _PLAIN_FIELDS
    src, dst = _inventory(source, block), _inventory(target, block)
    for key, name in _NAMES.items():
        if src[key] != dst[key]:
            findings.append((Severity.ERROR, "TRN003", f"{name} differ from the source: {_diff(src[key], dst[key])}"))
    if src["url"] != dst["url"]:
        findings.append(
            (Severity.WARNING, "TRN007", f"link URLs differ from the source: {_diff(src['url'], dst['url'])}")
        )
    if dst["literal"] != src["literal"]:
        findings.append(
            (
                Severity.ERROR,
                "TRN003",
                "unbalanced Markdown: "
                f"{', '.join(sorted(set((dst['literal'] - src['literal']).elements())) or ['markup'])} "
                "left as literal text",
            )
        )
    if entry.msgctxt == "diagram label":
        findings.extend(_fit(source, target))
    if Counter(_PLACEHOLDER.findall(source)) != Counter(_PLACEHOLDER.findall(target)):
        findings.append((Severity.ERROR, "TRN003", "placeholders differ from the source"))
    if block or not entry.msgctxt:
        html = render_text(target) if block else render_text(target, inline=True)
        from ..olx_export import check_html

        for problem in check_html(html)[:1]:
            findings.append((Severity.ERROR, "TRN003", f"the translation renders to invalid HTML: {problem}"))
    if target.strip() == source.strip() and re.search(r"[^\W\d_]{4,}", re.sub(r"`[^`]*`|\$[^$]*\$", "", source)):
        findings.append((Severity.INFO, "TRN004", "the translation is the same as the source"))
    if _numbers(source) != _numbers(target):
        findings.append(
            (
                Severity.INFO,
                "TRN004",
                f"numbers differ from the source ({', '.join(sorted(_numbers(source)))}"
                f" → {', '.join(sorted(_numbers(target))) or 'none'})",
            )
        )
    # Typed answers (context "answer") may legitimately keep a source-language term learners also type.
    for term, wanted, exceptions in (glossary or []) if entry.msgctxt != "answer" else []:
        # Titles of works are cited in italics and stay in their original language.
        text = re.sub(r"(?<![*\w])\*[^*\n]+\*(?!\*)", "", source)
        text = re.sub(r"\]\([^)]*\)|`[^`]*`|\$[^$]*\$", "]", text)  # link targets, image paths, code, math
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


def _numbers(text: str) -> set[str]:
    text = re.sub(r"\$[^$]*\$|`[^`]*`|\]\([^)]*\)|\{\{[^}]*\}\}", "", text)
    out = set()
    for raw in _NUMBER.findall(text):
        digits = re.sub(r"[^\d]", "", raw)
        out.add(digits.lstrip("0") or "0")
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
    out = []
    for entry in po:
        if not entry.msgid or entry.obsolete or not entry.msgstr:
            continue
        where = entry.occurrences[0] if entry.occurrences else None
        origin = ""
        if where:
            origin = f" (source: {where[0]}:{where[1]})" if where[1] else f" (source: {where[0]})"
        for severity, code, message in check_entry(entry, glossary):
            out.append(Diagnostic(rel, entry.linenum or 0, message + origin, severity, code))
    return sorted(out)
