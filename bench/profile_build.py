#!/usr/bin/env python3
"""Where olxkit's build spends its time: wall time per phase, without profiler overhead.

Generates the same synthetic course as build_bench.py (or uses --project), then runs in-process builds with a
few olxkit functions wrapped by timers (olxkit's files are not modified: the wrappers replace the module
attributes the build looks up, for this process only). Prints the time, share and call count of each phase for
the fastest of --repeat builds.

    python bench/profile_build.py --components 5000 --tmpdir /dev/shm
    python bench/profile_build.py --no-gc                  # the same with the cyclic garbage collector off
    python bench/profile_build.py --cprofile build.prof    # also write a cProfile of one extra build
    python bench/profile_build.py --olxkit-rev HEAD        # olxkit as committed, not the working tree
"""

from __future__ import annotations

import argparse
import gc
import importlib
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_bench import CourseGenerator, snapshot_olxkit  # noqa: E402

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)

# (module, attribute, label). A parent phase includes the indented ones below it. Phases whose function does not
# exist in the olxkit being measured are shown as "n/a".
PHASES = [
    ("olxkit.build", "load_course_with_warnings", "load: read + check sources"),
    ("olxkit.source.loader", "parse_lesson", "  parse lessons (Markdown, one parse per lesson)"),
    ("olxkit.source.loader", "parse_yaml", "  YAML compose (front matter + blocks)"),
    ("olxkit.source.loader", "read_problem", "  read problem blocks"),
    ("olxkit.source.loader", "render_text", "  check_links: render every problem text"),
    ("olxkit.source.loader", "iter_targets", "  check_links: walk lesson tokens"),
    ("olxkit.build", "export_olx", "export: course model -> OLX in memory"),
    ("olxkit.olx_export", "render", "  render html pages (Markdown tokens -> HTML)"),
    ("olxkit.olx_export", "check_html", "  check_html (lxml HTML parse of each page)"),
    ("olxkit.olx_export", "build_problem", "  build_problem (capa XML)"),
    ("olxkit.olx.capa", "render_text", "    render every problem text again"),
    ("olxkit.olx.capa", "_fragment", "    lxml parse of each rendered text"),
    ("olxkit.build", "archive_bytes", "archive_bytes (tarfile + gzip in memory)"),
    ("olxkit.build", "write_atomic", "write the archive (fsync + rename)"),
    ("olxkit.build", "write_archive", "write_archive (tarfile + gzip, fsync; older olxkit)"),
    ("olxkit.build", "write_tree", "write_tree (OLX folder)"),
]


def _wrap(module, name: str, label: str) -> bool:
    func = getattr(module, name, None)
    if func is None:
        return False
    if name == "iter_targets":  # a generator: time the iteration too, not only its creation
        gen_func = func
        func = lambda *a, **k: list(gen_func(*a, **k))  # noqa: E731

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            TOTALS[label] += time.perf_counter() - t0
            CALLS[label] += 1

    setattr(module, name, timed)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--components", type=int, default=5000)
    ap.add_argument("--project", help="an existing course project instead of a synthetic one")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--cprofile", metavar="FILE", help="also write a cProfile of one build to FILE")
    ap.add_argument("--no-gc", action="store_true", help="build with the cyclic garbage collector off")
    ap.add_argument("--olxkit-rev", metavar="REV", help="profile olxkit as committed at REV (git archive snapshot)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="olxkit-prof-", dir=args.tmpdir))
    try:
        if args.olxkit_rev:
            commit = snapshot_olxkit(args.olxkit_rev, work / "olxkit-src")
            sys.path.insert(0, str(work / "olxkit-src"))
            print(f"olxkit as committed at {args.olxkit_rev} ({commit})")
        t_import = time.perf_counter()
        # Fetch the modules themselves (older olxkit re-exported a function named `build` from the package).
        modules = {name: importlib.import_module(name) for name in {m for m, _n, _l in PHASES}}
        t_import = time.perf_counter() - t_import
        build = modules["olxkit.build"].build
        present = {label for m, n, label in PHASES if _wrap(modules[m], n, label)}

        project = Path(args.project) if args.project else work / "project"
        if not args.project:
            CourseGenerator(args.components).write(project)
        if args.no_gc:
            gc.disable()
        best = None
        for i in range(args.repeat):
            TOTALS.clear()
            CALLS.clear()
            t0 = time.perf_counter()
            build(project, work / f"out-{i}", tree=True)
            total = time.perf_counter() - t0
            if best is None or total < best[0]:
                best = (total, dict(TOTALS), dict(CALLS))
        if args.cprofile:
            import cProfile

            cProfile.runctx("build(project, out, tree=True)", {}, {"build": build, "project": project,
                                                                    "out": work / "out-prof"}, args.cprofile)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    total, totals, calls = best
    print(f"imports of olxkit: {t_import:.3f} s (not in the total below; add interpreter start-up ~0.03 s)")
    print(f"build(tree=True), in-process, best of {args.repeat}{', GC off' if args.no_gc else ''}: {total:.3f} s")
    width = max(len(label) for _m, _n, label in PHASES)
    for _m, _n, label in PHASES:
        if label not in present:
            print(f"  {label:<{width}}      n/a")
            continue
        t = totals.get(label, 0.0)
        print(f"  {label:<{width}}  {t:7.3f} s  {100 * t / total:5.1f} %  {calls.get(label, 0):>7,} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
