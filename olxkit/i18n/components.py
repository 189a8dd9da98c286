"""The i18n walks of olxkit's own component types (registered in olxkit/component_types.py): which texts of a
component are messages, with what context and role, and the component with their translations put back.

A walk is `walk(component, ctx) -> component` (olxkit/registry.py, `WalkContext`).
"""

from __future__ import annotations

from ..model import DiscussionComponent, HtmlComponent, ProblemComponent, VideoComponent, evolve
from ..registry import WalkContext
from .texts import Item, field_text, translatable


def walk_html(comp: HtmlComponent, ctx: WalkContext) -> HtmlComponent:
    return evolve(comp, body=ctx.markdown(comp.body))


def walk_video(comp: VideoComponent, ctx: WalkContext) -> VideoComponent:
    return evolve(comp, title=ctx.text("video title", comp.title, "video title", comp.path, comp.line))


def walk_discussion(comp: DiscussionComponent, ctx: WalkContext) -> DiscussionComponent:
    return evolve(
        comp,
        title=ctx.text("discussion title", comp.title, "discussion title", comp.path, comp.line),
        category=ctx.text("discussion category", comp.category, "discussion category (learners pick it in the "
                          "forum)", comp.path, comp.line),
        target=ctx.text("discussion topic", comp.target, "discussion topic", comp.path, comp.line),
    )


def walk_problem(p: ProblemComponent, ctx: WalkContext) -> ProblemComponent:
    """A problem's texts, all of them one group (one language per problem)."""
    # Translators see which problem a choice, a feedback or a hint belongs to.
    crumb = f"{ctx.crumb} › problem `{p.id}` ({p.title})"
    # A process that translates several variants of one parsed course (a worker of an all-instance build) keeps
    # the problem's messages with it (as a token keeps its msgid), with the msgid of each of its texts: worked
    # out once, not once per variant. A single variant's build does not keep them (their memory is all it saves).
    known = vars(p).get("_olxkit_messages")
    if known is None or known[0] != crumb:
        known = (crumb, *_messages(p, crumb))
        if getattr(ctx.walker.t, "remember", False):
            vars(p)["_olxkit_messages"] = known
    _crumb, items, msgids = known
    if not items:
        return p
    found = ctx.walker.t.group(items)
    if all(new == item.text for item, new in zip(items, found, strict=True)):
        return p  # nothing translated (extraction, or a problem the catalog leaves in the source language)
    results = {(i.context, i.text): new for i, new in zip(items, found, strict=True)}

    def get(context, text):
        if text is None:
            return None
        key = msgids.get(text) or field_text(text)
        found = results.get((context, key), key)
        return text if found == key else found

    def accepted(q):
        if not q.answers:
            return q.answers
        joined = "\n".join(q.answers)
        found = results.get(("accepted answers", joined), joined)
        return q.answers if found == joined else [a.strip() for a in found.split("\n") if a.strip()]

    questions = [
        evolve(
            q,
            prompt=get("question", q.prompt),
            description=get("question description", q.description),
            choices=[
                evolve(c, text=get("choice", c.text), feedback=get("feedback", c.feedback)) for c in q.choices
            ],
            answers=accepted(q),
            wrong_answers=[(get("wrong answer", w), get("feedback", f)) for w, f in q.wrong_answers],
            correct_feedback=get("feedback", q.correct_feedback),
        )
        for q in p.questions
    ]
    return evolve(
        p,
        title=get("problem title", p.title),
        questions=questions,
        hints=[get("hint", h) for h in p.hints],
        explanation=get("explanation", p.explanation),
    )


def _messages(p: ProblemComponent, crumb: str) -> tuple[list[Item], dict[str, str]]:
    """The messages of problem `p` (one group), and the msgid of each of its texts."""
    items: list[Item] = []
    msgids: dict[str, str] = {}

    def add(context, text, role, line=p.line):
        if text is not None and translatable(text.strip()):
            msgid = text if context == "accepted answers" else msgids.setdefault(text, field_text(text))
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
    return items, msgids
