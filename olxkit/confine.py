"""The one rule for reading: every course input resolves inside the project.

A symbolic link anywhere on a path (the file, a parent folder, `course/static` itself, `locale/`, `build/`) that
leads out of the project would ship a file of the machine (a private key, /etc/passwd, /proc/self/environ) to
learners or to a server. Links that stay inside the project are followed as usual.
"""

from __future__ import annotations

import os
from pathlib import Path

from .diagnostics import OlxkitError, error


def outside(root: str | os.PathLike, rel: str) -> bool:
    """True when `root/rel`, all symbolic links followed, is not inside `root` (itself resolved)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, rel))
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


def refusal(rel: str) -> OlxkitError:
    return error(rel, 1, "this path is a symbolic link (or inside a linked folder) that leads outside the project; "
                 "olxkit reads course files from the project only: copy the file into the project instead",
                 code="SEC001")


def check_inside(root: str | os.PathLike, rel: str) -> None:
    """Raise SEC001 at `rel` when it leads out of the project `root`."""
    if outside(root, rel):
        raise refusal(rel)


def open_inside(root: str | os.PathLike, rel: str) -> bytes:
    """The bytes of the project file `rel`, refused (SEC001) when its path leads out of the project."""
    check_inside(root, rel)
    return Path(root, rel).read_bytes()


def check_output_folder(project: str | os.PathLike, out: str | os.PathLike) -> None:
    """`build/` (the default output folder) must be a real folder of the project, not a link to elsewhere.

    A committed `build` link would make every build write, rename and delete outside the project.
    """
    project, out = os.path.abspath(project), os.path.abspath(out)
    if not out.startswith(project.rstrip(os.sep) + os.sep):
        return  # an output folder the user named elsewhere (-o dist) is theirs to choose
    where = os.path.relpath(out, project)
    if os.path.islink(out) or outside(project, where):
        raise error(where, 1, f"`{where}` is a symbolic link (or lies in a linked folder); olxkit writes its "
                    f"output only into a real folder of the project: remove the link (`rm {where}`) and build "
                    "again", code="SEC002")


__all__ = ["check_inside", "check_output_folder", "open_inside", "outside", "refusal"]
