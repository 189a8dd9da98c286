#!/usr/bin/env python3
"""Benchmark `olxkit import` against `olxkit build` of the project it writes, at several sizes and two shapes.

Shapes:
  * olxkit: the archive olxkit builds from bench/build_bench.py's synthetic course (html as Markdown renders it,
    single-choice problems, olxkit's url_names): the import must give back a byte-identical archive;
  * studio: a Studio-style export generated here (32-hex url_names, html .xml + .html pairs without a language
    wrapper, problems with Studio's `markdown` attribute and the solution inside the response, a policy with
    Studio's fields).

For each size and shape: the import (a fresh `python -m olxkit import` process: reading, converting, writing,
and the build and comparison the import does to check its own round trip), then `python -m olxkit build` of the
imported project (fresh process, best of N). Prints import / build (target: <= 2.0 at 5,000 components) and the
time per 1,000 components at each size (growth: flat when linear).

    python bench/import_bench.py                # 1,000 / 2,500 / 5,000 components
    python bench/import_bench.py --sizes 500 1000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_bench import CourseGenerator  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RATIO_TARGET = 2.0


def run(args: list[str]) -> tuple[float, float]:
    """Run `python -m olxkit ARGS` in a fresh process: (wall seconds, CPU seconds of it and its workers)."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "olxkit", *args], env=env, stdout=out, stderr=out)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            out.seek(0)
            raise SystemExit(f"olxkit {' '.join(args)} failed:\n{out.read().decode(errors='replace')[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def olxkit_export(components: int, work: Path) -> Path:
    project = work / "source"
    CourseGenerator(components).write(project)
    run(["build", str(project), "-o", str(work / "source-build"), "--no-tree", "--quiet"])
    return next((work / "source-build").glob("*.tar.gz"))


def studio_export(components: int, work: Path, seed: int = 7) -> Path:
    """A Studio-style OLX folder: one html and one problem per unit, 17 units per subsection."""
    rng = random.Random(seed)
    root = work / "studio" / "course"

    def hexname() -> str:
        return f"{rng.getrandbits(128):032x}"

    def put(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    words = ("community", "partner", "need", "prototype", "impact", "budget", "volunteer", "network", "idea",
             "service", "citizen", "test", "story", "evidence", "plan")
    units = max(components // 2, 1)
    chapters = []
    unit = 0
    while unit < units:
        chapter = hexname()
        seqs = []
        for _ in range(3):
            if unit >= units:
                break
            seq = hexname()
            verticals = []
            for _ in range(17):
                if unit >= units:
                    break
                vertical, html, problem = hexname(), hexname(), hexname()
                sentence = " ".join(rng.choice(words) for _ in range(12))
                body = "".join(f"<p>The {sentence} <strong>{rng.choice(words)}</strong> and "
                               f"<a href=\"/jump_to_id/{vertical}\">this unit</a>.</p>\n" for _ in range(8))
                body += "<ul>\n" + "".join(f"<li>{rng.choice(words)} {rng.choice(words)}</li>\n"
                                           for _ in range(4)) + "</ul>\n"
                put(f"html/{html}.xml", f'<html filename="{html}" display_name="Text" editor="visual"/>\n')
                put(f"html/{html}.html", body)
                right, wrong = rng.sample(words, 2)
                put(f"problem/{problem}.xml", (
                    f'<problem display_name="Check {unit}" markdown="&gt;&gt;Pick {right}&lt;&lt;&#10;(x) {right}'
                    f'&#10;( ) {wrong}" max_attempts="2">\n  <multiplechoiceresponse>\n'
                    f"    <label>Pick {right}</label>\n    <choicegroup type=\"MultipleChoice\">\n"
                    f'      <choice correct="true">{right}<choicehint>Yes.</choicehint></choice>\n'
                    f'      <choice correct="false">{wrong}</choice>\n    </choicegroup>\n'
                    "    <solution><div class=\"detailed-solution\"><p>Explanation</p><p>Because.</p></div>"
                    "</solution>\n  </multiplechoiceresponse>\n</problem>\n"))
                put(f"vertical/{vertical}.xml", f'<vertical display_name="Unit {unit}">\n'
                    f'  <html url_name="{html}"/>\n  <problem url_name="{problem}"/>\n</vertical>\n')
                verticals.append(vertical)
                unit += 1
            put(f"sequential/{seq}.xml", f'<sequential display_name="Lesson {len(chapters)}.{len(seqs)}">\n'
                + "".join(f'  <vertical url_name="{v}"/>\n' for v in verticals) + "</sequential>\n")
            seqs.append(seq)
        put(f"chapter/{chapter}.xml", f'<chapter display_name="Module {len(chapters)}">\n'
            + "".join(f'  <sequential url_name="{s}"/>\n' for s in seqs) + "</chapter>\n")
        chapters.append(chapter)
    put("course.xml", '<course url_name="2025" org="Bench" course="B101"/>\n')
    put("course/2025.xml", '<course display_name="Bench course" language="en" start="&quot;2025-01-01T00:00:00+00:00'
        '&quot;">\n' + "".join(f'  <chapter url_name="{c}"/>\n' for c in chapters) + "</course>\n")
    put("policies/2025/policy.json", json.dumps({"course/2025": {
        "display_name": "Bench course", "start": "2025-01-01T00:00:00Z", "language": "en", "showanswer": "finished",
        "rerandomize": "never", "discussion_topics": {"General": {"id": "course"}}, "cert_html_view_enabled": True,
        "tabs": [{"type": "courseware", "name": "Course"}, {"type": "course_info", "name": "Home"}]}}, indent=4))
    put("policies/2025/grading_policy.json", json.dumps({"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.5}}))
    put("about/overview.html", "<p>About the bench course.</p>\n")
    (root / "static").mkdir(parents=True, exist_ok=True)
    (root / "static" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return root


def measure(shape: str, components: int, repeat: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"import-bench-{shape}-{components}-"))
    try:
        source = olxkit_export(components, work) if shape == "olxkit" else studio_export(components, work)
        imports, builds = [], []
        for n in range(repeat):
            project = work / f"imported{n}"
            imports.append(run(["import", str(source), "-o", str(project), "--quiet", "--format", "json"]))
            builds.append(run(["build", str(project), "-o", str(work / f"rebuilt{n}"), "--no-tree", "--quiet"]))
        (import_wall, import_cpu), (build_wall, build_cpu) = min(imports), min(builds)
        same = None
        if shape == "olxkit":
            rebuilt = next((work / "rebuilt0").glob("*.tar.gz"))
            same = rebuilt.read_bytes() == source.read_bytes()
        return {"shape": shape, "components": components, "import_s": import_wall, "build_s": build_wall,
                "import_cpu_s": import_cpu, "build_cpu_s": build_cpu, "ratio": import_wall / build_wall,
                "cpu_ratio": import_cpu / build_cpu, "byte_identical": same}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 5000], help="components per course")
    parser.add_argument("--shapes", nargs="+", default=["olxkit", "studio"], choices=["olxkit", "studio"])
    parser.add_argument("--repeat", type=int, default=2, help="runs per measure (best is kept)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = [measure(shape, size, args.repeat) for shape in args.shapes for size in args.sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'shape':8} {'components':>10} {'import s':>9} {'build s':>8} {'ratio':>6} {'import cpu':>10} "
          f"{'build cpu':>9} {'cpu ratio':>9} {'import cpu/1k':>13}  note")
    for r in results:
        per_k = r["import_cpu_s"] / r["components"] * 1000
        note = "" if r["byte_identical"] is None else ("byte-identical" if r["byte_identical"] else "ARCHIVE DIFFERS")
        print(f"{r['shape']:8} {r['components']:>10} {r['import_s']:>9.2f} {r['build_s']:>8.2f} {r['ratio']:>6.2f} "
              f"{r['import_cpu_s']:>10.2f} {r['build_cpu_s']:>9.2f} {r['cpu_ratio']:>9.2f} {per_k:>13.3f}  {note}")
    for shape in args.shapes:
        rows = [r for r in results if r["shape"] == shape]
        if len(rows) > 1:
            first, last = rows[0], rows[-1]
            growth = (last["import_cpu_s"] / first["import_cpu_s"]) / (last["components"] / first["components"])
            print(f"{shape}: import CPU time grows {growth:.2f}x as fast as the course "
                  f"({first['components']} -> {last['components']} components; 1.00 = linear)")
    worst = max(r["ratio"] for r in results)
    worst_cpu = max(r["cpu_ratio"] for r in results)
    print(f"worst import/build ratio: wall {worst:.2f}, CPU {worst_cpu:.2f} (target <= {RATIO_TARGET}); wall times "
          "on a shared machine are noisy, CPU times less so")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
