"""Inline runs a lesson's parse left unparsed (`markdown.parse_deferred`), parsed where they are rendered."""

from __future__ import annotations

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
    rules = [rule for rule in md.core.ruler.__rules__ if rule.enabled]
    after = [rule.name for rule in rules].index("inline") + 1
    for rule in rules[after:]:
        if rule.name != "footnote_tail":
            rule.fn(state)
