"""The manifest of a build folder: which outputs olxkit wrote there, so that stale ones can be removed.

An output an earlier build wrote (an archive, an OLX tree) and this build no longer writes — the course key
changed, an instance was removed, `--no-tree` — is deleted; anything olxkit did not write is never touched.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from ..fsio import write_atomic

MANIFEST = ".olxkit-manifest.json"
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\Z")


def read_manifest(out: Path) -> dict[str, list[str]]:
    """{instance id: [output names]} from the last build into `out`; empty when there is none or it is unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        outputs = data["outputs"]
        return {str(k): [str(n) for n in v] for k, v in outputs.items() if isinstance(v, list)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def read_learners(out: Path) -> dict[str, dict]:
    """{instance id: its blocks that keep learner state} as the last build into `out` recorded them."""
    try:
        learners = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["learners"]
        return {str(k): v for k, v in learners.items() if isinstance(v, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def update_manifest(out: Path, written: dict[str, list[str]], every_instance: bool,
                    learners: dict[str, dict] | None = None) -> list[str]:
    """Record what this build wrote into `out` and remove what the previous build wrote and this one did not.

    `written` is {instance id: [output names]}, `learners` {instance id: its blocks that keep learner state};
    with `every_instance` false (a build of some instances) the other instances' records are kept. Returns the
    removed names, sorted.
    """
    previous = read_manifest(out)
    kept = {} if every_instance else {k: v for k, v in previous.items() if k not in written}
    current = {**kept, **written}
    still = {name for names in current.values() for name in names}
    removed = sorted({name for names in previous.values() for name in names
                      if name not in still and _remove_output(out, name)})
    blocks = {**({} if every_instance else {k: v for k, v in read_learners(out).items() if k not in written}),
              **(learners or {})}
    doc = {"version": 1, "outputs": {k: sorted(v) for k, v in sorted(current.items())},
           "learners": dict(sorted(blocks.items()))}
    # One line: json's C encoder (an indent would take the pure-Python one, ~5x slower on a large course's record).
    write_atomic(out / MANIFEST, json.dumps(doc) + "\n")
    return removed


def _remove_output(out: Path, name: str) -> bool:
    """Delete one recorded output if it still is what olxkit writes: an archive, or an OLX tree (course.xml)."""
    if not _OUTPUT_NAME.match(name) or name in (".", ".."):
        return False  # a manifest edited by hand names nothing outside `out`
    path = out / name
    if path.is_symlink():
        return False
    if name.endswith(".tar.gz") and path.is_file():
        path.unlink()
        return True
    if path.is_dir() and (path / "course.xml").is_file():
        shutil.rmtree(path)
        return True
    return False
