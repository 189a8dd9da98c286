#!/usr/bin/env python3
"""Benchmark olxkit's build against the floor work any course compiler must do.

Generates a synthetic, valid course project (7 modules, graded quizzes, a final exam, one html part and one
single-choice problem per unit, ~2.4 KB of Markdown per unit, i.e. ~6.1 MB at 5,000 components), then measures
side by side, best of N:

  * olxkit's full build, `olxkit.build.build(project, out, tree=True)` and with `tree=False`, each in a fresh
    `python -c` subprocess (start-up and imports included), with the child's peak RSS from os.wait4();
  * markdown-it-py alone, `MarkdownIt("commonmark").enable("table")`, rendering every lesson body, in-process;
  * the system `tar czf` on the OLX tree the build wrote;
  * ratio = build / (render + tar), against the targets ratio <= 2.0 and peak memory <= 300 MB at 5,000 components.

Stdlib + olxkit's own dependencies only. Run `python bench/build_bench.py --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

RATIO_TARGET = 2.0
PEAK_MB_TARGET = 300.0
TARGET_COMPONENTS = 5000
MODULES = 7
UNITS_PER_LESSON = 17  # 2,499 units in 147 lessons, as in docs/performance.md's synthetic course
BYTES_PER_UNIT = 2400  # 6.1 MB of Markdown for 2,499 units (html part ~1.7 KB + problem YAML ~0.7 KB)

# --------------------------------------------------------------------------------------------------------------
# Synthetic course
# --------------------------------------------------------------------------------------------------------------

MODULE_TOPICS = [
    ("what-is-social-innovation", "What social innovation is"),
    ("understanding-needs", "Understanding needs"),
    ("ideation-and-prototyping", "Ideation and prototyping"),
    ("business-models", "Business models for social impact"),
    ("financing", "Financing social innovation"),
    ("scaling-and-partnerships", "Scaling and partnerships"),
    ("measuring-social-impact", "Measuring social impact"),
]

TOPIC_WORDS = [
    "community", "co-design", "stakeholder", "social enterprise", "municipality", "volunteer network",
    "impact investor", "theory of change", "pilot project", "care cooperative", "public procurement",
    "citizen assembly", "micro-grant", "time bank", "living lab", "social return", "outcome indicator",
    "local partner", "housing project", "employment scheme", "digital inclusion", "food bank", "youth council",
    "neighbourhood association", "circular economy", "crowdfunding campaign", "feedback loop", "service blueprint",
]
SUBJECTS = [
    "The team", "A local association", "The city council", "Every partner", "The funder", "A social entrepreneur",
    "The steering group", "Young volunteers", "The evaluation officer", "Residents", "The project coordinator",
    "A regional network", "The cooperative", "Community members", "The pilot group",
]
VERBS = [
    "maps", "tests", "documents", "shares", "reviews", "compares", "measures", "discusses", "designs", "funds",
    "prototypes", "supports", "questions", "explains", "negotiates", "improves", "prioritises", "describes",
]
ADJECTIVES = [
    "local", "shared", "simple", "measurable", "inclusive", "early", "realistic", "small", "open", "fair",
    "sustainable", "practical", "clear", "low-cost", "long-term", "participatory",
]
ADJUNCTS = [
    "before the first meeting", "with people who use the service", "over the first six months",
    "in a short written report", "at the end of each cycle", "together with the municipality",
    "without a large budget", "in plain language", "so that others can learn from it",
    "during the pilot phase", "for every target group", "in the next funding round",
    "with a simple spreadsheet", "as the project grows", "in small, visible steps",
]
CONNECTORS = ["However,", "In practice,", "For example,", "As a result,", "In many cases,", "At this stage,",
              "Above all,", "Later,", "In the same way,", "By contrast,"]
INLINE_MATH = [r"$\frac{a}{b}$", r"$x_i$", r"$n \times p$", r"$\sum_i w_i s_i$", r"$\bar{x}$", r"$r \ge q$",
               r"$\sqrt{n}$", r"$p < q$"]
DISPLAY_MATH = [
    r"\text{SROI} = \frac{\text{present value of benefits}}{\text{value of investment}}",
    r"\text{reach} = \sum_{i=1}^{n} p_i \cdot c_i",
    r"\Delta = \frac{y_{after} - y_{before}}{y_{before}}",
    r"\text{cost per outcome} = \frac{C}{N \cdot r}",
]
CODE_SNIPPETS = [
    ("text", ["Need -> Idea -> Prototype -> Test -> Scale", "   ^                          |",
              "   +--------- learn ----------+"]),
    ("python", ["participants = 120", "completed = 87", "print(f\"completion rate: {completed / participants:.0%}\")"]),
]


def _title(words: list[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass
class LessonPlan:
    module: int  # 1-based
    number: int  # 1-based within the module
    folder: str
    file: str
    id: str
    title: str
    graded: str | None  # assignment type, or None
    unit_ids: list[str] = field(default_factory=list)
    unit_titles: list[str] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return f"modules/{self.folder}/{self.file}"


class CourseGenerator:
    """Writes a deterministic, valid course project with `components` components (two per unit)."""

    def __init__(self, components: int, seed: int = 20260202, bytes_per_unit: int = BYTES_PER_UNIT):
        self.rng = random.Random(seed)
        self.units = max(components // 2, 2 * MODULES + 1)
        self.bytes_per_unit = bytes_per_unit
        self.lessons: list[LessonPlan] = []
        self.folders: list[str] = []
        self.images = [f"images/diagram-{i}.svg" for i in range(1, 5)]
        self.files = ["docs/worksheet.pdf", "docs/glossary.pdf"]

    # -- structure ---------------------------------------------------------------------------------------------
    def plan(self) -> None:
        rng = self.rng
        n_lessons = max(2 * MODULES + 1, round(self.units / UNITS_PER_LESSON))
        per_module = [n_lessons // MODULES + (1 if m < n_lessons % MODULES else 0) for m in range(MODULES)]
        per_module.reverse()  # the last module, which also holds the final exam, gets the extra lesson
        units_left = self.units
        for m, (slug, _module_title) in enumerate(MODULE_TOPICS, start=1):
            folder = f"{m:02d}-{slug}"
            self.folders.append(folder)
            count = per_module[m - 1]
            for k in range(1, count + 1):
                graded = None
                if m == MODULES and k == count:
                    graded = "Final exam"
                elif k == count - (1 if m == MODULES else 0):
                    graded = "Module quiz"
                if graded == "Final exam":
                    name, title = "final-exam", "Final exam"
                elif graded:
                    name, title = "quiz", f"Module {m} quiz"
                else:
                    words = rng.sample(TOPIC_WORDS, 2)
                    name = "-".join(w.replace(" ", "-") for w in words)
                    title = _title([words[0], "and", words[1]])
                self.lessons.append(LessonPlan(m, k, folder, f"{k:02d}-{name}.md", f"m{m}-l{k:02d}", title,
                                               graded))
        # spread the units evenly over the lessons
        n = len(self.lessons)
        for i, lesson in enumerate(self.lessons):
            count = units_left // (n - i)
            units_left -= count
            for u in range(1, count + 1):
                words = [rng.choice(ADJECTIVES), rng.choice(TOPIC_WORDS)]
                slug = "-".join(w.replace(" ", "-") for w in words)
                lesson.unit_ids.append(f"u{u:02d}-{slug}")
                lesson.unit_titles.append(_title(words))

    # -- text --------------------------------------------------------------------------------------------------
    def link(self, lesson: LessonPlan, unit_index: int) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.35 and len(lesson.unit_ids) > 1:
            j = rng.randrange(len(lesson.unit_ids))
            return f"[{lesson.unit_titles[j].lower()}](#{lesson.unit_ids[j]})"
        other = rng.choice(self.lessons)
        target = other.file if other.folder == lesson.folder else f"../{other.folder}/{other.file}"
        if rng.random() < 0.5:
            j = rng.randrange(len(other.unit_ids))
            return f"[{other.unit_titles[j].lower()}]({target}#{other.unit_ids[j]})"
        if r > 0.9:
            return f"[the {rng.choice(['worksheet', 'glossary'])}](/static/{rng.choice(self.files)})"
        return f"[{other.title.lower()}]({target})"

    def sentence(self, lesson: LessonPlan, unit_index: int, notes: list[str]) -> str:
        rng = self.rng
        obj = f"{rng.choice(['the', 'a', 'each'])} {rng.choice(ADJECTIVES)} {rng.choice(TOPIC_WORDS)}"
        r = rng.random()
        if r < 0.12:
            obj = f"**{obj}**"
        elif r < 0.24:
            obj = f"*{obj}*"
        elif r < 0.28:
            obj = f"`{rng.choice(TOPIC_WORDS).replace(' ', '_')}`"
        parts = [rng.choice(SUBJECTS), rng.choice(VERBS), obj, rng.choice(ADJUNCTS)]
        if rng.random() < 0.25:
            parts.insert(0, rng.choice(CONNECTORS))
            parts[1] = parts[1][0].lower() + parts[1][1:]
        text = " ".join(parts)
        r = rng.random()
        if r < 0.14:
            text += f" (see {self.link(lesson, unit_index)})"
        elif r < 0.20:
            text += f", where {rng.choice(INLINE_MATH)} is the share that matters"
        elif r < 0.23:
            text += " ~~as planned~~ as agreed"
        text += "."
        if rng.random() < 0.03:
            label = f"n{unit_index + 1}-{len(notes) + 1}"
            text += f"[^{label}]"
            notes.append(f"[^{label}]: {rng.choice(SUBJECTS)} {rng.choice(VERBS)} this {rng.choice(ADJUNCTS)}, "
                         f"{rng.randint(2012, 2025)}.")
        return text

    def paragraph(self, lesson, unit_index, notes, lo=3, hi=6) -> str:
        sentences = [self.sentence(lesson, unit_index, notes) for _ in range(self.rng.randint(lo, hi))]
        # wrap like an author would, around 110 columns
        lines, line = [], ""
        for word in " ".join(sentences).split(" "):
            if line and len(line) + 1 + len(word) > 110:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return "\n".join(lines)

    def block(self, lesson, unit_index, notes) -> str:
        """One Markdown block: mostly paragraphs, with lists, tables, math, admonitions, quotes, code, images."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return self.paragraph(lesson, unit_index, notes)
        if r < 0.67:
            return "\n".join(f"- {self.sentence(lesson, unit_index, notes)}" for _ in range(rng.randint(3, 5)))
        if r < 0.75:
            return "\n".join(f"{i}. {self.sentence(lesson, unit_index, notes)}"
                             for i in range(1, rng.randint(3, 5) + 1))
        if r < 0.81:
            rows = ["| Step | Who | What to check |", "|---|---|---|"]
            for i in range(1, rng.randint(3, 5) + 1):
                rows.append(f"| {i} | {rng.choice(SUBJECTS)} | {rng.choice(ADJECTIVES)} "
                            f"{rng.choice(TOPIC_WORDS)} {rng.choice(ADJUNCTS)} |")
            return "\n".join(rows)
        if r < 0.86:
            return f"$$\n{rng.choice(DISPLAY_MATH)}\n$$"
        if r < 0.91:
            kind = rng.choice(["note", "tip", "warning"])
            body = self.paragraph(lesson, unit_index, notes, 1, 2)
            return f'!!! {kind} "{_title([rng.choice(ADJECTIVES), "reminder"])}"\n' + "\n".join(
                "    " + line for line in body.split("\n"))
        if r < 0.95:
            body = self.paragraph(lesson, unit_index, notes, 1, 3)
            return "\n".join("> " + line for line in body.split("\n"))
        if r < 0.97:
            lang, lines = rng.choice(CODE_SNIPPETS)
            return f"```{lang}\n" + "\n".join(lines) + "\n```"
        image = rng.choice(self.images)
        return f"![Diagram: {rng.choice(ADJECTIVES)} {rng.choice(TOPIC_WORDS)} and its partners]" \
               f"(../../course/static/{image})"

    def problem(self, lesson, unit_index) -> str:
        rng = self.rng
        topic = rng.choice(TOPIC_WORDS)
        n_choices = rng.randint(3, 4)
        correct = rng.randrange(n_choices)
        lines = [
            "```problem",
            f"id: q-{unit_index + 1:02d}",
            f"title: Check your understanding of the {topic}",
            "type: single-choice",
            "prompt: |",
            f"  Which statement best describes the role of a *{topic}* in a {rng.choice(ADJECTIVES)} project",
            f"  that {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} {rng.choice(ADJUNCTS)}?",
            "choices:",
        ]
        texts: set[str] = set()
        for c in range(n_choices):
            text = ""
            while not text or text in texts:  # olxkit rejects a choice listed twice (PRB003); rare, so a redraw
                text = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} "
                        f"{rng.choice(TOPIC_WORDS)} {rng.choice(ADJUNCTS)}.")
            texts.add(text)
            lines.append(f"  - text: {text}")
            if c == correct:
                lines.append("    correct: true")
                lines.append(f"    feedback: Yes. This is how the lesson describes the {topic}.")
            elif rng.random() < 0.7:
                lines.append("    feedback: |")
                lines.append(f"      Not quite. Go back to the unit and look at how {rng.choice(SUBJECTS).lower()}")
                lines.append(f"      {rng.choice(VERBS)} the {rng.choice(TOPIC_WORDS)}.")
        if rng.random() < 0.5:
            lines.append("shuffle: true")
        lines += [
            "hints:",
            f"  - Think about *who* {rng.choice(VERBS)} the {rng.choice(TOPIC_WORDS)} and *when*.",
            "explanation: |",
            f"  The lesson explains that {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} the "
            f"**{topic}** {rng.choice(ADJUNCTS)},",
            f"  because a {rng.choice(ADJECTIVES)} {rng.choice(TOPIC_WORDS)} depends on it.",
            "```",
        ]
        return "\n".join(lines)

    def lesson_text(self, lesson: LessonPlan) -> str:
        rng = self.rng
        out = ["---", f'title: "{lesson.title}"', f"id: {lesson.id}"]
        if lesson.graded:
            out += ["graded: true", f"format: {lesson.graded}"]
        out += ["---", ""]
        for u, (uid, title) in enumerate(zip(lesson.unit_ids, lesson.unit_titles, strict=True)):
            start = sum(len(s) + 1 for s in out)
            notes: list[str] = []
            problem = self.problem(lesson, u)
            target = self.bytes_per_unit * rng.uniform(0.8, 1.2) - len(problem)
            out += [f"## {title} {{#{uid}}}", ""]
            out += [self.paragraph(lesson, u, notes), ""]
            size = sum(len(s) + 1 for s in out) - start
            while size < target:
                block_notes: list[str] = []
                block = self.block(lesson, u, block_notes)
                if size + len(block) - target > target - size:
                    break  # stop nearest to the target: keeps the mean size per unit on target
                notes += block_notes
                out += [block, ""]
                size += len(block) + 2
            if notes:
                out += notes + [""]
            out += [problem, ""]
        return "\n".join(out)

    # -- files -------------------------------------------------------------------------------------------------
    def write(self, root: Path) -> dict:
        self.plan()
        static = root / "course" / "static"
        (static / "images").mkdir(parents=True)
        (static / "docs").mkdir()
        (static / "images" / "course-card.png").write_bytes(_png())
        for rel in self.images:
            (static / rel).write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                      '<rect width="10" height="10"/></svg>\n')
        for rel in self.files:
            (static / rel).write_bytes(b"%PDF-1.4\n% synthetic\n%%EOF\n")
        modules_yaml = "\n".join(f"  - {f}" for f in self.folders)
        (root / "course" / "course.yaml").write_text(f"""\
org: BenchOrg
number: BENCH101
run: 2026_T1
title: Synthetic Social Innovation Course
language: en
start: 2026-02-02
end: 2026-07-31
enrollment:
  start: 2026-01-12
  end: 2026-06-30
self_paced: true
about:
  short_description: A synthetic seven-module course used to benchmark olxkit.
  effort: "3 hours/week"
  duration: "7 weeks"
  image: images/course-card.png
grading:
  pass: 0.6
  assignments:
    - type: Module quiz
      short_label: Quiz
      weight: 70
      drop: 1
    - type: Final exam
      short_label: Final
      weight: 30
problems:
  max_attempts: 2
  showanswer: finished
  show_reset_button: false
modules:
{modules_yaml}
""")
        (root / "course" / "about.md").write_text(
            "This synthetic course exists to **benchmark** olxkit. It has seven modules, a quiz per module and a "
            "final exam.\n\n- Effort: 3 hours/week\n- Certificate: yes\n")
        (root / "course" / "handouts.md").write_text(
            "- [Worksheet](static/docs/worksheet.pdf)\n- [Glossary](static/docs/glossary.pdf)\n")
        md_bytes = 0
        for m, (slug, title) in enumerate(MODULE_TOPICS, start=1):
            folder = root / "modules" / self.folders[m - 1]
            folder.mkdir(parents=True)
            lessons = [lesson for lesson in self.lessons if lesson.module == m]
            (folder / "module.yaml").write_text(
                f"title: {title}\nid: m{m}-{slug}\nlessons:\n" + "".join(f"  - {x.file}\n" for x in lessons))
            for lesson in lessons:
                data = self.lesson_text(lesson).encode("utf-8")
                md_bytes += len(data)
                (folder / lesson.file).write_bytes(data)
        return {
            "modules": MODULES, "lessons": len(self.lessons), "units": self.units,
            "components_expected": 2 * self.units, "markdown_bytes": md_bytes,
        }


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------------------

