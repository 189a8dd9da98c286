"""Which inline runs a lesson's parse leaves unparsed (`inline_where_needed`), what the checks read of them
(`checked_children`), and rendering the course's tokens without copying them: the runs a lesson's parse left
unparsed (`markdown.parse_deferred`) are parsed where they are rendered, and a link's or image's target is
resolved for the rendering only. The tokens are shared by every rendering (each variant, each process): whatever
is set on one for a rendering is put back after it."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .fastinline import link_tokens


def parse_runs(runs: list, md, env: dict) -> None:
    """Give each inline run (a token whose `children` is None) the children `markdown.parse_inline` would give it:
    the inline parser on each run's content, then the core rules after `inline` once over all of them, instead
    of a whole core pass (a state, an inline token and every rule) per run.

    The runs' content comes from a parsed lesson, already normalised (the `normalize` rule has nothing to do),
    and `footnote_tail` is left out as `parse_inline` leaves it out (a run holds no footnote definition).
    """
    for run in runs:
        run.children = []
        md.inline.parse(run.content, md, env, run.children)
    state = StateCore("", md, env)
    state.tokens = runs
    for rule in _rules_after_inline(md):
        rule(state)


# Inline runs whose parse the lesson's structure depends on even when only its texts are wanted: footnote
# references (`[^1]`, `^[…]`) number the footnotes, which decides which definitions are kept.
_FOOTNOTE_REF = re.compile(r"\[\^|\^\[")
# Runs a build parses as it reads the lesson: what may start a link, an image, a footnote citation, raw HTML or an
# autolink (the checks read those; footnotes are numbered in document order).
_EARLY = re.compile(r"\[|<\S")


LINKS = "olxkit_links"
"""The key in an unparsed run's `meta` of (its content, `fastinline.link_tokens` of it), set as the build reads it."""


def parse_early(run: Token) -> bool:
    """Whether a build parses this run as it reads the lesson: one that may hold a link, an image, a footnote
    citation, raw HTML or an autolink, unless `fastinline` vouches for it. Such a run's links are all plain: they
    are kept on the run for the checks (`checked_children`), and `render` writes the run without the parser
    (parsing the runs with a link was up to a fifth of a build's CPU, and of no use to a translated variant, which
    renders its own text)."""
    content = run.content
    if _EARLY.search(content) is None:
        return False
    links = link_tokens(content)
    if links is None:
        return True
    run.meta[LINKS] = (content, links)
    return False


def cites(run: Token) -> bool:
    """Whether a run may cite a footnote (what a texts-only read parses, besides headings)."""
    return _FOOTNOTE_REF.search(run.content) is not None


def inline_where_needed(state: StateCore, wanted=cites, cited=None) -> None:
    """The core `inline` rule, run only on headings and on the runs `wanted(run)` says are needed now.

    Footnote references are numbered in document order, and every run that can hold one is parsed in that
    order, so the footnotes come out exactly as from a full parse. The other runs are listed in the state
    and get `children = None` after the last rule (`unparsed_stay_unparsed`); `render` parses them.
    """
    tokens = state.tokens
    skipped = state.env.setdefault("olxkit_unparsed", [])
    for i, tok in enumerate(tokens):
        if tok.type != "inline":
            continue
        if (heading := i and tokens[i - 1].type == "heading_open") or wanted(tok):
            tok.children = []  # `cited` (texts only): reads a citing run for its citations, not for rendering
            (cited[bool(heading)] if cited else state.md.inline).parse(tok.content, state.md, state.env, tok.children)
        else:
            skipped.append(tok)


def unparsed_stay_unparsed(state: StateCore) -> None:
    # text_join turned the unparsed runs' None into []: make "not parsed" visible again (`render` parses them).
    for tok in state.env.pop("olxkit_unparsed", []):
        tok.children = None


def checked_children(run) -> list:
    """An inline run's children as the checks read them: its own once parsed; for a run the build left unparsed,
    the links `fastinline.link_tokens` finds in it (the build leaves a run with `[` unparsed only when
    `inline_parts` vouches for it: then it holds no image, raw HTML or footnote citation)."""
    if run.children is not None:
        return run.children
    known = run.meta.get(LINKS)
    if known is not None and known[0] == run.content:
        return known[1]
    return (link_tokens(run.content) or []) if "[" in run.content else []


@lru_cache(maxsize=2)
def _rules_after_inline(md) -> list:
    """The core rules that follow `inline` in `md` but `footnote_tail` (worked out once, not per page)."""
    rules = [rule for rule in md.core.ruler.__rules__ if rule.enabled]
    after = [rule.name for rule in rules].index("inline") + 1
    return [rule.fn for rule in rules[after:] if rule.name != "footnote_tail"]


def with_resolved(token, name: str, kind: str, env: dict, render) -> str:
    """`render(token)` with its attribute `name` (a link's or image's target) passed through the env's
    `olxkit_resolve(value, kind)` for this rendering only (a copy of the token cost more than the rendering)."""
    resolve, value = env.get("olxkit_resolve"), token.attrGet(name)
    if not resolve or value is None:
        return render(token)
    attrs = token.attrs
    token.attrs = {**attrs, name: resolve(value, kind)}
    try:
        return render(token)
    finally:
        token.attrs = attrs
