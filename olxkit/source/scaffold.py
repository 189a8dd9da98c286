"""Project helpers: `olxkit new` (a minimal course that builds) and `olxkit pin-ids`."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from ..diagnostics import error
from ..fsio import write_atomic
from .loader import load_course
from .project import KEY_PART

_TEMPLATES = {
    ".gitignore": """\
# What olxkit writes (archives, OLX trees, its manifest): made from the sources, never committed.
build/
""",
    "course/course.yaml": """\
org: {{ org }}
number: {{ number }}
run: {{ run }}
title: {{ title | tojson }}
language: en
start: 2026-09-01
end: 2026-12-18
self_paced: true
about:
  short_description: "One sentence that tells a learner what this course gives them."
  effort: "2 hours/week"
  duration: "4 weeks"
grading:
  pass: 0.6
  assignments:
    - type: Quiz
      short_label: Q
      weight: 100
problems:
  max_attempts: 2
  showanswer: finished
modules:
  - 01-getting-started
""",
    "course/about.md": """\
## About this course

Say who the course is for, what learners will be able to do at the end, and how it works.
""",
    "course/handouts.md": """\
- [Start here](../modules/01-getting-started/01-welcome.md)
""",
    "course/static/.gitkeep": "",
    "modules/01-getting-started/module.yaml": """\
title: Getting started
lessons:
  - 01-welcome.md
  - 02-quiz.md
""",
    "modules/01-getting-started/01-welcome.md": """\
---
title: Welcome
---

## What you will learn {#what-you-will-learn}

Each `##` heading starts a unit. Write your text in **Markdown**; the `{#id}` at the end of the heading keeps
learners' progress attached to this unit when you rename it.

```problem
id: warm-up
title: Warm-up
type: single-choice
prompt: Which heading level starts a unit?
choices:
  - text: "`#`"
  - text: "`##`"
    correct: true
    feedback: "Right: one `##` heading per unit."
explanation: Units start at `##`; the lesson title comes from the front matter.
```

## Introduce yourself {#introduce-yourself}

```discussion
title: Introduce yourself
prompt: Tell the other learners who you are and why you joined.
```
""",
    "modules/01-getting-started/02-quiz.md": """\
---
title: Quiz
graded: true
format: Quiz
---

## Check your understanding {#check}

```problem
id: q1
title: Units
type: text
prompt: What does a `##` heading start? (one word)
answers: [unit, a unit]
explanation: Every `##` heading starts a unit.
```
""",
}


def create_project(directory: str | os.PathLike, *, title: str, org: str, number: str, run: str) -> list[str]:
    """Write a minimal course project; refuses to write into a folder that has files."""
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise error(str(directory), 0, "this folder exists and is not empty; choose a new folder")
    for name, value in (("--org", org), ("--number", number), ("--run", run)):
        if not KEY_PART.match(value):
            raise error("", 0, f"{name} {value!r} may use only letters, digits, `_`, `.` and `-`")
    # `{#id}` is course syntax, not a Jinja comment.
    env = Environment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        comment_start_string="<#--",
        comment_end_string="--#>",
    )
    written = []
    for rel, template in _TEMPLATES.items():
        write_atomic(root / rel, env.from_string(template).render(title=title, org=org, number=number, run=run))
        written.append(rel)
    return written


def pin_unit_ids(project: str | os.PathLike, write: bool = True) -> list[tuple[str, int, str]]:
    """Add `{#id}` to every unit heading without one; return (file, line, id) for each."""
    course = load_course(project)
    root = Path(course.root)
    todo: dict[str, list[tuple[int, str]]] = {}
    for lesson in course.lessons():
        for unit in lesson.units:
            if not unit.id_pinned:
                todo.setdefault(lesson.path, []).append((unit.line, unit.id))
    changed = []
    for rel, units in sorted(todo.items()):
        lines = (root / rel).read_text(encoding="utf-8").split("\n")
        for line, unit_id in units:
            lines[line - 1] = lines[line - 1].rstrip() + f" {{#{unit_id}}}"
            changed.append((rel, line, unit_id))
        if write:
            write_atomic(root / rel, "\n".join(lines))
    return changed
