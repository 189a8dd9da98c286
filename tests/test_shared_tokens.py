"""A build renders the course's parsed tokens without copying them (source/runs.py): whatever a rendering sets on
a token (a deferred run's children, a resolved link or image target) is put back, so every rendering — each
variant a worker makes, each page the preview shows again — starts from the author's text."""

from __future__ import annotations

from pathlib import Path

from olxkit.olx_export import export_olx
from olxkit.source.loader import load_course

REPO = Path(__file__).resolve().parent.parent


def _state(course) -> list:
    out = []
    for lesson in course.lessons():
        for unit in lesson.units:
            for comp in unit.components:
                body = getattr(comp, "body", None)
                for tok in body.tokens if body is not None else ():
                    kids = tok.children
                    out.append((tok.type, None if kids is None else
                                [(k.type, dict(k.attrs), k.content) for k in kids]))
    return out


def test_rendering_twice_gives_the_same_pages_and_leaves_the_tokens_as_read():
    course = load_course(REPO)
    before = _state(course)
    links = [k for _t, kids in before if kids for k in kids if k[0] in ("link_open", "image")]
    assert len(links) > 20 and any(kids is None for _t, kids in before)  # links and deferred runs to check
    first, _diags = export_olx(course)
    assert _state(course) == before
    second, _diags = export_olx(course)
    assert second.files == first.files
    assert any(b'href="/jump_to_id/' in data or b'href="/static/' in data for data in first.files.values())


def test_a_variant_copies_a_token_as_token_copy_does():
    """`texts.copy_token` (the walk's copy of a run it translates) makes what markdown-it's `Token.copy` makes, for
    every token of every lesson of the course: the same fields, the same shared objects, a new empty `attrs`."""
    from olxkit.i18n.texts import copy_token

    course = load_course(REPO)
    count = 0
    pending = [tok for lesson in course.lessons() for unit in lesson.units for comp in unit.components
               for tok in (comp.body.tokens if getattr(comp, "body", None) is not None else ())]
    while pending:
        tok = pending.pop()
        mine, theirs = copy_token(tok), tok.copy()
        assert mine == theirs and mine is not tok
        assert type(mine.attrs) is type(theirs.attrs) and (mine.attrs is tok.attrs) == (theirs.attrs is tok.attrs)
        assert mine.meta is theirs.meta and mine.children is theirs.children and mine.map is theirs.map
        pending.extend(tok.children or ())
        count += 1
    assert count > 1000
