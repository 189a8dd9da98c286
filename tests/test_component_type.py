"""A component type is one registry entry: a `callout` block, registered here, is read, exported, translated,
linted and validated like a built-in one (olxkit/registry.py; docs/decisions.md, "Adding a component type")."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

import polib
import pytest

from olxkit import component_types, registry
from olxkit.diagnostics import Diagnostic, Severity

from helpers import make_project, read_member, run_cli


@dataclass
class Callout:
    id: str
    title: str
    text: str
    path: str
    line: int
    kind: str = "callout"


def read_callout(data, ctx) -> Callout:
    data.check_keys(("id", "title", "text"))
    data.require("text")
    return Callout(id=data.text("id") or "callout", title=data.text("title") or ctx.unit.title,
                   text=data.text("text"), path=data.path, line=data.line)


def export_callout(callout: Callout, url_name: str, ctx) -> tuple[str, dict[str, bytes]]:
    body = f'<aside class="callout"><h3>{escape(callout.title)}</h3>\n{ctx.render(callout.text)}</aside>\n'
    pointer = f'<html url_name="{url_name}"/>'
    xml = f'<html filename="{url_name}" display_name="{escape(callout.title, quote=True)}" editor="raw"/>\n'
    return pointer, {f"html/{url_name}.xml": xml.encode(), f"html/{url_name}.html": body.encode()}


def lint_callout(callout: Callout, ctx) -> list[Diagnostic]:
    if "TODO" in callout.text:
        return [Diagnostic(callout.path, callout.line, "this callout still says TODO", Severity.WARNING, "CLT001")]
    return []


CALLOUT = registry.ComponentType(
    name="callout",
    olx_tag="html",
    read=read_callout,
    export=export_callout,
    texts=lambda c: {"title": c.title, "text": c.text},
    translated=lambda c, texts: replace(c, **texts),
    lint=lint_callout,
)

LESSON = """\
---
title: Welcome
---

## What you will learn {#what-you-will-learn}

Read this first.

```callout
id: remember
title: Remember
text: Keep **one** source of the course.
```

## Notes {#notes}

