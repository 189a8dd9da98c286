"""olxkit's own component types, registered in one place, and the table the stages read.

Every kind of component a course can contain is one entry of the registry (olxkit/registry.py): its reader,
exporter, i18n walk, lint and OLX block type. olxkit's own types are entries like any other: their code lives
with their stage (readers in source/, exporters in olx/components.py, walks in i18n/components.py, checks in
check/components.py) and this module puts each one together. The stages (source/loader.py, olx_export.py,
i18n/walk.py, i18n/variant.py, check/lint.py, olx/diff.py, olx/learners.py, serve/cache.py) dispatch through
`of(component)` and never name a type themselves (tests/test_component_type.py). The preview's page templates
(serve/pages.py) still show each of olxkit's own types their own way.
"""

from __future__ import annotations

from . import registry
from .check.components import lint_html, lint_problem, lint_raw, lint_video
from .i18n.components import walk_discussion, walk_html, walk_problem, walk_video
from .olx.components import export_discussion, export_html, export_problem, export_raw, export_video
from .registry import PROSE, TEXT, ComponentType
from .source.components import read_discussion, read_html, read_olx, read_video
from .source.problems import read_problem_block

BUILT_IN = (
    ComponentType("html", "html", read_html, export_html, walk=walk_html, lint=lint_html, source=PROSE,
                  built_in=True),
    ComponentType("video", "video", read_video, export_video, walk=walk_video, lint=lint_video, built_in=True),
    ComponentType("discussion", "discussion", read_discussion, export_discussion, walk=walk_discussion,
                  built_in=True),
    ComponentType("problem", "problem", read_problem_block, export_problem, walk=walk_problem, lint=lint_problem,
                  keeps_learner_state=True, built_in=True),
    # An olx block is any OLX element: its block type is its tag, and Open edX may keep learner state on it.
    ComponentType("olx", None, read_olx, export_raw, lint=lint_raw, keeps_learner_state=True, source=TEXT,
                  built_in=True),
)

for _type in BUILT_IN:
    registry.register(_type)


def of(component) -> ComponentType:
    """The registry entry of a component (by its `kind`)."""
    found = registry.get(component.kind)
    if found is None:
        raise LookupError(f"component type `{component.kind}` is not registered (olxkit/registry.py)")
    return found


def fenced(name: str) -> ComponentType:
    """The type a lesson's fenced block of that name is (the Markdown parser only passes on fence names)."""
    found = registry.get(name)
    if found is None or found.source == PROSE:
        raise LookupError(f"`{name}` is not a fenced component type")
    return found


def prose() -> ComponentType:
    """The type of the Markdown between fenced blocks."""
    return next(t for t in registry.types() if t.source == PROSE)


def fence_names() -> tuple[str, ...]:
    """Every fence name that starts a component: olxkit's own, then the registered ones by name."""
    return registry.cached("fence_names", lambda types: tuple(t.name for t in types if t.source != PROSE))


def stateless_tags() -> frozenset[str]:
    """OLX block types on which Open edX keeps no learner state (the types that say so)."""
    return registry.cached("stateless_tags", lambda types: frozenset(
        t.olx_tag for t in types if t.olx_tag and not t.keeps_learner_state))
