"""Linear time on hostile text: seconds per MB for each entry point at several sizes (issue 11).

Each entry point gets the input that made it slow before (quadratic regular expressions): `href=` followed by
spaces in a lesson (build), spaces in a heading before `{#id}` (build), spaces in a paragraph (i18n extract),
a msgstr of `](` (i18n check), a YAML title of spaces (build), an LMS error page of `<` (publish's error reader).
A linear command keeps its seconds per MB flat as the size grows; the last column is the growth from the
smallest to the largest size (1.0 = linear; 2.0 per doubling would be quadratic).

    python bench/security_bench.py            # 0.25, 0.5, 1 and 2 MB
    python bench/security_bench.py --quick    # 0.125 and 0.25 MB (a smoke run, not a measurement)

Each figure has the same command on a 1 KB input (start-up, the rest of the course) taken off; figures are
noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSON = "modules/01-getting-started/01-welcome.md"
INSTANCES = "instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: 2026_T1_IT\n"


def olxkit(*args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "olxkit", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1) or "internal error" in proc.stderr:
        raise SystemExit(f"olxkit {' '.join(args)} failed: {proc.stderr[-500:]}")
    return elapsed


def project(folder: Path, lesson_body: str | None = None, title: str | None = None) -> Path:
    root = folder / "c"
    subprocess.run([sys.executable, "-m", "olxkit", "new", str(root)], env={**os.environ, "PYTHONPATH": str(REPO)},
                   check=True, capture_output=True)
    (root / "course/instances.yaml").write_text(INSTANCES)
    if lesson_body is not None:
        (root / LESSON).write_text(f"---\ntitle: Big\n---\n\n## Unit {{#unit}}\n\nIntro.\n\n{lesson_body}")
    if title is not None:
        course = root / "course/course.yaml"
        course.write_text(course.read_text().replace('title: "My Course"', f'title: "{title}"'))
    return root


def lesson_case(body):
    def run(size: int, folder: Path) -> float:
        root = project(folder, body(size))
        return olxkit("build", str(root), "--no-tree", "-j", "1")
    return run


def extract_case(size: int, folder: Path) -> float:
    root = project(folder, "Some text" + " " * size + "more text.\n")
    return olxkit("i18n", "extract", str(root))


def msgstr_case(size: int, folder: Path) -> float:
    import polib

    root = project(folder)
    olxkit("i18n", "update", str(root))
    po = polib.pofile(str(root / "locale/it.po"))
    po[0].msgstr = "](" * (size // 2)
    po.save()
    return olxkit("i18n", "check", str(root))


def yaml_case(size: int, folder: Path) -> float:
    root = project(folder, title="My" + " " * size + "Course")
    return olxkit("build", str(root), "--no-tree", "-j", "1")


def server_case(size: int, folder: Path) -> float:
    sys.path.insert(0, str(REPO))
    from olxkit.publish.http import Response

    started = time.perf_counter()
    Response(400, {}, b"<" * size).reason()
    Response(400, {}, b"<a " * (size // 3)).reason()
    return time.perf_counter() - started


CASES = {
    "lesson: href= + spaces (build)": lesson_case(lambda n: "<p><a href=" + " " * n + ">x</a></p>\n"),
    "heading: spaces before {#id} (build)": lesson_case(lambda n: "## A heading" + " " * n + "x {#big}\n\nText.\n"),
    "paragraph: spaces (i18n extract)": extract_case,
    "msgstr: ]( repeated (i18n check)": msgstr_case,
    "YAML title: spaces (build)": yaml_case,
    "server error body: < repeated": server_case,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    args = parser.parse_args()
    sizes = [1 << 17, 1 << 18] if args.quick else [1 << 18, 1 << 19, 1 << 20, 1 << 21]
    head = "".join(f"{s / (1 << 20):>9.3g} MB" for s in sizes)
    print(f"{'entry point (seconds per MB)':<40}{head}   growth")
    for name, case in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            base = case(1024, Path(tmp))  # start-up and the rest of the course, taken off each figure
        per_mb = []
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                seconds = case(size, Path(tmp))
            per_mb.append(max(seconds - base, 0.0) / (size / (1 << 20)))
        cells = "".join(f"{v:>12.3f}" for v in per_mb)
        growth = per_mb[-1] / per_mb[0] if per_mb[0] > 0 else float("nan")
        print(f"{name:<40}{cells}   {growth:.2f}", flush=True)


if __name__ == "__main__":
    main()