BUILD_CHILD = """\
import json, sys
from olxkit.build import build
report = build(sys.argv[1], sys.argv[2], tree=sys.argv[3] == "1")
results = getattr(report, "results", report)  # a BuildReport (newer olxkit) or a list of BuildResult
warnings = getattr(report, "warnings", None) or getattr(results[0], "warnings", [])
import olxkit
print(json.dumps(dict(results[0].as_dict(), builds=len(results), warning_count=len(warnings),
                      olxkit_file=olxkit.__file__)))
"""


CHILD_CWD: Path | None = None
"""Children run in the work folder, so `python -c` cannot import olxkit from the caller's current folder."""


def run_child(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, child's peak RSS in MB, stdout). Raises on failure."""
    wall, _cpu, peak, stdout = run_child_cpu(args, cwd)
    return wall, peak, stdout


def run_child_cpu(args: list[str], cwd: Path | None = None) -> tuple[float, float, float, str]:
    """Run a command; return (wall s, CPU s (user + system of the child and the children it waited for), peak RSS
    in MB, stdout). Raises on failure."""
    cwd = cwd or CHILD_CWD
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} {args[1] if len(args) > 1 else ''} … exited with "
                           f"{proc.returncode}:\n{stderr[-4000:]}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return wall, usage.ru_utime + usage.ru_stime, peak, stdout


