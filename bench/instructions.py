#!/usr/bin/env python3
"""Count the instructions of one olxkit build, per process, under valgrind (load-independent A/B figures).

Wall and even CPU times move by 10–25 % between identical builds on a shared machine; the number of instructions a
build executes does not. This script generates build_bench.py's synthetic course, then for each olxkit revision
given (or the working tree) runs `build(project, out, tree=True)` under

  valgrind --tool=cachegrind --cache-sim=no --trace-children=yes

with PYTHONHASHSEED=0 and a bytecode cache filled by a warm-up build (as an installed olxkit has its .pyc files),
and prints the instructions executed by each process: the parent (start-up, reading and checking the sources, its
export share, the archive: the critical path) and each forked export child.

  python bench/instructions.py --rev 12f500c --rev main --rev HEAD          # 5,000 components, 2 jobs
  python bench/instructions.py --components 1000 --jobs 1                    # the working tree, one process

Needs valgrind (apt-get install valgrind). A 5,000-component build takes ≈ 2–3 minutes per revision under it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from build_bench import CourseGenerator, snapshot_olxkit  # noqa: E402

CHILD = """\
import os, sys
from olxkit.build import build
kwargs = {"jobs": int(sys.argv[3])} if sys.argv[3] != "default" else {}
build(sys.argv[1], sys.argv[2], tree=True, **kwargs)
"""


def run_build(python: str, src: Path | None, project: Path, out: Path, jobs: str, cache: Path,
              valgrind_out: Path | None) -> None:
    """One build in a child; under cachegrind when `valgrind_out` (a folder for the per-process files) is given."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SOURCE_DATE_EPOCH", None)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    cmd = [python, "-c", CHILD, str(project), str(out), jobs]
    if valgrind_out is not None:
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes", "-q",
               f"--cachegrind-out-file={valgrind_out}/cg.%p"] + cmd
    done = subprocess.run(cmd, env=env, cwd=project.parent, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"build failed ({done.returncode}):\n{done.stderr[-4000:]}")


def read_counts(folder: Path) -> list[tuple[int, int]]:
    """[(pid, instructions)] of every cachegrind file in `folder`, in pid order (the first is the parent)."""
    counts = []
    for path in folder.glob("cg.*"):
        total = None
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
        if total is not None:
            counts.append((int(path.name.split(".")[1]), total))
    return sorted(counts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", default=[], metavar="REV",
                    help="olxkit as committed at REV (repeatable); without it, the working tree")
    ap.add_argument("--components", type=int, default=5000, help="size of the synthetic course (default 5000)")
    ap.add_argument("--jobs", default="default", help="build's jobs (default: olxkit's default, 2)")
    ap.add_argument("--seed", type=int, default=20260202)
    ap.add_argument("--tmpdir", default=None, help="work folder's parent (e.g. /dev/shm)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        ap.error("valgrind not found (apt-get install valgrind)")

    work = Path(tempfile.mkdtemp(prefix="olxkit-instr-", dir=args.tmpdir))
    results = []
    try:
        project = work / "project"
        CourseGenerator(args.components, args.seed).write(project)
        for i, rev in enumerate(args.rev or [None]):
            src = None
            label = "working tree"
            if rev is not None:
                src = work / f"src-{i}"
                label = f"{rev} ({snapshot_olxkit(rev, src)})"
            cache = work / f"pycache-{i}"
            run_build(args.python, src, project, work / f"warm-{i}", args.jobs, cache, None)
            cg = work / f"cg-{i}"
            cg.mkdir()
            run_build(args.python, src, project, work / f"out-{i}", args.jobs, cache, cg)
            counts = read_counts(cg)
            row = {"olxkit": label, "parent": counts[0][1], "children": [c for _p, c in counts[1:]],
                   "total": sum(c for _p, c in counts)}
            results.append(row)
            if not args.json:
                kids = " ".join(f"{c / 1e9:.3f} G" for c in row["children"]) or "-"
                print(f"{label:<28} parent {row['parent'] / 1e9:.3f} G   children {kids}   "
                      f"total {row['total'] / 1e9:.3f} G", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"components": args.components, "jobs": args.jobs, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
