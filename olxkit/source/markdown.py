"""Markdown: the one parser configuration olxkit uses everywhere, lesson splitting, and OLX-safe rendering."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from types import MappingProxyType
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..textscan import trailing_id
from .fastinline import inline_parts, render_with, simple_inline_html
from .quickparse import PlainFirst, citation_parser, speed_up_block_rules
from .runs import inline_where_needed, parse_early, parse_runs, unparsed_stay_unparsed, with_resolved

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
UNCHECKED = "olxkit_unchecked_html"
"""Set in the render env when HTML whose validity the renderer does not vouch for was written (`render_page_html`)."""


def _render_math(content: str, options: dict[str, Any]) -> str:
    # MathJax in Open edX recognises \( \) and \[ \] by default, not dollars.
    if options.get("display_mode"):
        return f"\\[{escapeHtml(content.strip())}\\]"
    return f"\\({escapeHtml(content)}\\)"


class OlxRenderer(RendererHTML):
    """HTML that Open edX accepts: links and assets rewritten, HTML4 tags only (lxml's HTML parser
    flags HTML5-only tags such as <section>, and Studio's import gate rejects what it flags)."""

    def link_open(self, tokens, idx, options, env):
        return with_resolved(tokens[idx], "href", "link", env, lambda tok: self.renderToken([tok], 0, options, env))

    def image(self, tokens, idx, options, env):
        image = super().image
        return with_resolved(tokens[idx], "src", "image", env, lambda tok: image([tok], 0, options, env))

    def footnote_block_open(self, tokens, idx, options, env):
        return '<hr class="footnotes-sep" />\n<div class="footnotes">\n<ol class="footnotes-list">\n'

    def footnote_block_close(self, tokens, idx, options, env):
        return "</ol>\n</div>\n"

    def footnote_anchor(self, tokens, idx, options, env):
        meta = tokens[idx].meta
        refs = env.get("olxkit_fnrefs")
        if refs is not None and (meta["id"], meta.get("subId", 0)) not in refs:
            return ""  # the reference sits in another unit: a back link would point nowhere
        ident = meta["id"] + 1
        if meta.get("subId", 0) > 0:
            ident = f"{ident}:{meta['subId']}"
        label = escapeHtml(env.get("olxkit_backlink") or "Back to the text")
        return f' <a href="#fnref{ident}" class="footnote-backref" title="{label}" aria-label="{label}">&#8617;</a>'


@lru_cache(maxsize=2)
def make_markdown(quick: bool = True) -> MarkdownIt:
    """The one Markdown parser: CommonMark + tables, strikethrough, footnotes, admonitions, math (quickparse.py)."""
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True}, renderer_cls=OlxRenderer)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(admon_plugin)
    # allow_digits=False keeps prices such as "$5 and $10" from being read as math.
    md.use(dollarmath_plugin, allow_digits=False, double_inline=True, renderer=_render_math)
    # The footnote plugin's own renderers are bound per instance; route them to ours.
    for name in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
        md.add_render_rule(name, getattr(OlxRenderer, name))
    # The renderer notes when it writes HTML it does not vouch for (the author's raw HTML; a `$$…$$` formula's
    # <div> inside a paragraph, or its label's id, which two formulas may share), so that a page's HTML check
    # (olx/html.py `page_problems`) runs only where it can find something.
    for name in ("html_block", "html_inline", "math_inline_double", "math_block_label"):
        md.renderer.rules[name] = _unchecked(md.renderer.rules[name])
    return speed_up_block_rules(md) if quick else md


def _unchecked(rule):
    def render_unchecked(tokens, idx, options, env):
        env[UNCHECKED] = True
        return rule(tokens, idx, options, env)
    return render_unchecked


def parse_inline(text: str, env: dict[str, Any]) -> list[Token]:
    """`MarkdownIt.parseInline` without the footnote plugin's tail rule.

    That rule only gathers footnote definitions, which inline text cannot contain, yet it walks its state on
    every call; translations call this tens of thousands of times per build.
    """
    md = make_markdown()
    state = StateCore(text, md, env)
    state.inlineMode = True
    for rule in _inline_core_rules():
        rule(state)
    return state.tokens


@lru_cache(maxsize=1)
def _inline_core_rules():
    md = make_markdown()
    return [r.fn for r in md.core.ruler.__rules__ if r.enabled and r.name != "footnote_tail"]