def time_build(python: str, project: Path, out: Path, tree: bool) -> tuple[float, float, float, dict]:
    """(wall s, CPU s, peak MB, the build's result) of one build in a fresh child."""
    wall, cpu, peak, stdout = run_child_cpu([python, "-c", BUILD_CHILD, str(project), str(out), "1" if tree else "0"])
    return wall, cpu, peak, json.loads(stdout.strip().splitlines()[-1])


def load_bodies(project: Path) -> list[str]:
    """Every lesson body (front matter stripped), in course order."""
    bodies = []
    for path in sorted((project / "modules").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            end = text.find("\n---\n", 3)
            text = text[end + 5:] if end >= 0 else text
        bodies.append(text)
    return bodies


def time_render(bodies: list[str]) -> float:
    return time_render_cpu(bodies)[0]


def time_render_cpu(bodies: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of rendering every lesson body with markdown-it-py, in this process."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    t0, c0 = time.perf_counter(), time.process_time()
    for body in bodies:
        md.render(body)
    return time.perf_counter() - t0, time.process_time() - c0


def time_tar(tree: Path, dest: Path) -> tuple[float, float]:
    """(wall s, CPU s) of the system tar czf of `tree`."""
    wall, cpu, _peak, _out = run_child_cpu(["tar", "czf", str(dest), "-C", str(tree.parent), tree.name])
    return wall, cpu


def snapshot_olxkit(rev: str, dest: Path) -> str:
    """Extract olxkit/ as committed at `rev` into `dest` (git archive: the repository is only read)."""
    repo = Path(__file__).resolve().parent.parent
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", f"{rev}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    dest.mkdir(parents=True)
    # setup.py too, where the revision has one: it declares the optional C steps (olxkit/i18n/speedups.c).
    has_setup = subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{commit}:setup.py"],
                               capture_output=True).returncode == 0
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", commit, "olxkit"]
                             + (["setup.py"] if has_setup else []), capture_output=True, check=True).stdout
    subprocess.run(["tar", "xf", "-", "-C", str(dest)], input=archive, check=True)
    if has_setup:
        build_extensions(dest)
    return commit


