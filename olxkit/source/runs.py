"""Rendering the course's tokens without copying them: the inline runs a lesson's parse left unparsed
(`markdown.parse_deferred`) are parsed where they are rendered, and a link's or image's target is resolved for the
rendering only. The tokens are shared by every rendering (each variant, each process): whatever is set on one for
a rendering is put back after it."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.rules_core import StateCore


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
