#!/usr/bin/env python3
"""What a fresh page of memory costs this machine, at several sizes: the floor under every memory-hungry step.

Each size runs in a new process that maps that much anonymous memory and writes every page once, then reports
its system time (the kernel's page faults: zeroing each page, and on a virtual machine whatever the host does to
back it) and its user time (the writes). No olxkit code runs. On an ordinary machine the system time per GB is
the same at every size; where it is not, a command whose peak memory crosses the size where it jumps grows
faster than its work (issue 16: `validate` held 2.2 GB at 20,000 components, and its system time went 4.6 ->
20.5 s from x2 to x4 while its page faults only doubled).

    python bench/page_cost.py [--sizes 0.5,1,2,4] [--repeat 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys

CHILD = """\
import mmap, resource, sys
n = int(float(sys.argv[1]) * 2**30)
chunk = b"\\x01" * (1 << 20)
before = resource.getrusage(resource.RUSAGE_SELF)
area = mmap.mmap(-1, n)
for at in range(0, n, len(chunk)):
    area[at:at + len(chunk)] = chunk[: n - at]
after = resource.getrusage(resource.RUSAGE_SELF)
print(after.ru_stime - before.ru_stime, after.ru_utime - before.ru_utime, after.ru_minflt - before.ru_minflt)
"""


def touch(gb: float) -> dict:
    """System and user seconds, and minor faults, of writing `gb` GB of fresh memory once, in a new process."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(gb)], capture_output=True, text=True, check=True)
    system, user, faults = out.stdout.split()
    return {"system_s": float(system), "user_s": float(user), "faults": int(faults)}


def _growth(rows: list[dict], key: str) -> float | None:
    """Growth exponent of `key` between the smallest and the largest size (1.0: linear)."""
    first, last = rows[0], rows[-1]
    if len(rows) < 2 or first[key] <= 0 or last[key] <= 0:
        return None
    return math.log(last[key] / first[key]) / math.log(last["gb"] / first["gb"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="0.5,1,2,4", help="GB to touch, comma-separated (default %(default)s)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each size, the cheapest kept (default 2)")
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args(argv)
    try:
        sizes = sorted(float(s) for s in args.sizes.split(","))
    except ValueError:
        ap.error(f"--sizes must be numbers of GB, comma-separated, not {args.sizes!r}")
    if not sizes or sizes[0] <= 0 or args.repeat < 1:
        ap.error("--sizes must be positive and --repeat at least 1")
    rows = []
    for gb in sizes:
        runs = [touch(gb) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["system_s"])
        rows.append({"gb": gb, **best, "first_system_s": runs[0]["system_s"],
                     "samples_system_s": [round(r["system_s"], 3) for r in runs]})
    report = {"rows": rows, "system_growth_exponent": _growth(rows, "system_s"),
              "first_system_growth_exponent": _growth(rows, "first_system_s")}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"Fresh memory written once, in a new process per size ({args.repeat} runs each; system seconds of the "
          "first run, of the cheapest, and per GB of the cheapest):")
    print(f"  {'GB':>5}  {'first':>7}  {'cheapest':>8}  {'per GB':>7}  {'user s':>7}  {'faults':>9}")
    for r in rows:
        print(f"  {r['gb']:>5g}  {r['first_system_s']:>7.2f}  {r['system_s']:>8.2f}  {r['system_s'] / r['gb']:>7.2f}"
              f"  {r['user_s']:>7.2f}  {r['faults']:>9,}")
    for key, what in (("first_system_growth_exponent", "first runs"), ("system_growth_exponent", "cheapest")):
        if report[key] is not None:
            print(f"  growth exponent of the system time, {rows[0]['gb']:g} -> {rows[-1]['gb']:g} GB, {what}: "
                  f"{report[key]:.2f} (1.00 where every page costs the same)")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
