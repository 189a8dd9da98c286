#!/usr/bin/env python3
"""Record or check the sha256 of every archive of the embedded course and of the build benchmark's course.

A refactor that must not change what users get (issue 10's layout change, for one) runs this before and after:

  python bench/archive_digests.py --record bench/archive_digests.json   # at the last release
  python bench/archive_digests.py --check bench/archive_digests.json    # after the change: exit 1 on any difference

The embedded course (the repository's course/, modules/, locale/) is built for every enabled instance; the
benchmark's synthetic course (bench/build_bench.py's generator, its default seed) at `--components` components
(default 5,000, the benchmark's size). Both with SOURCE_DATE_EPOCH unset and `-j 1` (`--jobs N`: N processes), in a
`python -m olxkit` subprocess that imports olxkit from this checkout. Editing the course or the generator changes the
digests on purpose: record them again then.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from build_bench import CourseGenerator  # noqa: E402


def build_digests(project: Path, out: Path, jobs: int = 1) -> dict[str, str]:
    """Build every instance of `project` into `out` with `jobs` processes and return {archive name: sha256}."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-m", "olxkit", "build", str(project), "-o", str(out), "--no-tree",
                           "-q", "-j", str(jobs)], env=env, cwd=out.parent, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"build of {project} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.tar.gz"))}


def all_digests(components: int, jobs: int = 1) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="olxkit-digests-") as tmp:
        work = Path(tmp)
        embedded = build_digests(ROOT, work / "embedded", jobs)
        bench_project = work / "bench-course"
        bench_project.mkdir()
        CourseGenerator(components).write(bench_project)
        bench = build_digests(bench_project, work / "bench-out", jobs)
    return {"embedded": embedded, f"bench-{components}": bench}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", metavar="FILE", help="write the digests to FILE")
    group.add_argument("--check", metavar="FILE", help="compare with the digests in FILE; exit 1 on a difference")
    ap.add_argument("--components", type=int, default=5000, help="size of the benchmark's course (default 5000)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="processes of each build (default 1; the digests "
                    "must not depend on it)")
    args = ap.parse_args(argv)
    digests = all_digests(args.components, args.jobs)
    if args.record:
        Path(args.record).write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
        print(f"{sum(map(len, digests.values()))} digests written to {args.record}")
        return 0
    expected = json.loads(Path(args.check).read_text())
    bad = 0
    for course, archives in expected.items():
        got = digests.get(course)
        if got is None:
            print(f"{course}: not built (use --components {course.rpartition('-')[2]})")
            bad += 1
            continue
        for name in sorted(set(archives) | set(got)):
            same = archives.get(name) == got.get(name)
            bad += not same
            print(f"{'same' if same else 'DIFFERENT':9} {course}/{name}  {got.get(name, '(missing)')}")
    print("byte-identical" if not bad else f"{bad} archive(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
