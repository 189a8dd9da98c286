"""How a build of several variants shares its work between processes (issue 16): each variant goes to the next
free process (`parallel.pull_map`), and each variant waits only for its own catalogs' tables (`TablePrefetch`),
not for every catalog to be gated. None of it may show in the output (test_build.py compares the archives)."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

from olxkit.i18n.variant import TablePrefetch, load_tables
from olxkit.parallel import pull_map, serial_map

REPO = Path(__file__).resolve().parent.parent


def _square_or_fail(n: int) -> int:
    if n == 3:
        raise ValueError(f"item {n} failed in process {os.getpid()}")
    return n * n


def _children_of(pid: int) -> list[str]:
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(p)
            except (OSError, ValueError, IndexError):
                pass
    return out


def test_pull_map_gives_results_in_order_and_brings_errors_back():
    items = [0, 1, 2, 4, 5, 6, 7]
    for jobs in (1, 2, 3, len(items), 10):
        assert list(pull_map(_square_or_fail, items, jobs)) == list(serial_map(_square_or_fail, items))
    try:
        list(pull_map(_square_or_fail, [1, 2, 3, 4, 5], 2))
    except ValueError as exc:
        assert "item 3 failed" in str(exc)
    else:
        raise AssertionError("the error was lost")
    assert not _children_of(os.getpid()), "a child was left behind"


def _slow_first(flag: Path, parent: int, n: int) -> tuple[int, int]:
    """Item 0 (this process's) waits until the last item is done, 60 s at most; the others are quick."""
    if n == 0:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    elif n == 5:
        flag.write_text("done")
    return n, os.getpid()


def test_pull_map_gives_the_next_item_to_whichever_process_is_free(tmp_path):
    """While this process is busy with a long item 0, the child takes every other item, in turn dealing would
    have given this process items 2 and 4 (the last one, 5, raises the flag item 0 waits for)."""
    started = time.monotonic()
    results = list(pull_map(partial(_slow_first, tmp_path / "flag", os.getpid()), range(6), 2))
    assert [n for n, _pid in results] == list(range(6))
    assert results[0][1] == os.getpid()
    assert all(pid != os.getpid() for _n, pid in results[1:]), results
    assert time.monotonic() - started < 30, "item 0 waited for the flag: the child did not take every item"


def _catalog_project(tmp_path: Path) -> Path:
    """The embedded course's catalogs alone (TablePrefetch reads nothing else)."""
    root = tmp_path / "project"
    (root / "locale").mkdir(parents=True)
    for code in ("it", "de", "de_AT"):
        (root / "locale" / f"{code}.po").write_bytes((REPO / "locale" / f"{code}.po").read_bytes())
    return root


def test_prefetched_tables_are_the_tables_read_where_wanted(tmp_path):
    root = _catalog_project(tmp_path)
    expected = load_tables(root, ["de_AT", "de", "it", "hu"])
    for children in (1, 2):
        prefetch = TablePrefetch(root, ["it", "de", "de_AT", "hu"], children=children)
        try:
            # Asked for at once: each is waited for as it comes (hu has no catalog: nothing).
            got = prefetch.tables(["de_AT", "de", "it", "hu"])
        finally:
            prefetch.close()
        assert set(got) == set(expected) == {"de_AT", "de", "it"}
        for code, table in expected.items():
            assert dict(got[code]) == dict(table) and got[code].rel == table.rel
            assert got[code].rejected == table.rejected and got[code].syntax == table.syntax
    assert not _children_of(os.getpid())


def test_a_prefetch_whose_child_died_is_read_where_wanted(tmp_path):
    """A killed prefetch child (out of memory, say) must not make a build wait forever or lose a catalog: what
    it did not mark ready is read by the process that wants it."""
    import signal

    root = _catalog_project(tmp_path)
    prefetch = TablePrefetch(root, ["it", "de", "de_AT"])
    try:
        os.kill(prefetch._job.pid, signal.SIGKILL)  # noqa: SLF001 - the test kills the child on purpose
        started = time.monotonic()
        got = prefetch.tables(["it", "de", "de_AT"])
        assert time.monotonic() - started < 60
    finally:
        prefetch.close()
    expected = load_tables(root, ["it", "de", "de_AT"])
    assert {code: dict(t) for code, t in got.items()} == {code: dict(t) for code, t in expected.items()}


def test_the_timeline_bench_shows_every_variant_and_who_made_it(tmp_path):
    """bench/timeline.py (where an all-instance build's processes wait): on the embedded course with 2 jobs, every
    variant is walked and exported once, shared between the parent and a worker: the translated ones first (the
    parent starts with the first instance's), the source's, the cheapest, last."""
    import json
    import shutil
    import subprocess
    import sys

    project = tmp_path / "course"
    for part in ("course", "modules", "locale"):
        shutil.copytree(REPO / part, project / part)
    done = subprocess.run([sys.executable, str(REPO / "bench" / "timeline.py"), str(project), "-j", "2", "--json"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=600)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.splitlines()[-1])
    parent = next(p for p in data["processes"] if p["role"] == "parent")
    walks = [(p["pid"], e["label"]) for p in data["processes"] for e in p["events"] if e["step"] == "walk"]
    assert sorted(label for _pid, label in walks) == ["at", "de", "en", "hu", "it", "pl", "sk", "sl"]
    assert [e["label"] for e in parent["events"] if e["step"] == "walk"][0] == "it"
    starts = {e["label"]: e["start"] for p in data["processes"] for e in p["events"] if e["step"] == "walk"}
    assert max(starts, key=starts.get) == "en"
    assert len({pid for pid, _label in walks}) == 2
    exports = [e for p in data["processes"] for e in p["events"] if e["step"] == "export"]
    assert len(exports) == 8