```callout
text: "TODO: write the notes"
```
"""

INSTANCES = "instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: 2026_T1_IT\n"


@pytest.fixture
def callout_type():
    registry.register(CALLOUT)
    yield CALLOUT
    registry.unregister("callout")


def test_a_registered_block_type_is_built_extracted_translated_and_validated(tmp_path, callout_type):
    root = make_project(tmp_path / "c", {"modules/01-getting-started/01-welcome.md": LESSON,
                                         "course/instances.yaml": INSTANCES})
    # extract: the callout's texts are messages for translators
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    pot = {e.msgid for e in polib.pofile(str(root / "locale/course.pot"))}
    assert {"Remember", "Keep **one** source of the course."} <= pot
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        entry.msgstr = {"Remember": "Ricorda", "Keep **one** source of the course.":
                        "Tieni **una sola** fonte del corso."}.get(entry.msgid, "")
    po.save(str(root / "locale/it.po"))

    # build: the exporter's files are in both archives, the Italian one translated and rendered
    built = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q", "--format", "json")
    assert built.exit_code == 0, built.output
    archives = {a["instance"]: a["archive"] for a in json.loads(built.stdout)["archives"]}
    name = "welcome_what-you-will-learn_remember"
    en = read_member(archives["en"], f"course/html/{name}.html").decode()
    it = read_member(archives["it"], f"course/html/{name}.html").decode()
    assert "<h3>Remember</h3>" in en and "<strong>one</strong>" in en
    assert "<h3>Ricorda</h3>" in it and "<strong>una sola</strong>" in it
    vertical = read_member(archives["en"], "course/vertical/welcome_what-you-will-learn.xml").decode()
    assert f'<html url_name="{name}"/>' in vertical

    # validate: the OLX gate accepts it, and the type's own lint reports at the author's line
    checked = run_cli("validate", str(root), "--format", "json")
    doc = json.loads(checked.stdout)
    assert checked.exit_code == 0, checked.stdout
    todo = [f for f in doc["findings"] if f["code"] == "CLT001"]
    assert [(f["path"], f["line"], f["severity"]) for f in todo] == [
        ("modules/01-getting-started/01-welcome.md", LESSON.splitlines().index('text: "TODO: write the notes"'),
         "warning")]

    # a mistake in the block is reported at its line, like any component's
    broken = LESSON.replace("title: Remember\n", "title: Remember\ncolour: red\n")
    (root / "modules/01-getting-started/01-welcome.md").write_text(broken, encoding="utf-8")
    failed = run_cli("validate", str(root), "--format", "json")
    [error] = [f for f in json.loads(failed.stdout)["findings"] if f["severity"] == "error"]
    assert (error["code"], error["line"]) == ("SYN002", broken.splitlines().index("colour: red") + 1)


def test_without_the_entry_the_fence_is_a_code_block(tmp_path):
    """The registry is the only place a type is known: unregistered, ```callout is a code block again."""
    root = make_project(tmp_path / "c", {"modules/01-getting-started/01-welcome.md": LESSON})
    built = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q", "--format", "json")
    assert built.exit_code == 0, built.output
    [archive] = [a["archive"] for a in json.loads(built.stdout)["archives"]]
    vertical = read_member(archive, "course/vertical/welcome_what-you-will-learn.xml").decode()
    assert "remember" not in vertical
    text = read_member(archive, "course/html/welcome_what-you-will-learn_text.html").decode()
    assert 'class="language-callout"' in text


# -- olxkit's own types are registry entries too ------------------------------------------------------------------

STAGES = ("source/loader.py", "source/markdown.py", "olx_export.py", "i18n/walk.py", "i18n/variant.py",
          "i18n/extract.py", "check/lint.py", "check/validate.py", "olx/diff.py", "olx/learners.py",
          "serve/cache.py", "build.py")
"""The stages: they dispatch through the registry and never name a component type themselves."""


def _special_cases(path) -> list[str]:
    """Where a stage module names one of olxkit's own component types: a model class of one, a comparison with
    its name, or a `kind` compared with a constant."""
    import ast

    from olxkit import model

    classes = {name for name in dir(model) if name.endswith("Component")}
    kinds = {t.name for t in component_types.BUILT_IN}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name) and node.id in classes:
            found.append(f"{node.lineno}: {node.id}")
        elif isinstance(node, ast.alias) and node.name in classes:
            found.append(f"imports {node.name}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            constants = {c.value for side in sides for c in ast.walk(side)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            kind_side = any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides)
            if constants & kinds or (kind_side and constants):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_kind_a_course_can_contain_is_one_registry_entry():
    from olxkit import model

    kinds = {cls.__dataclass_fields__["kind"].default for name, cls in vars(model).items()
             if name.endswith("Component") and "kind" in getattr(cls, "__dataclass_fields__", {})}
    assert kinds == {"html", "video", "discussion", "problem", "olx"}
    for kind in kinds:
        entry = registry.get(kind)
        assert entry is not None and entry.built_in, kind
        assert callable(entry.read) and callable(entry.export) and callable(entry.lint), kind
    # the lesson grammar takes its fence names from the same table, html being the text between them
    assert component_types.fence_names() == ("video", "discussion", "problem", "olx")
    assert component_types.prose().name == "html"
    assert component_types.stateless_tags() == {"html", "video", "discussion"}
    # the embedded course: every component it holds resolves to its entry
    from olxkit.source.loader import load_course

    course = load_course(Path(__file__).resolve().parent.parent)
    seen = {component_types.of(c).name for lesson in course.lessons() for u in lesson.units for c in u.components}
    assert seen >= {"html", "video", "problem", "discussion"}


def test_olxkit_own_types_stay_and_a_name_is_taken_once(callout_type):
    registry.unregister("video")
    assert registry.get("video") is not None
    with pytest.raises(ValueError, match="already a component type"):
        registry.register(callout_type)
    assert component_types.fence_names()[-1] == "callout"


def test_the_checker_sees_a_special_case(tmp_path):
    planted = tmp_path / "stage.py"
    planted.write_text("from olxkit.model import VideoComponent\n"
                       "def f(comp):\n"
                       "    if isinstance(comp, VideoComponent):\n        return 1\n"
                       "    if comp.kind == 'problem':\n        return 2\n"
                       "    if comp.kind in ('callout',):\n        return 3\n", encoding="utf-8")
    assert len(_special_cases(planted)) == 4


def test_the_stages_have_no_special_case_for_a_built_in_type():
    package = Path(__file__).resolve().parent.parent / "olxkit"
    found = {stage: cases for stage in STAGES if (cases := _special_cases(package / stage))}
    assert found == {}
