"""One traversal of every translatable text in a course, shared by extraction and translation.

Extraction and the translated build must agree exactly on what a message is; both go through `translate_course`
with a different `Translator`, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from markdown_it.token import Token

from .. import registry
from ..model import (
    Course,
    DiscussionComponent,
    HtmlComponent,
    Markdown,
    ProblemComponent,
    VideoComponent,
)
from ..source.links import STATIC_DIR
from ..source.markdown import make_markdown, parse_inline
from ..textscan import CODE, MATH, PLACEHOLDER, join_lines, remove_spans
from . import diagrams

_LETTER = re.compile(r"[^\W\d_]")
# Characters that can start inline Markdown (or an entity, a hard break, a line break, math or a placeholder).
_MARKUP = re.compile(r"[\\`*_\[\]!<>&$~{}|#\n]|  ")
# `\text{words}` (and its kin) in LaTeX: group 2 is the words.
_TEXT_CMD = re.compile(r"\\(text|textrm|textit|textbf|mbox)\s*+\{([^{}]*+)\}")


@dataclass(frozen=True)
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
    return bool(text) and bool(_LETTER.search(remove_spans(text, (MATH, CODE, PLACEHOLDER))))


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


class _Walker:
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
        return replace(body, tokens=tokens, env=env)

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
                    out[i] = fresh = tok.copy()
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
            if not wanted:
                continue
            parent = tokens[i - 1].type if i else ""
            role = default_role or (
                "list item" if in_list and parent == "paragraph_open" else _ROLES.get(parent, "text")
            )
            line = (tok.map[0] if tok.map else 0) + 1 + body.line_offset
            new = self.t.group([Item(None, source, body.path, line, crumb, role)])[0]
            if new == source:
                continue
            if out is None:
                out = list(tokens)
            fresh = tok.copy()
            fresh.content = new
            fresh.children = _parse_translation(md, new, tok, body.env)
            out[i] = fresh
        return tokens if out is None else out

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

    def problem(self, p: ProblemComponent, crumb: str) -> ProblemComponent:
        items: list[Item] = []
        # Translators see which problem a choice, a feedback or a hint belongs to.
        crumb = f"{crumb} › problem `{p.id}` ({p.title})"

        def add(context, text, role, line=p.line):
            if text is not None and translatable(text.strip()):
                msgid = text if context == "accepted answers" else field_text(text)
                items.append(Item(context, msgid, p.path, line, crumb, role))

        add("problem title", p.title, "problem title", p.lines.get("title", p.line))
        for q in p.questions:
            add("question", q.prompt, "question", q.lines.get("prompt", q.line))
            add("question description", q.description, "question description", q.lines.get("description", q.line))
            for c in q.choices:
                add("choice", c.text, "choice (correct)" if c.correct else "choice", c.line)
                add("feedback", c.feedback, "feedback on a choice", c.feedback_line or c.line)
            if q.answers:
                # One message: a language may accept more or fewer answers than English (one per line).
                add("accepted answers", "\n".join(q.answers), "accepted answers, one per line (learners type "
                    "them; keep them short; list every form a learner may write, at least one)",
                    q.lines.get("answers", q.line))
            for n, (wrong, fb) in enumerate(q.wrong_answers):
                line = q.lines.get(f"wrong_answer:{n}", q.line)
                add("wrong answer", wrong, "a wrong answer learners may type", line)
                add("feedback", fb, "feedback on a wrong answer", q.lines.get(f"wrong_feedback:{n}", line))
            add("feedback", q.correct_feedback, "feedback on the correct answer",
                q.lines.get("correct_feedback", q.line))
        for n, h in enumerate(p.hints):
            add("hint", h, "hint", p.lines.get(f"hint:{n}", p.line))
        add("explanation", p.explanation, "explanation", p.lines.get("explanation", p.line))
        if not items:
            return p
        results = {(i.context, i.text): new for i, new in zip(items, self.t.group(items), strict=True)}

        def get(context, text):
            if text is None:
                return None
            key = field_text(text)
            found = results.get((context, key), key)
            return text if found == key else found

        def accepted(q):
            if not q.answers:
                return q.answers
            joined = "\n".join(q.answers)
            found = results.get(("accepted answers", joined), joined)
            return q.answers if found == joined else [a.strip() for a in found.split("\n") if a.strip()]

        questions = [
            replace(
                q,
                prompt=get("question", q.prompt),
                description=get("question description", q.description),
                choices=[
                    replace(c, text=get("choice", c.text), feedback=get("feedback", c.feedback)) for c in q.choices
                ],
                answers=accepted(q),
                wrong_answers=[(get("wrong answer", w), get("feedback", f)) for w, f in q.wrong_answers],
                correct_feedback=get("feedback", q.correct_feedback),
            )
            for q in p.questions
        ]
        return replace(
            p,
            title=get("problem title", p.title),
            questions=questions,
            hints=[get("hint", h) for h in p.hints],
            explanation=get("explanation", p.explanation),
        )


def translate_course(course: Course, translator: Translator) -> Course:
    """A copy of `course` with every translatable text passed through `translator` (the source is untouched)."""
    w = _Walker(translator)
    enter_lesson = getattr(translator, "enter_lesson", None)
    cy = "course/course.yaml"
    grading = course.grading
    assignments = [
        replace(
            a,
            type=w.one(
                "assignment type",
                a.type,
                cy,
                a.line,
                "Grading",
                "assignment type (the name learners see on the Progress page)",
            ),
            short_label=w.one(
                "assignment label",
                a.short_label,
                cy,
                a.line,
                "Grading",
                "short label of an assignment type (a few letters)",
            ),
        )
        for a in grading.assignments
    ]
    renamed = {old.type: new.type for old, new in zip(grading.assignments, assignments, strict=True)}
    about = course.about
    about = replace(
        about,
        short_description=w.one("about", about.short_description, cy, 1, "About page", "short description"),
        effort=w.one("about", about.effort, cy, 1, "About page", "effort"),
        duration=w.one("about", about.duration, cy, 1, "About page", "duration"),
        overview=w.markdown(about.overview, "About page"),
    )
    modules = []
    for module in course.modules:
        mtitle = w.one("module title", module.title, module.path, module.line, module.title, "module title")
        lessons = []
        for lesson in module.lessons:
            if enter_lesson is not None:
                enter_lesson(lesson)
            crumb_l = f"{module.title} › {lesson.title}"
            ltitle = w.one("lesson title", lesson.title, lesson.path, lesson.line, crumb_l, "lesson title")
            units = []
            for unit in lesson.units:
                crumb = f"{crumb_l} › {unit.title}"
                utitle = w.one("unit title", unit.title, unit.path, unit.line, crumb, "unit title")
                components = []
                for comp in unit.components:
                    if isinstance(comp, HtmlComponent):
                        comp = replace(comp, body=w.markdown(comp.body, crumb))
                    elif isinstance(comp, VideoComponent):
                        comp = replace(
                            comp, title=w.one("video title", comp.title, comp.path, comp.line, crumb, "video title")
                        )
                    elif isinstance(comp, DiscussionComponent):
                        comp = replace(
                            comp,
                            title=w.one(
                                "discussion title", comp.title, comp.path, comp.line, crumb, "discussion title"
                            ),
                            category=w.one(
                                "discussion category",
                                comp.category,
                                comp.path,
                                comp.line,
                                crumb,
                                "discussion category (learners pick it in the forum)",
                            ),
                            target=w.one(
                                "discussion topic", comp.target, comp.path, comp.line, crumb, "discussion topic"
                            ),
                        )
                    elif isinstance(comp, ProblemComponent):
                        comp = w.problem(comp, crumb)
                    elif (registered := registry.get(comp.kind)) is not None:
                        texts = registered.texts(comp)
                        if texts:
                            what = comp.kind
                            comp = registered.translated(comp, {
                                key: w.one(f"{what} {key}", text, comp.path, comp.line, crumb, f"{what} {key}")
                                for key, text in texts.items()})
                    components.append(comp)
                units.append(replace(unit, title=utitle, components=components))
            fmt = renamed.get(lesson.format, lesson.format) if lesson.format else None
            lessons.append(replace(lesson, title=ltitle, units=units, format=fmt))
            if enter_lesson is not None:
                enter_lesson(None)
        modules.append(replace(module, title=mtitle, lessons=lessons))
    updates = [
        replace(
            u,
            title=w.one("update title", u.title, u.body.path, u.body.line_offset, "Course updates", "update title"),
            body=w.markdown(u.body, "Course updates"),
        )
        for u in course.updates
    ]
    return replace(
        course,
        title=w.one("course title", course.title, cy, 1, "Course", "course title"),
        about=about,
        grading=replace(grading, assignments=assignments),
        modules=modules,
        handouts=w.markdown(course.handouts, "Handouts"),
        updates=updates,
        generated_assets=_diagrams(course, translator),
    )


_DIAGRAM_ROLES = {
    diagrams.TITLE: "title of the drawing",
    diagrams.DESCRIPTION: "description of the drawing, for screen readers",
    diagrams.LABEL: "text in the drawing: keep each line about as long as the English one, the drawing does not "
    "grow; a new line in the text is a new line in the drawing",
}


def _diagrams(course: Course, translator: Translator) -> dict[str, bytes]:
    """Translated copies of the course's SVG diagrams (each one wholly translated or left as it is)."""
    out = {}
    for rel in sorted(course.assets):
        if not diagrams.is_diagram(rel):
            continue
        try:
            with open(course.assets[rel], "rb") as fh:
                data = fh.read()
            parsed = diagrams.read_diagram(data)
            texts = parsed[1]
        except (OSError, ValueError):
            continue  # not a drawing olxkit can read: shipped as it is
        path = f"{STATIC_DIR}/{rel}"
        items = [Item(t.kind, t.text, path, t.line, f"Drawing {rel}", _DIAGRAM_ROLES[t.kind])
                 for t in texts if translatable(t.text)]
        if not items:
            continue
        found = translator.group(items)
        translated = {(i.context, i.text): new for i, new in zip(items, found, strict=True) if new != i.text}
        if translated:
            out[rel] = diagrams.translate_diagram(data, translated, parsed)
    return out


__all__ = ["Item", "Translator", "translate_course", "message_text", "field_text", "translatable"]
