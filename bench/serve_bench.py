#!/usr/bin/env python3
"""Benchmark `olxkit serve`: from saving a one-paragraph edit to the open page showing it.

For each course (the embedded Social Innovation Academy, and synthetic courses of bench/build_bench.py at several
sizes, 5,000 components by default) it:

  * times one build of the instance (`olxkit build --instance ID --no-tree -j 1`, a fresh process);
  * starts `olxkit serve` (a fresh process) and times the first unit page served, from the process start;
  * makes N one-paragraph edits to one lesson, each time waiting for the server-sent `reload` event an open page
    gets, then fetching the page and checking the edit is on it: edit → page latency, p50 and p95;
  * reads how many lessons the server re-parsed for each edit (its /__olxkit__/status), and its peak RSS.

Targets (issue 12): p95 ≤ 300 ms on the embedded course, ≤ 1 s at 5,000 components; first page ≤ one build of
that instance; peak RSS ≤ 400 MB at 5,000 components. On a shared machine the figures are noisy: say so.
Run `python bench/serve_bench.py --help`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from build_bench import CourseGenerator  # noqa: E402

TARGET_P95 = {"embedded": 0.300, 5000: 1.0}
PEAK_MB_TARGET = 400.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PYCACHE = Path(tempfile.gettempdir()) / f"olxkit-serve-bench-pycache-{os.getuid()}"


def env(root: Path = REPO) -> dict:
    # As a user runs olxkit once pip has installed it: with its modules' bytecode compiled (a fresh clone's
    # first run compiles them; that is not what a preview or a build costs). `root`: the olxkit to run.
    out = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONPYCACHEPREFIX=str(PYCACHE))
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_build(project: Path, instance: str, out: Path, root: Path = REPO) -> tuple[float, float]:
    """Wall and CPU seconds of one build of `instance` (a fresh process)."""
    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "-m", "olxkit", "build", str(project), "--instance", instance, "-o", str(out),
                    "--no-tree", "-j", "1", "--quiet"], check=True, env=env(root), capture_output=True, cwd=root)
    return time.perf_counter() - started, children_cpu() - cpu


def start_server(project: Path, instance: str, root: Path = REPO) -> tuple[subprocess.Popen, str, str, float, float]:
    """`olxkit serve` in a fresh process, and the first unit page of the first lesson fetched from it: the
    process, the base URL, the page's URL, and the wall and CPU seconds from the start to the page's last byte."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "olxkit", "serve", str(project), "--port", str(port),
                             "--instance", instance], env=env(root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=root)  # `-m` puts the working folder first on sys.path: run from the olxkit measured
    base = f"http://127.0.0.1:{port}"
    _lesson, lesson_id = lesson_to_edit(project)
    try:
        while True:
            try:
                status, outline = fetch(f"{base}/")
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.005)
        unit_url = re.search(rf'href="(/[^/"]+/unit/{re.escape(lesson_id)}/[^"]+)"', outline).group(1)
        status, _page = fetch(base + unit_url)
        wall, cpu = time.perf_counter() - started, process_cpu(proc.pid)
        assert status == 200, status
    except BaseException:
        stop_server(proc)
        raise
    return proc, base, unit_url, wall, cpu


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def first_page(project: Path, instance: str, runs: int, work: Path, olxkits: dict[str, Path]) -> list[dict]:
    """One build and the first page served, `runs` times in turn, for each olxkit in `olxkits` (label → the folder
    holding its package; several alternate within every run): medians (wall and CPU seconds), and each run's."""
    builds: dict[str, list] = {label: [] for label in olxkits}
    pages: dict[str, list] = {label: [] for label in olxkits}
    for _ in range(runs):
        for label, root in olxkits.items():
            builds[label].append(time_build(project, instance, work / f"build-first-{instance}", root))
            proc, *_rest, wall, cpu = start_server(project, instance, root)
            stop_server(proc)
            pages[label].append((wall, cpu))
    out = []
    for label in olxkits:
        b, p = builds[label], pages[label]
        out.append({"instance": instance, "olxkit": label, "runs": runs,
                    "build_s": round(statistics.median(x[0] for x in b), 3),
                    "build_cpu_s": round(statistics.median(x[1] for x in b), 3),
                    "first_page_s": round(statistics.median(x[0] for x in p), 3),
                    "first_page_cpu_s": round(statistics.median(x[1] for x in p), 3),
                    "page_le_build": sum(x[0] <= y[0] for x, y in zip(p, b, strict=True)),
                    "page_cpu_le_build": sum(x[1] <= y[1] for x, y in zip(p, b, strict=True)),
                    "runs_cpu": [[round(y[1], 3), round(x[1], 3)] for x, y in zip(p, b, strict=True)]})
    return out


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""