@lru_cache(maxsize=2)
def _text_core_rules(for_build: bool = False):
    md = make_markdown()
    texts = {"cited": (citation_parser(md), PlainFirst(md))}  # (citing runs, headings): see quickparse.py
    inline = partial(inline_where_needed, **{"wanted": parse_early} if for_build else texts)
    rules = [inline if r.name == "inline" else r.fn for r in md.core.ruler.__rules__ if r.enabled]
    return [*rules, unparsed_stay_unparsed]


def parse_deferred(text: str, env: dict[str, Any]) -> list[Token]:
    """`MarkdownIt.parse` for a build: inline runs but headings and `runs.parse_early` ones stay unparsed until
    `render`."""
    return _parse_partly(text, env, for_build=True)


def parse_for_texts(text: str, env: dict[str, Any]) -> list[Token]:
    """`MarkdownIt.parse` for reading texts only (extraction): the block structure in full, inline Markdown
    parsed only in headings and footnote citations (see `runs.inline_where_needed`): half the time of a parse."""
    return _parse_partly(text, env, for_build=False)


def _parse_partly(text: str, env: dict[str, Any], for_build: bool) -> list[Token]:
    state = StateCore(text, make_markdown(), env)
    for rule in _text_core_rules(for_build):
        rule(state)
    return state.tokens


