"""Component types added to olxkit: one registry entry per type, read by every stage.

A lesson's fenced block ```` ```name ```` whose name is registered here is a component of that type. Its entry
says everything the stages need to know about it:

- `read(data, ctx) -> component`: the reader (source/loader.py): `data` is the block's YAML as a
  `source.yamlio.YamlMap` (errors raised there point at the author's line), `ctx` a `ReadContext`. The component is
  any object with `id`, `kind` (the type's name), `path` and `line`.
- `export(component, url_name, ctx) -> (xml, files)`: the exporter (olx_export.py): `xml` is the element put in
  the unit's vertical (inline, or a pointer `<tag url_name="…"/>`), `files` more OLX files (path → bytes), such as
  the pointer's target. `ctx.render(markdown_text)` renders Markdown the way html components are rendered.
- `texts(component) -> {field: text}` and `translated(component, {field: text}) -> component`: the i18n walk
  (i18n/walk.py): the texts translators see (extracted into the catalogs) and the component with their
  translations put back.
- `lint(component) -> [Diagnostic]`: checks on the model (check/lint.py), graded like every finding.
- `olx_tag` and `keeps_learner_state`: the OLX block type the exporter writes, and whether Open edX keeps learner
  answers or scores on it (olx/diff.py reports removing or retyping such a block as a learner-data risk).

The built-in types (html, video, discussion, problem, olx) are read, exported, walked and linted by the stages
themselves; a type registered here reaches them through this one entry (docs/decisions.md, "Adding a component
type"). Register at import time, before a course is read: forked workers inherit the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BUILT_IN = ("video", "discussion", "problem", "olx")
"""The fenced component types of olxkit itself (html is the Markdown between them)."""


@dataclass(frozen=True)
class ReadContext:
    """What a reader may need besides the block's YAML."""

    course: Any
    module: Any
    unit: Any
    base_dir: str
    """The lesson's folder, for relative links in Markdown texts."""


@dataclass(frozen=True)
class ExportContext:
    """What an exporter may use: Markdown rendered as html components are (links resolved, math, footnotes)."""

    render: Callable[[str], str]


@dataclass(frozen=True)
class ComponentType:
    name: str
    olx_tag: str
    read: Callable[[Any, ReadContext], Any]
    export: Callable[[Any, str, ExportContext], tuple[str, dict[str, bytes]]]
    texts: Callable[[Any], dict[str, str]] = field(default=lambda component: {})
    translated: Callable[[Any, dict[str, str]], Any] = field(default=lambda component, texts: component)
    lint: Callable[[Any], list] = field(default=lambda component: [])
    keeps_learner_state: bool = False


_TYPES: dict[str, ComponentType] = {}


def register(component_type: ComponentType) -> None:
    """Add a component type; its name becomes a fence name in lessons."""
    if component_type.name in BUILT_IN or component_type.name == "html":
        raise ValueError(f"`{component_type.name}` is a built-in component type")
    _TYPES[component_type.name] = component_type


def unregister(name: str) -> None:
    """Remove a registered type (tests that register one clean up after themselves)."""
    _TYPES.pop(name, None)


def get(name: str) -> ComponentType | None:
    """The registered type of that name (None for built-in or unknown ones)."""
    return _TYPES.get(name)


def fence_names() -> tuple[str, ...]:
    """Every fence name that starts a component: the built-in ones, then the registered ones."""
    return (*BUILT_IN, *sorted(_TYPES))


def stateless_tags() -> set[str]:
    """OLX block types of registered components that keep no learner state."""
    return {t.olx_tag for t in _TYPES.values() if not t.keeps_learner_state}
