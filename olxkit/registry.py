"""Component types: one registry entry per type, the one table every stage dispatches through.

Each kind of component a lesson can hold (olxkit's own: html, video, discussion, problem, olx; and any type a
project or a test adds) is one `ComponentType`. A lesson's fenced block ```` ```name ```` whose name is a
fence name here is a component of that type; the Markdown between fences is the `prose` type (html). The entry
says everything the stages need to know about it:

- `read(data, ctx) -> component` (source/loader.py): `data` is the block's YAML as a `source.yamlio.YamlMap`
  (errors raised there point at the author's line) — or, by `source`, the block as written (`ComponentBlock`)
  or the Markdown tokens between fences. `ctx` is a `ReadContext`. The component is any object with `id`, `kind`
  (the type's name), `path` and `line`.
- `export(component, url_name, ctx) -> (xml, files)` (olx_export.py): `xml` is the element put in the unit's
  vertical (inline, or a pointer `<tag url_name="…"/>`), `files` more OLX files (path → bytes), such as the
  pointer's target; None leaves the component out (after reporting why through `ctx.olx`). `ctx.render(text)`
  renders Markdown the way html components are rendered.
- `walk(component, ctx) -> component` (i18n/walk.py): the component with its texts translated, each text passed
  through `ctx.text(context, text, role, line)` (or `ctx.markdown(body)` for parsed Markdown). A simple type
  gives `texts(component) -> {field: text}` and `translated(component, {field: text}) -> component` instead.
- `lint(component, ctx) -> [Diagnostic]` (check/lint.py): checks on the model, graded like every finding; `ctx`
  is the course's checker (`ctx.course`, `ctx.instances`, `ctx.page(body)`, `ctx.use(asset)`…).
- `olx_tag` and `keeps_learner_state` (olx/diff.py, olx/learners.py): the OLX block type the exporter writes
  (None: the component's own `tag`, as for olx blocks), and whether Open edX keeps learner answers or scores on
  it (removing or retyping such a block is a learner-data risk).

olxkit's own types are registered in one place, olxkit/component_types.py, which the stages import; a project's
type is registered with `register` at import time, before a course is read (forked workers inherit the table).
See docs/decisions.md, "Adding a component type".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

YAML, TEXT, PROSE = "yaml", "text", "prose"
"""What a type's reader is given: the block's YAML, the block as written, or the Markdown between blocks."""


@dataclass(frozen=True)
class ReadContext:
    """What a reader may need besides the block's data."""

    course: Any
    module: Any
    unit: Any
    base_dir: str
    """The lesson's folder, for relative links in Markdown texts."""
    env: dict = field(default_factory=dict)
    """The lesson's Markdown env (references, footnotes)."""
    defaults: dict = field(default_factory=dict)
    """Problem settings of the course and the lesson."""
    add: Callable[[Any], None] | None = None
    """Puts another component in the unit before this one (a discussion's prompt)."""
    line: int = 0
    """The file line of the block's fence (or of the text's first line)."""
    line_offset: int = 0
    """Lines of the file before the lesson's body."""
    previous: str | None = None
    """The id of the unit's component before this one (the text after it is named `<previous>-text`)."""


@dataclass(frozen=True)
class ExportContext:
    """What an exporter may use: the stage (`olx`: page, pinned, resolve_for, report, labels), the lesson, the
    unit and the component being exported."""

    olx: Any
    lesson: Any
    unit: Any
    component: Any

    @property
    def course(self):
        return self.olx.course

    def render(self, text: str) -> str:
        """Markdown text of the component rendered as an html component's body is."""
        return self.olx.render_markdown(text, self.lesson, self.component)


@dataclass(frozen=True)
class WalkContext:
    """The i18n walk at one component: `text` and `markdown` return the translation of a text."""

    walker: Any
    crumb: str
    """Where the component is, for translators: module › lesson › unit."""

    def text(self, context: str | None, text: str | None, role: str, path: str, line: int):
        return self.walker.one(context, text, path, line, self.crumb, role)

    def markdown(self, body):
        return self.walker.markdown(body, self.crumb)


def _no_texts(component) -> dict[str, str]:
    return {}


def _unchanged(component, texts: dict[str, str]):
    return component


def _no_findings(component, ctx) -> list:
    return []


@dataclass(frozen=True)
class ComponentType:
    name: str
    olx_tag: str | None
    read: Callable[[Any, ReadContext], Any]
    export: Callable[[Any, str, ExportContext], tuple[str, dict[str, bytes]] | None]
    texts: Callable[[Any], dict[str, str]] = _no_texts
    translated: Callable[[Any, dict[str, str]], Any] = _unchanged
    walk: Callable[[Any, WalkContext], Any] | None = None
    lint: Callable[[Any, Any], list] = _no_findings
    keeps_learner_state: bool = False
    source: str = YAML
    """YAML, TEXT or PROSE: what `read` is given (PROSE: not a fence, the Markdown between the fences)."""
    built_in: bool = False

    def tag(self, component) -> str:
        """The OLX block type of this component."""
        return self.olx_tag or component.tag

    def translate(self, component, ctx: WalkContext):
        """The component with its texts translated (`walk`, or `texts` and `translated`)."""
        if self.walk is not None:
            return self.walk(component, ctx)
        texts = self.texts(component)
        if not texts:
            return component
        what = self.name
        return self.translated(component, {key: ctx.text(f"{what} {key}", text, f"{what} {key}", component.path,
                                                         component.line) for key, text in texts.items()})


_TYPES: dict[str, ComponentType] = {}
_DERIVED: dict[str, Any] = {}
"""What `cached` worked out from the table; emptied when the table changes."""


def register(component_type: ComponentType) -> None:
    """Add a component type; its name becomes a fence name in lessons (a name can be registered once)."""
    if component_type.name in _TYPES:
        raise ValueError(f"`{component_type.name}` is already a component type")
    _TYPES[component_type.name] = component_type
    _DERIVED.clear()


def unregister(name: str) -> None:
    """Remove a type (tests that register one clean up after themselves); olxkit's own stay."""
    if name in _TYPES and not _TYPES[name].built_in:
        del _TYPES[name]
        _DERIVED.clear()


def get(name: str) -> ComponentType | None:
    """The type of that name (None for an unknown one)."""
    return _TYPES.get(name)


def types() -> list[ComponentType]:
    """Every type: olxkit's own in the order registered, then the others by name."""
    own = [t for t in _TYPES.values() if t.built_in]
    return own + sorted((t for t in _TYPES.values() if not t.built_in), key=lambda t: t.name)


def cached(key: str, derive: Callable[[list[ComponentType]], Any]) -> Any:
    """`derive(types())`, worked out once until a type is registered or removed (stages ask per block)."""
    if key not in _DERIVED:
        _DERIVED[key] = derive(types())
    return _DERIVED[key]
