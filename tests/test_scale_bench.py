"""bench/scale_bench.py runs end to end on a tiny course, saves each size's figures, and reassembles them."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import scale_bench  # noqa: E402 - the bench folder is not a package


def _bench(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "bench/scale_bench.py"), *args], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_a_run_in_pieces_gives_ratios_exponents_and_verdicts(tmp_path):
    figures = tmp_path / "figures"
    common = ["--shapes", "lean", "--commands", "build-en,extract", "--repeat", "1", "--no-md2po", "--warm-gb", "0.05",
              "--tmpdir", str(tmp_path), "--save", str(figures)]
    _bench("--sizes", "100", *common)
    _bench("--sizes", "200", *common)  # another run, another size: the report puts them together
    assert sorted(p.name for p in figures.iterdir()) == ["lean-100.json", "lean-200.json"]
    row = json.loads((figures / "lean-200.json").read_text())
    assert row["components"] > json.loads((figures / "lean-100.json").read_text())["components"]
    assert row["build-en"]["cpu_s"] > 0 and row["floor_cpu_s"] > 0 and row["extract"]["result"] > 100
    done = _bench("--report", str(figures))
    report = json.loads(done.stdout.strip().splitlines()[-1])
    verdicts = report["verdicts"]
    for command in ("build-en", "extract"):
        b, ok = verdicts[f"lean.{command}.exponent_cpu"]
        assert isinstance(b, float) and ok == (b <= 1.05)
    ratio, ok = verdicts["lean-200.build-en/floor.cpu"]
    assert ratio == round(row["build-en"]["cpu_s"] / row["floor_cpu_s"], 2) and ok == (ratio <= 2.0)
    assert "lean-200.build-en.peak_mb" in verdicts
    # What 8 variants would cost at the floor, against one English build: a figure, not a verdict.
    ratio, ok = verdicts["lean-200.eight_variant_floor/build-en.cpu"]
    assert ratio > 1 and ok is None
    assert "b cpu" in done.stdout and "PASS" in done.stdout  # the table, then the verdict lines
    assert "build-en" in done.stdout and "extract" in done.stdout
    # The floor's own b (the same linear work at both sizes): the gauge of the run's drift, beside the others.
    floor_line = next(line for line in done.stdout.splitlines() if line.lstrip().startswith("floor "))
    b_cpu, b_wall = floor_line.partition("(the floor's own")[0].split()[-2:]
    assert float(b_cpu) > 0 and float(b_wall) > 0


def test_the_sizes_are_measured_in_rounds_each_command_at_every_size_back_to_back(tmp_path):
    """In each round a command runs at every size in turn before the next command (a command's sizes, which its
    exponent compares, share the host's state), up in one round and down in the next; each size's figure is the
    best of its runs."""
    done = _bench("--sizes", "100,200", "--shapes", "lean", "--commands", "build-en,check", "--repeat", "2",
                  "--no-md2po", "--warm-gb", "0.05", "--tmpdir", str(tmp_path))
    timed = [line.split(":")[0].replace("  ", "") for line in done.stderr.splitlines() if " s CPU, " in line]
    assert timed == ["[lean-100] build-en", "[lean-200] build-en", "[lean-100] check", "[lean-200] check",
                     "[lean-200] build-en", "[lean-100] build-en", "[lean-200] check", "[lean-100] check"]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("lean-100", "lean-200"):
        row = report["results"][key]
        assert row["repeat"] == 2 and round(row["build-en"]["cpu_s"], 3) == min(row["build-en"]["cpu_samples_s"]) > 0
    # Each round's own b (its two sizes measured back to back), beside the best-of figures' b.
    small, large = report["results"]["lean-100"], report["results"]["lean-200"]
    expected = scale_bench.round_exponents(small, large, "check")
    assert len(expected) == 2
    lines = done.stdout.splitlines()
    after = lines[next(i for i, x in enumerate(lines) if "b of each round on its own" in x):]
    line = next(x for x in after if x.split()[:1] == ["check"])
    assert line.split() == ["check", f"{expected[0]:.2f}", "/", f"{expected[1]:.2f}", "median",
                            f"{(expected[0] + expected[1]) / 2:.2f}"]
    assert report["warm_gb"] == 0.05 and report["page_reporting"]
    assert all(row["warm_gb"] == 0.05 and row["page_reporting"] == report["page_reporting"]
               for row in report["results"].values())  # kept with each size's figures, for --report


def test_warming_writes_fresh_memory_in_a_throw_away_process():
    """`warm` (run before every timed child) makes a process of its own write that much memory; 0 runs none."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    scale_bench.warm(0.0)
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt == before.ru_minflt  # no child ran
    scale_bench.warm(0.05)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert after.ru_minflt - before.ru_minflt >= 0.05 * 2**30 / 4096  # a fault for each page it wrote
    state = scale_bench.page_reporting()
    assert state == "not seen" or state.startswith("on (")
