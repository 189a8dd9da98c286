"""The one atomic writer (olxkit/fsio.py): whole files or nothing, permissions kept, no temporary file left."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from olxkit.fsio import copy_atomic, write_all_atomic, write_atomic

PACKAGE = Path(__file__).resolve().parent.parent / "olxkit"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_writes_the_whole_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    assert write_atomic(target, "héllo\n") == len("héllo\n".encode())
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.chmod(0o600)
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _leftovers(target.parent) == []


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path):
    target = tmp_path / "kept.txt"
    target.write_text("old")

    # A rename over a folder fails after the temporary file was written: nothing may be left behind.
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "inside").write_text("x")
    with pytest.raises(OSError):
        write_atomic(folder, "new")
    assert (folder / "inside").read_text() == "x"
    assert _leftovers(tmp_path) == []
    assert target.read_text() == "old"


def test_copy_atomic_and_a_symlink_target_is_replaced_not_followed(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(3 << 20))
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    link = tmp_path / "dest.bin"
    link.symlink_to(outside)
    assert copy_atomic(src, link) == 3 << 20
    assert not link.is_symlink() and link.read_bytes() == src.read_bytes()
    assert outside.read_text() == "precious"


def test_write_all_atomic_changes_nothing_unless_all_can_be_written(tmp_path):
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    first.write_text("1")
    second.write_text("2")
    with pytest.raises(OSError):
        write_all_atomic([(first, "one"), (tmp_path / "missing-folder" / "x", "x"), (second, "two")])
    assert (first.read_text(), second.read_text()) == ("1", "2")
    assert _leftovers(tmp_path) == []
    write_all_atomic([(first, "one"), (second, "\ufefftwo")])
    assert first.read_text() == "one" and second.read_bytes() == b"\xef\xbb\xbftwo"


# Writing a file anywhere else in the package would bypass the writer: only fsio.py renames or creates files,
# and olx/archive.py's write_files fills a staged folder (fsio.stage_folder) that is swapped in whole.
WRITES = {"write_text", "write_bytes", "rename", "mkstemp", "copyfile", "copy2", "os.replace", "shutil.copy"}
# Files written into a fresh staging folder that is renamed into place as a whole (fsio.replace_folder).
ALLOWED = {("olx/archive.py", "write_files"), ("importer/__init__.py", "_write_project")}


def test_no_module_writes_files_around_the_atomic_writer():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "fsio.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                owner = getattr(getattr(node.func, "value", None), "id", "")
                if f"{owner}.{name}" in WRITES:
                    name = f"{owner}.{name}"
                mode = next((a.value for a in node.args[1:2] if isinstance(a, ast.Constant)), None)
                mode = next((k.value.value for k in node.keywords if k.arg == "mode"
                             and isinstance(k.value, ast.Constant)), mode)
                builtin_open = isinstance(node.func, ast.Name) and name == "open"
                opens_for_writing = builtin_open and isinstance(mode, str) and any(c in mode for c in "wax+")
                if (name in WRITES or opens_for_writing) and (rel, func.name) not in ALLOWED:
                    offenders.append(f"olxkit/{rel}:{node.lineno} {func.name}() calls {name}")
    assert offenders == []