class Events(threading.Thread):
    """An open page's server-sent events, read in the background into a queue of (event, data)."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.events: queue.Queue = queue.Queue()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        conn.request("GET", "/__olxkit__/events")
        response = conn.getresponse()
        name, data = "message", ""
        while True:
            line = response.fp.readline()
            if not line:
                return
            line = line.decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif not line and data:
                self.events.put((name, json.loads(data)))
                name, data = "message", ""

    def next_version(self, after: int, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            name, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if name == "broken":
                raise RuntimeError(f"the edit broke the course: {data['findings'][:2]}")
            if name == "reload" and data["version"] > after:
                return data


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def lesson_to_edit(project: Path) -> tuple[Path, str]:
    """The first lesson of the first module, and its lesson id."""
    modules = sorted((project / "modules").iterdir())
    lesson = sorted(p for p in modules[0].glob("*.md"))[0]
    match = re.search(r"^id:\s*(\S+)", lesson.read_text(encoding="utf-8"), re.MULTILINE)
    return lesson, match.group(1) if match else re.sub(r"^\d+[-_]", "", lesson.stem).lower()


def first_paragraph(text: str) -> int:
    """Offset of the first prose paragraph after the first unit heading."""
    heading = re.search(r"^## .*$", text, re.MULTILINE)
    for match in re.finditer(r"^[A-Z][^\n]{20,}$", text[heading.end():], re.MULTILINE):
        return heading.end() + match.start()
    raise RuntimeError("no paragraph to edit")


def measure(name: str, project: Path, instance: str, edits: int, work: Path) -> dict:
    build_s, build_cpu_s = time_build(project, instance, work / f"build-{name}")
    lesson, _lesson_id = lesson_to_edit(project)
    proc, base, unit_url, first_page_s, first_page_cpu_s = start_server(project, instance)
    port = int(base.rsplit(":", 1)[1])
    try:
        events = Events(port)
        events.start()
        time.sleep(0.3)
        # The open page asked for news: the server reads the lessons it had read for the outline only, then
        # watches. Edits are timed from then on (an edit before would be read with the rest of the course).
        deadline = time.monotonic() + 120
        while json.loads(fetch(f"{base}/__olxkit__/status")[1]).get("outline_only") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the watcher's start (an edit before it is caught up by modification time: two reloads)
        version = json.loads(fetch(f"{base}/__olxkit__/status")[1])["version"]
        original = lesson.read_text(encoding="utf-8")
        at = first_paragraph(original)
        latencies, reparsed = [], []
        for n in range(edits):
            token = f"Edited{n}x{os.getpid()}"
            text = original[:at] + token + " " + original[at:]
            t0 = time.perf_counter()
            lesson.write_text(text, encoding="utf-8")
            news = events.next_version(version)
            status, page = fetch(base + unit_url)
            latencies.append(time.perf_counter() - t0)
            if status != 200 or token not in page:
                raise RuntimeError(f"edit {n}: the page does not show it (HTTP {status})")
            version = news["version"]
            reparsed.append(len(news["reparsed"]))
            time.sleep(0.05)
        lesson.write_text(original, encoding="utf-8")
        peak = peak_rss_mb(proc.pid)
    finally:
        stop_server(proc)
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    return {"course": name, "build_s": round(build_s, 3), "first_page_s": round(first_page_s, 3),
            "build_cpu_s": round(build_cpu_s, 3), "first_page_cpu_s": round(first_page_cpu_s, 3),
            "p50_ms": round(statistics.median(latencies) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1), "reparsed_per_edit": sorted(set(reparsed)),
            "lessons": len(list((project / "modules").glob("*/*.md"))), "peak_rss_mb": round(peak, 1),
            "exit_code": proc.returncode}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000",
                    help="synthetic course sizes in components, comma-separated (default %(default)s; '' for none)")
    ap.add_argument("--edits", type=int, default=20, help="edits per course (default %(default)s)")
    ap.add_argument("--instances", default="en,it",
                    help="instances of the embedded course to measure, comma-separated (default %(default)s)")
    ap.add_argument("--first-page-runs", type=int, default=5,
                    help="first page vs one build of the embedded course's instances: builds and first pages in "
                    "turn, this many of each (default %(default)s; 0 to skip)")
    ap.add_argument("--olxkit-rev", metavar="REV",
                    help="first pages: also olxkit as committed at REV (e.g. main; a read-only `git archive` "
                    "snapshot), alternating with this tree's in every run (old vs new in one sitting)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="olxkit-serve-bench-"))
    results, firsts = [], []
    instances = [i.strip() for i in args.instances.split(",") if i.strip()]
    try:
        # Compiled once, as pip does when it installs olxkit.
        olxkits = {"this tree": REPO}
        if args.olxkit_rev:
            from build_bench import snapshot_olxkit

            commit = snapshot_olxkit(args.olxkit_rev, work / "olxkit-rev")
            olxkits = {f"{args.olxkit_rev} ({commit})": work / "olxkit-rev", **olxkits}
        for root in olxkits.values():
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "olxkit")], env=env(root), check=True)
        embedded = work / "embedded"
        for name in ("course", "modules", "locale"):
            shutil.copytree(REPO / name, embedded / name)
        for instance in instances if args.first_page_runs > 0 else []:
            print(f"embedded course, instance {instance}: first page vs build ×{args.first_page_runs} …",
                  file=sys.stderr, flush=True)
            firsts += first_page(embedded, instance, args.first_page_runs, work, olxkits)
        for instance in instances if args.edits > 0 else []:
            print(f"embedded course, instance {instance} …", file=sys.stderr, flush=True)
            results.append(measure(f"embedded-{instance}", embedded, instance, args.edits, work))
        for size in [int(s) for s in args.sizes.split(",") if s.strip()] if args.edits > 0 else []:
            project = work / f"synthetic-{size}"
            print(f"synthetic course, {size} components …", file=sys.stderr, flush=True)
            CourseGenerator(size).write(project)
            results.append(measure(str(size), project, "en", args.edits, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"first_page": firsts, "edits": results}, indent=2))
        return 0
    if firsts:
        print(f"first page vs one build, embedded course (medians of {args.first_page_runs} runs in turn; wall "
              "and CPU seconds; the machine may be shared: CPU is the steadier figure)")
        print(f"{'instance':>9} {'build':>7} {'page':>7} {'build CPU':>10} {'page CPU':>9}  page ≤ build (runs)"
              "  olxkit")
        for f in firsts:
            print(f"{f['instance']:>9} {f['build_s']:>6.2f}s {f['first_page_s']:>6.2f}s {f['build_cpu_s']:>9.2f}s "
                  f"{f['first_page_cpu_s']:>8.2f}s  wall {f['page_le_build']}/{f['runs']}, "
                  f"CPU {f['page_cpu_le_build']}/{f['runs']}  {f['olxkit']}")
            print(f"{'':>9} CPU each run (build, page): "
                  + " ".join(f"{b:.2f}/{p:.2f}" for b, p in f["runs_cpu"]))
        print()
    if not results:
        return 0
    print(f"{'course':>11} {'lessons':>7} {'build':>7} {'1st page':>8} {'p50':>8} {'p95':>8} {'max':>8} "
          f"{'re-parsed':>9} {'peak RSS':>9}")
    for r in results:
        print(f"{r['course']:>11} {r['lessons']:>7} {r['build_s']:>6.2f}s {r['first_page_s']:>7.2f}s "
              f"{r['p50_ms']:>6.0f}ms {r['p95_ms']:>6.0f}ms {r['max_ms']:>6.0f}ms "
              f"{','.join(map(str, r['reparsed_per_edit'])):>9} {r['peak_rss_mb']:>7.0f}MB")
    print()
    for r in results:
        key = "embedded" if r["course"].startswith("embedded") else int(r["course"])
        verdicts = [f"first page {'≤' if r['first_page_s'] <= r['build_s'] else '>'} one build"]
        if key in TARGET_P95:
            target = TARGET_P95[key] * 1000
            verdicts.append(f"p95 {r['p95_ms']:.0f} ms {'≤' if r['p95_ms'] <= target else '>'} {target:.0f} ms")
        if key == 5000:
            verdicts.append(f"peak {r['peak_rss_mb']:.0f} MB {'≤' if r['peak_rss_mb'] <= PEAK_MB_TARGET else '>'} "
                            f"{PEAK_MB_TARGET:.0f} MB")
        print(f"{r['course']}: " + "; ".join(verdicts))
    synthetic = [r for r in results if not r["course"].startswith("embedded")]
    if len(synthetic) >= 2:
        a, b = synthetic[0], synthetic[-1]
        print(f"growth {a['course']} → {b['course']} components: p50 ×{b['p50_ms'] / a['p50_ms']:.1f}, "
              f"first page ×{b['first_page_s'] / a['first_page_s']:.1f}, "
              f"peak RSS ×{b['peak_rss_mb'] / a['peak_rss_mb']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
