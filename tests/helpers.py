"""Shared test helpers: running the real CLI and making course projects on disk."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from click.testing import CliRunner

from olxkit.cli import cli

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None):
    """Run `olxkit ARGS` in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m olxkit ARGS` as a separate process."""
    return subprocess.run([sys.executable, "-m", "olxkit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def copy_course(dest: Path) -> Path:
    """A copy of the embedded Social Innovation Academy to edit in a test."""
    for name in ("course", "modules", "locale"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    return dest


def make_project(root: Path, files: dict[str, str]) -> Path:
    """A course project made from `olxkit new`, with `files` added or replaced (None deletes)."""
    result = run_cli("new", str(root))
    assert result.exit_code == 0, result.output
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def archive_members(path: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(path, "r:gz") as tar:
        return tar.getmembers()


def read_member(path: Path, name: str) -> bytes:
    with tarfile.open(path, "r:gz") as tar:
        return tar.extractfile(name).read()


def url_names(tree: Path) -> dict[str, set[str]]:
    """Every block url_name in a built OLX tree, by block type (pointer files and inline blocks)."""
    from lxml import etree

    found: dict[str, set[str]] = {}
    for folder in ("chapter", "sequential", "vertical", "html", "problem", "video"):
        for file in (tree / folder).glob("*.xml"):
            found.setdefault(folder, set()).add(file.stem)
    for file in (tree / "vertical").glob("*.xml"):
        for el in etree.parse(str(file)).getroot():
            if el.get("url_name") and len(el.attrib) > 1:
                found.setdefault(el.tag, set()).add(el.get("url_name"))
    return found


def compiled(name: str):
    """The compiled module `olxkit.i18n.<name>` (setup.py), or a skip where it could not be built (no C compiler:
    the Python twins are in use). CI builds it (.ci/run sets OLXKIT_REQUIRE_COMPILED): missing there, it fails."""
    import importlib
    import os

    import pytest

    try:
        return importlib.import_module(f"olxkit.i18n.{name}")
    except ImportError:
        if os.environ.get("CI") or os.environ.get("OLXKIT_REQUIRE_COMPILED") == "1":
            raise
        pytest.skip(f"olxkit.i18n.{name} is not built here (no C compiler): its Python twin is in use")


def link_view(children: list) -> list[tuple]:
    """What the link checks (lint, `links.iter_targets`) read of a run's children: line breaks, each link's
    target, and the text and code of its label, joined."""
    out: list[tuple] = []
    label: list[str] | None = None
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            out.append(("break",))
        elif child.type == "link_open":
            out.append(("link", child.attrGet("href")))
            label = []
        elif child.type == "link_close" and label is not None:
            out += [("label", "".join(label)), ("end",)]
            label = None
        elif child.type in ("image", "html_inline", "footnote_ref"):
            out.append((child.type,))
        elif label is not None and child.type in ("text", "code_inline"):
            label.append(child.content)
    # Breaks after the last link move no line the checks report.
    while out and out[-1] == ("break",):
        out.pop()
    return out