def build_extensions(dest: Path, python: str = sys.executable) -> bool:
    """Compile a snapshot's extensions (its setup.py's) next to its sources, as `pip install` does, so that a
    `--olxkit-rev` run measures what users run. False when no compiler was found: olxkit then runs the steps'
    pure-Python twins, and the note says so."""
    done = subprocess.run([python, "setup.py", "-q", "build_ext", "--inplace"], cwd=dest, capture_output=True,
                          text=True)
    if done.returncode:
        print(f"note: the snapshot's C steps were not compiled, their pure-Python twins are measured:\n"
              f"{done.stderr[-800:]}", file=sys.stderr)
    return done.returncode == 0


def use_olxkit_rev(rev: str, work: Path) -> str:
    """Snapshot olxkit at `rev` under `work` and put it first on the children's PYTHONPATH; returns the commit."""
    commit = snapshot_olxkit(rev, work / "olxkit-src")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(work / "olxkit-src"), os.environ.get("PYTHONPATH")) if p)
    return commit


def use_bytecode_cache(work: Path) -> None:
    """Children write and read compiled bytecode under `work`, even with PYTHONDONTWRITEBYTECODE set.

    pip compiles a package's .pyc files when it installs it, so a user's build never compiles olxkit; a checkout
    or a `--olxkit-rev` snapshot has none, and with writing turned off every timed build would compile all of
    olxkit's modules again, a cost that grows with the lines of source rather than with the work done.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")


def olxkit_commit(python: str) -> str | None:
    """The git commit of the olxkit checkout the build ran (`+dirty` with local changes), if it is one."""
    try:
        _w, _p, where = run_child([python, "-c", "import olxkit, os; print(os.path.dirname(olxkit.__file__))"])
        folder = where.strip()
        head = subprocess.run(["git", "-C", folder, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", folder, "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, RuntimeError, subprocess.CalledProcessError):
        return None


def count_files(folder: Path) -> int:
    return sum(len(files) for _d, _s, files in os.walk(folder))


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", type=int, default=TARGET_COMPONENTS,
                    help="number of components to generate, two per unit (default %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept (default 3)")
    ap.add_argument("--seed", type=int, default=20260202, help="random seed of the synthetic course")
    ap.add_argument("--bytes-per-unit", type=int, default=BYTES_PER_UNIT,
                    help="Markdown bytes per unit, html part + problem YAML (default %(default)s)")
    ap.add_argument("--tmpdir", default=None, help="where to put the project and outputs (default: system temp; "
                    "/dev/shm measures without disk noise)")
    ap.add_argument("--keep", action="store_true", help="keep the generated project and outputs")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the build subprocess")
    ap.add_argument("--olxkit-rev", metavar="REV", help="build with olxkit as committed at REV (e.g. HEAD, a "
                    "branch) instead of the working tree: a read-only `git archive` snapshot put first on "
                    "PYTHONPATH. For stable figures while olxkit/ is being edited, and for A/B comparisons")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="let the build children compile olxkit's "
                    "source on every run when PYTHONDONTWRITEBYTECODE is set (by default they share a bytecode cache "
                    "in the work folder, filled by the warm-up build, as an installed olxkit has its .pyc files)")
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.components < 2:
        ap.error("--repeat must be >= 1 and --components >= 2")
    if os.sep in args.python:  # children run in the work folder: a relative interpreter path would break
        args.python = os.path.abspath(args.python)

    def say(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr, flush=True)

    global CHILD_CWD
    work = Path(tempfile.mkdtemp(prefix="olxkit-bench-", dir=args.tmpdir))
    CHILD_CWD = work
    if not args.no_bytecode_cache:
        use_bytecode_cache(work)
    try:
        commit = None
        if args.olxkit_rev:
            commit = use_olxkit_rev(args.olxkit_rev, work)
            say(f"Using olxkit as committed at {args.olxkit_rev} ({commit})")
        project = work / "project"
        say(f"Generating a {args.components}-component course in {project} …")
        t0 = time.perf_counter()
        shape = CourseGenerator(args.components, args.seed, args.bytes_per_unit).write(project)
        gen_s = time.perf_counter() - t0
        bodies = load_bodies(project)

        say("Warm-up build (checks the project builds; not counted) …")
        warm_s, _warm_cpu, warm_peak, result = time_build(args.python, project, work / "out-warmup", True)
        commit = commit or olxkit_commit(args.python)
        blocks = result["blocks"]
        if result.get("warning_count"):
            say(f"note: the build reported {result['warning_count']} warnings")
        components = sum(v for k, v in blocks.items() if k not in ("course", "chapter", "sequential", "vertical"))
        tree_dir = Path(result["tree"])
        tree_files = count_files(tree_dir)

        samples: dict[str, list[float]] = {k: [] for k in
                                           ("build_tree", "build_notree", "render", "tar", "startup",
                                            "build_tree_cpu", "build_notree_cpu", "render_cpu", "tar_cpu")}
        peaks: dict[str, list[float]] = {"build_tree": [], "build_notree": []}
        for i in range(args.repeat):
            say(f"Run {i + 1}/{args.repeat} …")
            for kind, tree in (("build_tree", True), ("build_notree", False)):
                wall, cpu, peak, _r = time_build(args.python, project, work / f"out-{kind[6:]}-{i}", tree)
                samples[kind].append(wall)
                samples[kind + "_cpu"].append(cpu)
                peaks[kind].append(peak)
            for kind, (wall, cpu) in (("render", time_render_cpu(bodies)),
                                      ("tar", time_tar(tree_dir, work / f"tar-{i}.tar.gz"))):
                samples[kind].append(wall)
                samples[kind + "_cpu"].append(cpu)
            samples["startup"].append(run_child([args.python, "-c", "import olxkit.build"])[0])
        archive_bytes = Path(result["archive"]).stat().st_size
        tar_bytes = (work / "tar-0.tar.gz").stat().st_size
    finally:
        if args.keep:
            say(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    best = {k: min(v) for k, v in samples.items()}
    floor = best["render"] + best["tar"]
    ratio = best["build_tree"] / floor
    ratio_notree = best["build_notree"] / floor
    # CPU of both processes of the build (its export runs in two) against the floor's CPU: steadier than wall time
    # on a busy machine, and higher than the wall ratio since the floor runs on one core.
    floor_cpu = best["render_cpu"] + best["tar_cpu"]
    ratio_cpu = best["build_tree_cpu"] / floor_cpu
    ratio_notree_cpu = best["build_notree_cpu"] / floor_cpu
    peak_mb = max(peaks["build_tree"])
    peak_notree_mb = max(peaks["build_notree"])
    at_target_size = abs(components - TARGET_COMPONENTS) <= 0.05 * TARGET_COMPONENTS
    ratio_ok = ratio <= RATIO_TARGET
    peak_ok = peak_mb <= PEAK_MB_TARGET
    report = {
        "components": components, "components_requested": args.components, "modules": shape["modules"],
        "lessons": shape["lessons"], "units": shape["units"], "markdown_bytes": shape["markdown_bytes"],
        "tree_files": tree_files, "archive_bytes": archive_bytes, "tar_czf_bytes": tar_bytes,
        "repeat": args.repeat, "seed": args.seed,
        "build_tree_s": round(best["build_tree"], 4), "build_notree_s": round(best["build_notree"], 4),
        "render_s": round(best["render"], 4), "tar_s": round(best["tar"], 4), "floor_s": round(floor, 4),
        "startup_import_s": round(best["startup"], 4), "build_warmup_s": round(warm_s, 4),
        "ratio": round(ratio, 3), "ratio_notree": round(ratio_notree, 3),
        "build_tree_cpu_s": round(best["build_tree_cpu"], 4), "build_notree_cpu_s": round(best["build_notree_cpu"], 4),
        "floor_cpu_s": round(floor_cpu, 4), "ratio_cpu": round(ratio_cpu, 3),
        "ratio_notree_cpu": round(ratio_notree_cpu, 3), "load_avg": [round(x, 2) for x in os.getloadavg()],
        "peak_mb": round(peak_mb, 1), "peak_notree_mb": round(peak_notree_mb, 1),
        "targets": {"ratio_max": RATIO_TARGET, "peak_mb_max": PEAK_MB_TARGET, "at_components": TARGET_COMPONENTS},
        "ratio_pass": ratio_ok, "peak_pass": peak_ok, "at_target_size": at_target_size,
        "samples_s": {k: [round(x, 4) for x in v] for k, v in samples.items()},
        "peaks_mb": {k: [round(x, 1) for x in v] for k, v in peaks.items()},
        "build_warnings": result.get("warning_count"), "olxkit_builds": result.get("builds"),
        "olxkit_commit": commit, "olxkit_rev": args.olxkit_rev, "olxkit_file": result.get("olxkit_file"),
        "generate_s": round(gen_s, 3), "python": platform.python_version(), "cpus": os.cpu_count(),
        "tmpdir": args.tmpdir or tempfile.gettempdir(), "bytecode_cache": not args.no_bytecode_cache,
    }

    if not args.json:
        mark = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
        note = "" if at_target_size else f"  (targets are set for {TARGET_COMPONENTS:,} components)"
        mb = shape["markdown_bytes"] / 1e6
        rows = [
            ("olxkit build, tree=True (subprocess)", f"{best['build_tree']:.3f} s", ""),
            ("olxkit build, tree=False (subprocess)", f"{best['build_notree']:.3f} s", ""),
            ("  python start-up + import olxkit.build", f"{best['startup']:.3f} s", "(included above)"),
            ("markdown-it-py render, all lessons", f"{best['render']:.3f} s",
             f"{mb / best['render']:.1f} MB/s"),
            ("tar czf of the OLX tree", f"{best['tar']:.3f} s", f"{tree_files:,} files"),
            ("floor = render + tar", f"{floor:.3f} s", ""),
            ("ratio build(tree) / floor", f"{ratio:.2f}", f"target <= {RATIO_TARGET:.1f}  {mark(ratio_ok)}"),
            ("ratio build(no tree) / floor", f"{ratio_notree:.2f}", ""),
            ("CPU: build tree=True / no tree", f"{best['build_tree_cpu']:.3f} s",
             f"no tree {best['build_notree_cpu']:.3f} s (both processes)"),
            ("CPU: floor = render + tar", f"{floor_cpu:.3f} s", ""),
            ("CPU ratio build(tree) / floor", f"{ratio_cpu:.2f}", f"no tree {ratio_notree_cpu:.2f} (informative)"),
            ("peak RSS of build, tree=True", f"{peak_mb:.0f} MB",
             f"target <= {PEAK_MB_TARGET:.0f} MB  {mark(peak_ok)}"),
            ("peak RSS of build, tree=False", f"{peak_notree_mb:.0f} MB", ""),
        ]
        print()
        print(f"Synthetic course: {components:,} components ({shape['units']:,} units, {shape['lessons']} lessons, "
              f"{shape['modules']} modules), {mb:.2f} MB of Markdown; archive {archive_bytes / 1e6:.2f} MB")
        print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, best of {args.repeat}, "
              f"work dir under {report['tmpdir']}{note}; load average at the end "
              + " ".join(f"{x:.2f}" for x in report["load_avg"]))
        print()
        width = max(len(r[0]) for r in rows)
        for name, value, extra in rows:
            print(f"  {name:<{width}}  {value:>9}  {extra}")
        print()
        for k, v in report["samples_s"].items():
            print(f"  samples {k:<16} " + "  ".join(f"{x:.3f}" for x in v))
        print()
    print(json.dumps(report, sort_keys=True))
    return 0


def run_script(main, name: str) -> None:
    """Run a bench script's `main` and exit with its status; a failed step is one line on stderr, exit 1."""
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run_script(main, "build_bench")