def plain_text(inline: Token) -> str:
    """The readable text of an inline token (markup dropped), for display names."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "math_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


@dataclass
class ComponentBlock:
    """A fenced component block as found in the lesson (its YAML body not yet read)."""

    type: str
    info: str
    body: str
    line: int
    """line of the opening fence"""


@dataclass
class RawUnit:
    title: str
    id: str | None
    line: int
    items: list[tuple[int, list[Token] | ComponentBlock]] = field(default_factory=list)
    """(line, html tokens) or (line, ComponentBlock), in order"""


class LessonSyntaxError(Exception):
    def __init__(self, line: int, message: str, code: str = "SYN005"):
        super().__init__(message)
        self.line = line
        self.code = code


_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*(\S*)")
_UNIT_HEADING = re.compile(r" {0,3}##\s")


def _check_fence_closed(tok: Token, lines: list[str], line_offset: int) -> None:
    """A component fence must be closed before the next fence or the end of the lesson.

    markdown-it runs an unclosed fence on to the next bare fence line (or the end), so without this the author
    is told about YAML errors far below the real mistake, the missing closing line.
    """
    start, end = tok.map
    opening = start + 1 + line_offset
    last = lines[end - 1] if 0 < end <= len(lines) else ""
    closing = _FENCE_LINE.match(last)
    closed = end - 1 > start and closing is not None and closing.group(1)[0] == tok.markup[0] \
        and len(closing.group(1)) >= len(tok.markup) and not closing.group(2)
    inner = None
    # Nearly every block holds neither a fence line nor a heading: a substring search of its content (its lines,
    # less at most the fence's indent) says so for all of them.
    content = tok.content
    if "```" in content or "~~~" in content or "##" in content:
        for number, text in enumerate(lines[start + 1 : end - 1 if closed else end], start + 1):
            match = _FENCE_LINE.match(text)
            if match and match.group(2) or _UNIT_HEADING.match(text):
                inner = number
                break
    if closed and inner is None:
        return
    where = f"it runs on to line {inner + 1 + line_offset}" if inner is not None else "it runs to the end of the file"
    raise LessonSyntaxError(
        opening,
        f"the {tok.markup}{tok.info.strip()} fence opened here is not closed ({where}): add a `{tok.markup}` line "
        "after its last line", code="AUT001")


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


def share_empty_maps(tokens: list[Token]) -> None:
    """Give every token without attributes (nearly all) one shared, read-only empty mapping for `attrs`, and
    every one but inline runs (the walk notes each run's msgid in its `meta`) one for `meta`.

    Each token otherwise holds two empty dicts of its own: a third of the parsed course's memory, which is
    the largest part of a build's. The tokens are only read after parsing (the renderer copies a token before
    changing it); a write to a shared mapping raises instead of changing every token.
    """
    shared = _NO_ATTRS
    for tok in tokens:
        if not tok.attrs:
            tok.attrs = shared
        if not tok.meta and tok.type != "inline":
            tok.meta = shared
        children = tok.children
        if children:  # an inline run's tokens (here, without a call per run), an image's alt text (one call)
            for child in children:
                if not child.attrs:
                    child.attrs = shared
                if not child.meta and child.type != "inline":
                    child.meta = shared
                if child.children:
                    share_empty_maps(child.children)


def heading_unit(inline: Token, line: int) -> RawUnit:
    """The unit a `##` heading starts (its inline token parsed): title without markup, `{#id}` if any."""
    match = trailing_id(inline.content)
    title = plain_text(inline)
    found = trailing_id(title)
    title = found[0] if found else title.strip()
    if not title:
        raise LessonSyntaxError(line, "a unit heading needs a title")
    return RawUnit(title=title, id=match[1] if match else None, line=line)


def parse_lesson(body: str, line_offset: int, fences: tuple[str, ...], texts_only: bool = False
                 ) -> tuple[list[RawUnit], dict[str, Any]]:
    """Parse a lesson body once and split it into units at `##` headings.

    `line_offset` is the number of lines before the body in the file (the front matter), so that
    reported lines are file lines. A fenced block named in `fences` (the component types' fence names) is a
    component; other fences are code blocks. With `texts_only`, inline Markdown is left unparsed where the
    structure does not need it (`parse_for_texts`): the tokens are then for reading, not rendering.
    """
    env: dict[str, Any] = {}
    tokens = parse_for_texts(body, env) if texts_only else parse_deferred(body, env)
    share_empty_maps(tokens)
    component_types = fences
    units: list[RawUnit] = []
    lines = body.split("\n")
    footnotes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    i = 0
    n = len(tokens)

    def close_chunk():
        nonlocal current
        if current:
            line = next((t.map[0] for t in current if t.map), 0) + 1 + line_offset
            units[-1].items.append((line, current))
        current = None

    while i < n:
        tok = tokens[i]
        if tok.type == "footnote_block_open":
            # The footnote plugin moved every definition here; keep each by id for the units that cite it.
            j = i + 1
            while j < n and tokens[j].type != "footnote_block_close":
                if tokens[j].type == "footnote_open":
                    start = j
                    while tokens[j].type != "footnote_close":
                        j += 1
                    footnotes[tokens[start].meta["id"]] = tokens[start : j + 1]
                j += 1
            i = j + 1
            continue
        if tok.level == 0 and tok.type == "heading_open" and tok.tag in ("h1", "h2"):
            line = tok.map[0] + 1 + line_offset
            if tok.tag == "h1":
                raise LessonSyntaxError(
                    line,
                    "`#` headings are not used in lessons: the lesson title comes from "
                    "the front matter; start each unit with `##`",
                )
            close_chunk()
            units.append(heading_unit(tokens[i + 1], line))
            i += 3
            continue
        if tok.level == 0 and tok.type == "fence":
            word = tok.info.strip().split(maxsplit=1)
            kind = word[0].lower() if word else ""
            braced = kind.startswith("{") and kind.endswith("}")
            kind = kind.strip("{}") if braced else kind
            if kind not in component_types and (braced or _looks_like_component(kind, component_types)):
                line = tok.map[0] + 1 + line_offset
                near = difflib.get_close_matches(kind, component_types, n=1, cutoff=0.6)
                hint = f" (did you mean `{near[0]}`?)" if near else ""
                raise LessonSyntaxError(
                    line,
                    f"unknown component type `{kind}`{hint}; components are "
                    f"{', '.join(component_types)} (other fences are code blocks)",
                )
            if kind in component_types:
                line = tok.map[0] + 1 + line_offset
                _check_fence_closed(tok, lines, line_offset)
                if not units:
                    raise LessonSyntaxError(
                        line, "a component before the first `##` unit heading; start the lesson with a `## Unit title`"
                    )
                close_chunk()
                units[-1].items.append((line, ComponentBlock(kind, tok.info.strip(), tok.content, line)))
                i += 1
                continue
        if not units:
            line = (tok.map[0] if tok.map else 0) + 1 + line_offset
            raise LessonSyntaxError(
                line, "text before the first `##` unit heading; every unit starts with `## Unit title {#unit-id}`"
            )
        if current is None:
            current = []
        current.append(tok)
        i += 1
    if units:
        close_chunk()
    env["olxkit_footnotes"] = footnotes
    return units, env


def _looks_like_component(word: str, component_types: tuple[str, ...]) -> bool:
    """A fence info word that is a misspelt component type rather than a programming language."""
    if not word or word in _CODE_LANGUAGES:
        return False
    return bool(difflib.get_close_matches(word, component_types, n=1, cutoff=0.75))


_CODE_LANGUAGES = {"vim", "idl", "vhdl", "xml", "text", "txt", "yaml", "json", "python", "bash", "html"}


def footnote_refs(tokens: list[Token]) -> set[tuple[int, int]]:
    refs = set()
    for tok in tokens:
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type == "footnote_ref":
                    refs.add((child.meta["id"], child.meta.get("subId", 0)))
    return refs


def with_footnotes(tokens: list[Token], env: dict[str, Any], refs: set | None = None) -> list[Token]:
    """The chunk's tokens followed by the footnotes it cites (footnotes render with their unit)."""
    defs = env.get("olxkit_footnotes") or {}
    cited = sorted({fid for fid, _sub in (footnote_refs(tokens) if refs is None else refs)})
    if not cited:
        return tokens
    out = list(tokens)
    out.append(Token("footnote_block_open", "", 1))
    for fid in cited:
        out.extend(defs.get(fid, []))
    out.append(Token("footnote_block_close", "", -1))
    return out


def render(tokens: list[Token], env: dict[str, Any], resolve=None, backlink: str | None = None) -> str:
    """Render tokens to HTML; `resolve(url, kind)` rewrites link and image targets; `backlink` labels the ↩ link
    of each footnote (in the variant's language)."""
    return render_page_html(tokens, env, resolve, backlink)[0]


def render_page_html(tokens: list[Token], env: dict[str, Any], resolve=None, backlink: str | None = None
                     ) -> tuple[str, bool]:
    """`render`, and whether the HTML holds markup the renderer does not vouch for (`make_markdown`): the rest is
    balanced HTML 4, every text and attribute escaped."""
    md = make_markdown()
    fnrefs = footnote_refs(tokens)
    full = with_footnotes(tokens, env, fnrefs)
    # Runs `parse_deferred` left are parsed for this rendering only, then put back (a copy cost more than a parse).
    # A plain run's HTML is written without the parser (fastinline.py); the others are parsed.
    ready = {id(t): h for t in full if t.children is None and t.type == "inline"
             and (h := inline_parts(t.content)) is not None}
    deferred = [t for t in full if t.children is None and t.type == "inline" and id(t) not in ready]
    refs = {"references": env.get("references") or {}}
    render_env = dict(env, olxkit_resolve=resolve, olxkit_backlink=backlink, olxkit_fnrefs=fnrefs,
                      **{UNCHECKED: False})
    try:
        parse_runs(deferred, md, refs)
        html = render_with(md.renderer, full, md.options, render_env, ready)
    finally:
        for t in deferred:
            t.children = None
    return html, render_env[UNCHECKED]


_MARKUP = re.compile(r"[\\`*_\[\]!<>&$~{}|#]")
_BLOCK_START = re.compile(r"^(?:\s{4}|\s*(?:[#>+=|-]|\*|\d+[.)](?:\s|$)|!!!|\$\$|```|~~~|\[[^\]]*\]:|<))")


def _single_paragraph(text: str) -> bool:
    """True when `text` can only be one paragraph: no blank line, and no line that could open another block."""
    lines = text.strip().split("\n")
    return all(line.strip() and not _BLOCK_START.match(line) for line in lines)


def plain_paragraph(text: str) -> str | None:
    """The text of a one-line paragraph with no Markdown at all (rendered: `<p>` + the text), else None."""
    stripped = text.strip()
    if not stripped or "\n" in stripped or _MARKUP.search(stripped) or _BLOCK_START.match(text):
        return None
    return stripped


def render_text(text: str, resolve=None, inline: bool = False) -> str:
    """Render a short Markdown text from YAML (a prompt, a hint) to HTML."""
    if "[" not in text and "<" not in text:
        # No link, image, footnote or HTML: `resolve` cannot be called and the HTML depends on the text alone.
        # Courses repeat such texts (hints, feedback), and every variant a worker builds renders them again.
        return _render_linkless(text, inline)
    return _render_text(text, resolve, inline)


@lru_cache(maxsize=8192)
def _render_linkless(text: str, inline: bool) -> str:
    return _render_text(text, None, inline)


def _render_text(text: str, resolve, inline: bool) -> str:
    md = make_markdown()
    env: dict[str, Any] = {"olxkit_resolve": resolve}
    if inline:
        if text == text.strip() and (html := simple_inline_html(text, resolve)) is not None:
            return html.strip()
        return md.renderer.render(md.parseInline(text, env), md.options, env).strip()
    if _single_paragraph(text):
        # Most problem texts are one plain paragraph: skip the block parser (a large share of a build's time).
        stripped = text.strip()
        if not stripped:
            return ""
        plain = plain_paragraph(text)
        if plain is not None:
            return f"<p>{escapeHtml(plain)}</p>\n"
        if (html := simple_inline_html(stripped, resolve)) is not None:
            return f"<p>{html}</p>\n"
        return f"<p>{md.renderer.render(md.parseInline(stripped, env), md.options, env)}</p>\n"
    tokens = md.parse(text, env)
    env["olxkit_resolve"] = resolve
    env["olxkit_footnotes"] = {}
    return md.renderer.render(tokens, md.options, env)
