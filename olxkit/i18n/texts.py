"""What a message is: the translatable texts of a course (`Item`), how a text becomes a msgid, and the `Walker`
that passes texts and parsed Markdown through a `Translator` (used by i18n/walk.py and the component types' walks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Protocol

from markdown_it.token import Token

from ..model import Markdown, evolve
from ..source.markdown import make_markdown, parse_inline
from ..textscan import CODE, DISPLAY_MATH, MATH, PLACEHOLDER, find_spans, join_lines, remove_spans

_LETTER = re.compile(r"[^\W\d_]")
# Characters that can start inline Markdown (or an entity, a hard break, a line break, math or a placeholder).
_MARKUP = re.compile(r"[\\`*_\[\]!<>&$~{}|#\n]|  ")
# `\text{words}` (and its kin) in LaTeX: group 2 is the words.
_TEXT_CMD = re.compile(r"\\(text|textrm|textit|textbf|mbox)\s*+\{([^{}]*+)\}")


@dataclass(frozen=True, slots=True)
class Item:
    """One translatable text and where it comes from."""

    context: str | None
    """msgctxt: the role of a YAML field (None for prose, whose identity is its text)."""
    text: str
    path: str
    line: int
    crumb: str
    """Breadcrumb for translators: module › lesson › unit."""
    role: str


class Translator(Protocol):
    def group(self, items: list[Item]) -> list[str]:
        """Return the text to use for each item (all of a group come from one language)."""


# A translator may also define `enter_lesson(lesson | None)`: it is told when the walk enters a lesson (before
# its title) and leaves it (None). Extraction uses it to put lessons read by other processes in place.


def message_text(inline_source: str) -> str:
    """The msgid of an inline Markdown run: soft line breaks become spaces, hard breaks `\\` + newline."""
    return join_lines(inline_source)


_BLOCK_LINE = re.compile(r"^\s*(?:[-+*>|#]|\d+[.)](?:\s|$)|\$\$|```|~~~|!!!)|^\s{4}")


def _hard_break(line: str) -> bool:
    """A line that ends in a Markdown hard break (two spaces or a backslash)."""
    return line.endswith(("  ", "\\")) and bool(line.strip())


def field_text(text: str) -> str:
    """The msgid of a YAML text (a prompt, a hint, an explanation): as written, but with each paragraph's soft
    line breaks made spaces, as in prose, so that re-wrapping the YAML leaves its translation alone. A line that
    starts a block (a list item, a quote, a table row, a heading, a formula, a fence) keeps its own line; hard
    breaks become `\\` + newline."""
    text = text.strip()
    if "\n" not in text:
        return text
    out: list[str] = []
    verbatim = False
    for line in text.split("\n"):
        stripped = line.strip()
        fence = stripped.startswith(("```", "~~~", "$$"))
        joinable = (out and out[-1].strip() and stripped and not verbatim and not fence
                    and not _BLOCK_LINE.match(line) and not out[-1].lstrip().startswith(("|", "$$", "```", "~~~"))
                    and not _hard_break(out[-1]))
        if joinable:
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(line if _hard_break(line) else line.rstrip())
        if fence and not (stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4):
            verbatim = not verbatim
    return "\n".join(line.rstrip(" \\") + "\\" if _hard_break(line) else line for line in out)


def translatable(text: str) -> bool:
    """Texts with no letters (numbers, math, punctuation) are not extracted."""
    letter = _LETTER.search(text)
    if letter is None:
        return False
    # Most texts: no math, code or placeholder opens before their first letter, which is then outside them all.
    head = text[: letter.start()]
    if "$" not in head and "`" not in head and "{{" not in head:
        return True
    return bool(_LETTER.search(remove_spans(text, (MATH, CODE, PLACEHOLDER))))


# `Token.copy()` is `dataclasses.replace`: a look at the fields and a keyword call for each copy, and a variant copies
# a token for every translated run. The same constructor call, the fields read in one C call.
_TOKEN_FIELDS = attrgetter(*(f.name for f in fields(Token) if f.init))


def copy_token(tok: Token) -> Token:
    """`tok.copy()`: a new token with the same fields (an empty `attrs` becomes a new empty dict, as there)."""
    return Token(*_TOKEN_FIELDS(tok))


_ROLES = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "th_open": "table header",
    "td_open": "table cell",
    "admonition_title_open": "box title",
}


def _parse_translation(md, text: str, source: Token, env: dict) -> list[Token]:
    """Inline tokens of a translated text, parsed like the source it replaces.

    The lesson's reference definitions and footnote labels resolve as in the source, but the footnote plugin's
    counters live in a private copy: parsing a translation must not change the lesson's state (that made
    footnote numbers, and so the archive bytes, depend on which variants were built before). Footnote
    references then take the ids of the source's references, in order.
    """
    if not _MARKUP.search(text):
        # Plain text (most translations of plain paragraphs): the parser would make exactly this one token.
        return [Token("text", "", 0, content=text)]
    notes = env.get("footnotes")
    private = {"references": env.get("references", {})}
    if notes:
        private["footnotes"] = {"refs": notes.get("refs", {}),
                                "list": {k: {**v, "count": 0} for k, v in notes.get("list", {}).items()}}
    children = parse_inline(text, private)[0].children or []
    source_refs = [c.meta for c in source.children or [] if c.type == "footnote_ref"]
    refs = [c for c in children if c.type == "footnote_ref"]
    if refs and len(refs) == len(source_refs):
        for child, meta in zip(refs, source_refs, strict=True):
            child.meta = dict(meta)
    return children


class Walker:
    """Passes texts (`one`) and parsed Markdown (`markdown`) through a translator, item by item."""

    def __init__(self, translator: Translator):
        self.t = translator
        self.notes: dict[int, tuple[dict, dict]] = {}

    def one(self, context: str | None, text: str | None, path: str, line: int, crumb: str, role: str):
        if text is None or not translatable(text.strip()):
            return text
        return self.t.group([Item(context, text, path, line, crumb, role)])[0]

    def markdown(self, body: Markdown | None, crumb: str) -> Markdown | None:
        if body is None:
            return None
        tokens = self._tokens(body.tokens, body, crumb)
        footnotes = body.env.get("olxkit_footnotes") or {}
        # Every unit of a lesson shares the lesson's footnotes: translate them once per lesson.
        key = id(footnotes)
        if key not in self.notes:
            self.notes[key] = (footnotes, {fid: self._tokens(toks, body, crumb, "footnote")
                                           for fid, toks in footnotes.items()})
        new_notes = self.notes[key][1]
        if tokens is body.tokens and all(new_notes[f] is footnotes[f] for f in footnotes):
            return body
        env = dict(body.env)
        env["olxkit_footnotes"] = new_notes
        return evolve(body, tokens=tokens, env=env)

    def _tokens(self, tokens: list[Token], body: Markdown, crumb: str, default_role: str | None = None):
        out = None
        md = make_markdown()
        in_list = 0
        for i, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                in_list += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                in_list -= 1
            elif tok.type in ("math_block", "math_block_label") and "\\text" in tok.content:
                line = (tok.map[0] if tok.map else 0) + 1 + body.line_offset
                formula = self.formula(tok.content, body.path, line, crumb)
                if formula != tok.content:
                    out = out if out is not None else list(tokens)
                    out[i] = fresh = copy_token(tok)
                    fresh.content = formula
                continue
            if tok.type != "inline":
                continue
            # A worker translates several variants of one parsed course: remember each token's msgid on it.
            cached = tok.meta.get("olxkit_msgid")
            if cached is None:
                text = message_text(tok.content)
                cached = tok.meta["olxkit_msgid"] = (text, translatable(text))
            source, wanted = cached
            if not wanted and "\\text" not in source:
                continue
            line = (tok.map[0] if tok.map else 0) + 1 + body.line_offset
            new = source
            if wanted:
                parent = tokens[i - 1].type if i else ""
                role = default_role or (
                    "list item" if in_list and parent == "paragraph_open" else _ROLES.get(parent, "text")
                )
                new = self.t.group([Item(None, source, body.path, line, crumb, role)])[0]
            if "\\text" in source:
                # The words of its formulas are messages; they are put in only where the sentence around them
                # is in the same language (never English with translated words inside).
                formulas = self.inline_formulas(source, new, body.path, line, crumb)
                new = formulas if new != source or not wanted else new
            if new == source:
                continue
            if out is None:
                out = list(tokens)
            fresh = copy_token(tok)
            fresh.attrs = tok.attrs  # the copy made its own empty dict of the shared empty mapping
            fresh.content = new
            # Parsed when rendered (source/markdown.py `render`; nothing reads a variant's inline tokens before),
            # unless it cites footnotes: those take the source's footnote numbers here.
            fresh.children = _parse_translation(md, new, tok, body.env) if "[^" in new or "^[" in new else None
            out[i] = fresh
        return tokens if out is None else out

    def inline_formulas(self, source: str, text: str, path: str, line: int, crumb: str) -> str:
        """`text` (an inline run, or its translation) with the words of the `\\text{…}` of its inline formulas
        translated: each formula of the `source` run gives its words as messages (as a display formula does),
        and they replace those words wherever the translation kept them; the formula around them stays."""
        words: dict[str, str] = {}
        for content in _inline_math(source):
            found = [m.group(2).strip() for m in _TEXT_CMD.finditer(content) if translatable(m.group(2).strip())]
            if found:
                items = [Item("math text", w, path, line, crumb, "words in a formula (\\text{…}); the formula "
                              "itself stays as it is") for w in found]
                words.update((w, t) for w, t in zip(found, self.t.group(items), strict=True) if w != t)
        if not words:
            return text

        def swap(match: re.Match) -> str:
            inner = match.group(2)
            new = words.get(inner.strip())
            if new is None:
                return match.group(0)
            lead, tail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
            return f"\\{match.group(1)}{{{lead}{new}{tail}}}"

        out, done = [], 0
        for start, end, _k in find_spans(text, (DISPLAY_MATH, MATH)):
            out += [text[done:start], _TEXT_CMD.sub(swap, text[start:end])]
            done = end
        return "".join(out) + text[done:]

    def formula(self, content: str, path: str, line: int, crumb: str) -> str:
        """A display formula with the words of its `\\text{…}` translated: each is a message, the formula
        around them stays as written. All of a formula's words come from one language."""
        found = [m for m in _TEXT_CMD.finditer(content) if translatable(m.group(2).strip())]
        if not found:
            return content
        items = [Item("math text", m.group(2).strip(), path, line, crumb,
                      "words in a formula (\\text{…}); the formula itself stays as it is") for m in found]
        texts = self.t.group(items)
        parts, end = [], 0
        for match, text in zip(found, texts, strict=True):
            words = match.group(2)
            lead = words[: len(words) - len(words.lstrip())]
            tail = words[len(words.rstrip()):]
            parts += [content[end:match.start(2)], lead + text + tail]
            end = match.end(2)
        return "".join(parts) + content[end:]


def _inline_math(text: str) -> list[str]:
    """The formulas of an inline run, as the parser reads them (`$5 and $10` are prices, not math)."""
    tokens = parse_inline(text, {})[0].children or []
    return [t.content for t in tokens if t.type in ("math_inline", "math_inline_double") and "\\text" in t.content]
