"""The lint checks of olxkit's own component types (registered in olxkit/component_types.py).

A check is `lint(component, ctx) -> [Diagnostic]` (olxkit/registry.py); `ctx` is the course's checker
(check/lint.py): `course`, `instances`, `current` (the lesson's path), `page(body, current)`, `inline(…)`,
`html(text, path, line)`, `used` (assets something uses), `assets_starting(prefix)` and `add(…)`.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Severity
from ..i18n import locales
from ..model import HtmlComponent, Markdown, ProblemComponent, RawOlxComponent, VideoComponent
from ..source.links import STATIC_DIR
from ..source.markdown import make_markdown


def lint_html(comp: HtmlComponent, ctx) -> list[Diagnostic]:
    ctx.page(comp.body, ctx.current)
    return []


def lint_raw(comp: RawOlxComponent, ctx) -> list[Diagnostic]:
    ctx.html(comp.xml, comp.path, comp.line + 1)
    return []


def lint_problem(p: ProblemComponent, ctx) -> list[Diagnostic]:
    """Links, images and raw HTML in a problem's texts."""
    md = make_markdown()
    texts = [p.explanation or "", *p.hints]
    for q in p.questions:
        texts += [q.prompt, q.description or "", q.correct_feedback or ""]
        texts += [c.text for c in q.choices] + [c.feedback or "" for c in q.choices]
    body = Markdown([], {"olxkit_footnotes": {}}, p.path, p.line - 1, p.base_dir)
    for text in texts:
        # Only links, images and raw HTML matter here; most problem texts have none, and parsing every one
        # would be a large part of a build.
        if text and ("[" in text or "<" in text):
            for tok in md.parse(text, {}):
                if tok.type == "inline":
                    ctx.inline(tok.children or [], body, p.line, ctx.current, exact=False)
    return []


def lint_video(v: VideoComponent, ctx) -> list[Diagnostic]:
    """A video's transcripts are used assets; each instance's language should have one (ACC005)."""
    course = ctx.course
    source = locales.normalize(course.language)
    for path in v.transcripts.values():
        ctx.used.add(path)
        ctx.used.update(ctx.assets_starting(re.sub(rf"-{re.escape(source)}(\.\w+)$", "", path) + "-"))
    if not v.transcripts:
        return []
    out = []
    for instance in ctx.instances:
        if not instance.enabled or instance.locale == source:
            continue
        found = any(path.replace(f"-{source}.", f"-{code}.") in course.assets
                    for path in v.transcripts.values() for code in locales.chain(instance.locale, source)
                    if code != source)
        if not found:
            example = next(iter(v.transcripts.values())).replace(f"-{source}.", f"-{instance.locale}.")
            out.append(Diagnostic(v.path, v.line, f"video `{v.id}` has no transcript in {instance.locale} for "
                                  f"instance `{instance.id}` (add {STATIC_DIR}/{example})", Severity.WARNING,
                                  "ACC005"))
    return out
