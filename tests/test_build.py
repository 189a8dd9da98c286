"""The embedded course builds into a well-formed, reproducible archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile

from lxml import etree

from helpers import REPO, archive_members, read_member

ARCHIVE = "SocialiMakers+SIA+2026_T1.tar.gz"


def test_embedded_course_builds_every_block_type(embedded_build):
    result, out = embedded_build
    assert (out / ARCHIVE).is_file()
    summary = result.output
    assert "course-v1:SocialiMakers+SIA+2026_T1 [en, en]" in summary
    for kind in ("chapter", "sequential", "vertical", "html", "problem", "video", "discussion"):
        assert f" {kind}" in summary, kind
    tree = out / "SocialiMakers+SIA+2026_T1"
    chapters = etree.parse(str(tree / "course" / "2026_T1.xml")).getroot()
    assert [c.get("url_name") for c in chapters] == [
        "what-is-si", "needs", "ideation", "business-models", "financing", "scaling", "impact", "final"]


def test_archive_layout_is_what_studio_expects(embedded_build):
    _result, out = embedded_build
    members = archive_members(out / ARCHIVE)
    names = [m.name for m in members]
    assert names == sorted(names)
    assert all(n == "course" or n.startswith("course/") for n in names)
    assert names.count("course/course.xml") == 1
    assert sum(n.endswith("/course.xml") or n == "course.xml" for n in names) == 1
    for m in members:
        assert m.isfile() or m.isdir(), m.name
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", "")
        assert m.mode == (0o755 if m.isdir() else 0o644)
        assert ".." not in m.name.split("/")
    pointer = etree.fromstring(read_member(out / ARCHIVE, "course/course.xml"))
    assert dict(pointer.attrib) == {"url_name": "2026_T1", "org": "SocialiMakers", "course": "SIA"}
    raw = (out / ARCHIVE).read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08"
    assert raw[3] & 0x08 == 0, "gzip header must not store a file name"
    assert raw[4:8] == b"\0\0\0\0", "gzip header must not store a time"


def test_policies_and_grading(embedded_build):
    _result, out = embedded_build
    tree = out / "SocialiMakers+SIA+2026_T1"
    policy = json.loads((tree / "policies/2026_T1/policy.json").read_text())["course/2026_T1"]
    assert policy["start"] == "2026-02-02T00:00:00Z"
    assert policy["end"] == "2026-07-31T00:00:00Z"
    assert policy["language"] == "en"
    assert policy["course_image"] == "images_course-card.png"
    assert policy["discussions_settings"]["provider_type"] == "legacy"
    grading = json.loads((tree / "policies/2026_T1/grading_policy.json").read_text())
    types = {g["type"]: g for g in grading["GRADER"]}
    assert types["Module quiz"]["weight"] == 0.7 and types["Module quiz"]["min_count"] == 7
    assert types["Module quiz"]["drop_count"] == 1
    assert types["Final exam"]["weight"] == 0.3
    assert grading["GRADE_CUTOFFS"] == {"Pass": 0.6}
    formats = set()
    for seq in (tree / "sequential").glob("*.xml"):
        root = etree.parse(str(seq)).getroot()
        if root.get("graded") == "true":
            formats.add(root.get("format"))
    assert formats == set(types)


def test_static_assets_and_links_are_rewritten(embedded_build):
    _result, out = embedded_build
    tree = out / "SocialiMakers+SIA+2026_T1"
    html = "".join(p.read_text() for p in (tree / "html").glob("*.html"))
    assert 'src="/static/images/' in html
    assert "/jump_to_id/" in html
    assert "../../course/static" not in html
    assert ".md\"" not in html
    for src in set(__import__("re").findall(r'src="/static/([^"]+)"', html)):
        assert (tree / "static" / src).is_file(), src
    assert "\\(" in html or "\\[" in html, "math is rendered for MathJax"


def _build_in_process(out, env_changes, cwd):
    env = dict(os.environ, **env_changes)
    code = ("import os,sys; os.umask(int(sys.argv[3], 8)); from olxkit.cli import main; "
            "sys.argv=['olxkit','build',sys.argv[1],'-o',sys.argv[2],'-q','--no-tree']; main()")
    umask = env_changes.pop("UMASK", "022")
    return subprocess.run([sys.executable, "-c", code, str(REPO), str(out), umask], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_archive_is_byte_identical_across_tz_umask_locale_and_cwd(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    other = tmp_path / "elsewhere"
    other.mkdir()
    first = _build_in_process(a, {"TZ": "UTC", "LC_ALL": "C", "UMASK": "022"}, REPO)
    second = _build_in_process(b, {"TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8", "UMASK": "077"}, other)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert (a / ARCHIVE).read_bytes() == (b / ARCHIVE).read_bytes()


def test_source_date_epoch_sets_member_times(tmp_path):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
    done = subprocess.run([sys.executable, "-m", "olxkit", "build", str(REPO), "-o", str(tmp_path), "-q",
                           "--no-tree"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / ARCHIVE) as tar:
        assert {m.mtime for m in tar.getmembers()} == {1767225600}


def test_fast_archive_writer_matches_python_tarfile():
    from olxkit.olx.archive import archive_bytes, archive_bytes_tarfile
    from olxkit.olx_export import OlxTree, export_olx
    from olxkit.source.loader import load_course

    tree, _diags = export_olx(load_course(REPO))
    assert archive_bytes(tree) == archive_bytes_tarfile(tree)
    long_names = OlxTree(files={"html/" + "a" * 90 + "/" + "b" * 95 + ".html": b"x", "static/" + "c/" * 50 + "d": b""})
    assert archive_bytes(long_names) == archive_bytes_tarfile(long_names)
    with tarfile.open(fileobj=__import__("io").BytesIO(archive_bytes(long_names))) as tar:
        assert "course/html/" + "a" * 90 + "/" + "b" * 95 + ".html" in tar.getnames()


def test_archives_and_trees_are_the_same_whatever_the_number_of_processes(tmp_path):
    """`-j 1` builds in one process; more share instances (or one instance's lessons) between forked workers,
    with the catalogs read ahead in another. None of that may show in the output."""
    from helpers import run_cli

    outputs = {}
    for jobs in ("1", "2", "3"):
        for instance in ([], ["-i", "at"]):
            out = tmp_path / f"j{jobs}{'-at' if instance else ''}"
            result = run_cli("build", str(REPO), "-o", str(out), "-q", "-j", jobs, *instance)
            assert result.exit_code == 0, result.output
            files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                     if p.is_file() and p.name != ".olxkit-manifest.json"}
            outputs[(jobs, bool(instance))] = files
    every = outputs[("1", False)]
    assert len([name for name in every if name.endswith(".tar.gz")]) == 8
    for (jobs, single), files in outputs.items():
        if single:
            assert files == {k: v for k, v in every.items() if k.startswith("SocialiMakers+SIA+2026_T1_AT")}, jobs
        else:
            assert files == every, jobs


def _square_or_fail(n: int) -> int:
    if n == 3:
        raise ValueError(f"share {n} failed in process {os.getpid()}")
    return n * n


def test_forked_shares_return_in_order_and_bring_errors_back():
    """`parallel_map` (the forks behind builds and parallel extraction): a share of the items is computed here,
    the others in children; results come back in order, as `serial_map` gives them; a child's exception is raised
    here."""
    from olxkit.parallel import parallel_map, serial_map

    items = [0, 1, 2, 4, 5, 6, 7]
    for jobs in (1, 2, 3, len(items), 10):
        assert list(parallel_map(_square_or_fail, items, jobs)) == list(serial_map(_square_or_fail, items))
    try:
        list(parallel_map(_square_or_fail, [1, 2, 3, 4], 4))
    except ValueError as exc:
        assert "share 3 failed" in str(exc) and f"process {os.getpid()}" not in str(exc)
    else:
        raise AssertionError("the child's error was lost")
    # No child is left behind.
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _parent_of(p) == os.getpid()]


def _parent_of(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _waits_for_the_parent(flag, parent: int, n: int) -> tuple[int, bool]:
    """Item 2 (this process's second item) raises the flag; item 1 (a child's) waits for it, 60 s at most."""
    import time

    if os.getpid() == parent and n == 2:
        flag.write_text("raised")
    if os.getpid() != parent and n == 1:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return n, flag.exists()


def test_the_parent_works_through_its_own_share_while_a_child_is_busy(tmp_path):
    """With 2 processes, `parallel_map` must not sit idle waiting for the child's whole share after item 0: the
    child's first item (1) can only finish once this process has computed its own second item (2). (Waiting
    idle made an 8-variant build on 2 cores almost serial.)"""
    from functools import partial

    from olxkit.parallel import parallel_map

    work = partial(_waits_for_the_parent, tmp_path / "flag", os.getpid())
    results = list(parallel_map(work, [0, 1, 2, 3, 4, 5], 2))
    assert [n for n, _seen in results] == [0, 1, 2, 3, 4, 5]
    assert results[1] == (1, True), "the child waited 60 s: this process did not go on with its own share"
