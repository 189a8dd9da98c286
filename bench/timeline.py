#!/usr/bin/env python3
"""Who does what, when: a timeline of every process of one `build` (issue 16, the all-8 orchestration).

Runs `olxkit.build.build(project, out, instances=…, jobs=…)` in this process with the build's steps wrapped:
each call records (process, step, label, start, end, CPU used) into a shared file, from the parent, the catalog
prefetch children and the variant workers alike (they are forked: they inherit the wrappers). Then it prints, per
process, its steps in order, its busy and idle time, and a bar chart of the two (or more) cores over the wall
time — where a core waits for the other, and for what.

    PYTHONPATH=$PWD python bench/timeline.py PROJECT [--instances it] [-j 2] [--json]

The wrappers cost a few microseconds a call (the steps are each tens of milliseconds or more).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

STEPS = [
    # ("module" or "module:Class", attribute, step name, how to label a call)
    ("olxkit.build", "load_course_with_warnings", "course read", None),
    ("olxkit.build", "lint_course", "lint", None),
    ("olxkit.i18n.gate", "scan_translations", "catalog read", "path"),
    ("olxkit.i18n.gate", "gate", "gate", "rel"),
    ("olxkit.i18n.variant:TablePrefetch", "tables", "tables unpickled", "codes"),
    ("olxkit.build", "load_tables", "catalogs read+gated", "codes"),
    ("olxkit.build", "make_variant", "walk", "instance"),
    ("olxkit.build", "export_olx", "export", None),
    ("olxkit.build", "write_files", "tree written", None),
    ("olxkit.build", "archive_bytes", "archive", None),
    ("olxkit.parallel:Forked", "result", "waiting for a child", None),
    ("olxkit.build", "write_atomic", "archive written", None),
    ("olxkit.build", "update_manifest", "manifest", None),
]


def _label(how, args):
    if how == "path":
        return Path(str(args[0])).name
    if how == "rel":
        return Path(str(args[1])).name if len(args) > 1 else ""
    if how == "codes":
        return ",".join(args[-1]) if args and isinstance(args[-1], list) else ""
    if how == "instance":
        return getattr(args[1], "id", "")
    return ""


def instrument(log_path: str) -> None:
    """Wrap every step of STEPS so that each call appends one JSON line to `log_path`."""
    import importlib

    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def wrap(func, step, how):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                event = {"pid": os.getpid(), "step": step, "label": _label(how, args), "start": start,
                         "end": time.perf_counter(), "cpu": time.process_time() - cpu}
                os.write(fd, (json.dumps(event) + "\n").encode())

        return timed

    for where, name, step, how in STEPS:
        module_name, _, cls = where.partition(":")
        owner = importlib.import_module(module_name)
        if cls:
            owner = getattr(owner, cls)
        setattr(owner, name, wrap(getattr(owner, name), step, how))


def report(log_path: str, t0: float, t1: float, processes: dict[int, str]) -> dict:
    events = [json.loads(line) for line in Path(log_path).read_text().splitlines() if line.strip()]
    by_pid: dict[int, list[dict]] = {}
    for e in events:
        by_pid.setdefault(e["pid"], []).append(e)
    out = {"wall_s": t1 - t0, "processes": []}
    for pid, evs in sorted(by_pid.items(), key=lambda kv: min(e["start"] for e in kv[1])):
        evs.sort(key=lambda e: (e["start"], -e["end"]))
        # Top-level intervals only (a step inside another is shown indented, not counted twice).
        top, nested = [], []
        for e in evs:
            if top and e["end"] <= top[-1]["end"] + 1e-9 and e["start"] >= top[-1]["start"]:
                nested.append(e)
                e["nested"] = True
            else:
                top.append(e)
        waiting = sum(e["end"] - e["start"] for e in top if e["step"] == "waiting for a child")
        first, last = min(e["start"] for e in evs), max(e["end"] for e in evs)
        out["processes"].append({"pid": pid, "role": processes.get(pid, "child"), "first": first - t0,
                                 "last": last - t0, "waiting_s": waiting,
                                 "events": [{k: (round(v - t0, 3) if k in ("start", "end") else v)
                                             for k, v in e.items() if k != "pid"} for e in evs]})
    return out


def print_report(data: dict) -> None:
    wall = data["wall_s"]
    print(f"wall {wall:.2f} s")
    width = 100
    for proc in data["processes"]:
        print(f"\n== pid {proc['pid']} ({proc['role']}): first step at {proc['first']:.2f} s, last ends at "
              f"{proc['last']:.2f} s, waiting for a child {proc['waiting_s']:.2f} s")
        bar = [" "] * width
        for e in proc["events"]:
            if e.get("nested"):
                continue
            mark = "." if e["step"] == "waiting for a child" else e["step"][0]
            for i in range(int(e["start"] / wall * width), max(int(e["start"] / wall * width) + 1,
                                                                int(e["end"] / wall * width))):
                bar[min(i, width - 1)] = mark
        print("|" + "".join(bar) + "|")
        for e in proc["events"]:
            indent = "    " if e.get("nested") else "  "
            print(f"{indent}{e['start']:7.2f} – {e['end']:7.2f}  {e['end'] - e['start']:6.2f} s wall "
                  f"{e['cpu']:6.2f} s CPU  {e['step']} {e['label']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project")
    ap.add_argument("--instances", help="comma-separated instance ids (default: every instance)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", help="output folder (default: a new folder beside PROJECT, removed after)")
    ap.add_argument("--json", action="store_true", help="print the timeline as one JSON line")
    args = ap.parse_args(argv)
    # Beside the project by default: the bench's projects are in /dev/shm, and writing the trees to a disk
    # instead costs several seconds of system time a variant.
    parent = str(Path(args.project).resolve().parent)
    with tempfile.TemporaryDirectory(prefix="olxkit-timeline-", dir=parent) as tmp:
        log = os.path.join(tmp, "events.jsonl")
        t0 = time.perf_counter()
        instrument(log)
        from olxkit.build import build

        build(args.project, args.out or os.path.join(tmp, "out"),
              instances=args.instances.split(",") if args.instances else None, jobs=args.jobs)
        t1 = time.perf_counter()
        data = report(log, t0, t1, {os.getpid(): "parent"})
        cpu = os.times()
        data["cpu_s"] = cpu.user + cpu.system + cpu.children_user + cpu.children_system
    if args.json:
        print(json.dumps(data))
    else:
        print_report(data)
        print(f"\nCPU (this process and the children it waited for): {data['cpu_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
