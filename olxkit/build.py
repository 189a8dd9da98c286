"""The build: sources → course model → OLX tree → archive, with nothing written unless all of it is good."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .archive import write_archive, write_tree
from .diagnostics import Diagnostic, OlxkitError
from .model import Course
from .olx_export import export_olx
from .source import load_course_with_warnings


@dataclass
class BuildResult:
    """What one archive build produced."""

    course_key: str
    language: str
    archive: Path
    tree: Path | None
    size: int
    counts: dict[str, int]
    warnings: list[Diagnostic] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "course_key": self.course_key, "language": self.language, "archive": str(self.archive),
            "tree": str(self.tree) if self.tree else None, "size": self.size, "blocks": dict(sorted(self.counts.items())),
            "warnings": [d.format() for d in self.warnings],
        }


def build(project: str | os.PathLike = ".", out_dir: str | os.PathLike | None = None, *, tree: bool = True,
          progress: Callable[[str], None] | None = None) -> list[BuildResult]:
    """Build the course in `project` into `out_dir` (default `<project>/build`).

    Raises OlxkitError with every error found; in that case nothing in `out_dir` is touched.
    """
    say = progress or (lambda _msg: None)
    project = Path(project)
    out = Path(out_dir) if out_dir is not None else project / "build"
    say(f"Reading {project.resolve()}")
    course, warnings = load_course_with_warnings(project)
    say(f"Read {len(course.modules)} modules, {sum(1 for _ in course.lessons())} lessons")
    variants = [course]
    planned = []
    for variant in variants:
        say(f"Making OLX for {variant.key} ({variant.language})")
        olx, diags = export_olx(variant)
        diags.raise_if_errors()
        planned.append((variant, olx))
    results = []
    for variant, olx in planned:
        archive = out / f"{variant.archive_stem}.tar.gz"
        say(f"Writing {archive}")
        size = write_archive(olx, archive)
        folder = None
        if tree:
            folder = out / variant.archive_stem
            write_tree(olx, folder)
        results.append(BuildResult(variant.key, variant.language, archive, folder, size, dict(olx.counts),
                                   warnings))
    return results


def load(project: str | os.PathLike = ".") -> Course:
    """Read and check a course project without building it."""
    course, _warnings = load_course_with_warnings(project)
    return course


__all__ = ["BuildResult", "build", "load", "OlxkitError"]
