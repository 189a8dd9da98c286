"""`olxkit new-run`: a new run and dates, with every comment and line of the YAML kept."""

from __future__ import annotations

from helpers import REPO, copy_course, make_project, run_cli

COURSE = "course/course.yaml"
INSTANCES = "course/instances.yaml"


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old, new) for each line that differs; the files must have the same number of lines."""
    old, new = before.split("\n"), after.split("\n")
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_every_instance_gets_the_new_run_and_only_those_lines_change(tmp_path):
    root = copy_course(tmp_path)
    result = run_cli("new-run", "2026_T2", str(root), "--start", "2026-09-07", "--end", "2027-01-31")
    assert result.exit_code == 0, result.output
    assert changed_lines((REPO / COURSE).read_text(), (root / COURSE).read_text()) == [
        ("run: 2026_T1", "run: 2026_T2"), ("start: 2026-02-02", "start: 2026-09-07"),
        ("end: 2026-07-31", "end: 2027-01-31")]
    changes = changed_lines((REPO / INSTANCES).read_text(), (root / INSTANCES).read_text())
    assert changes[:2] == [("    run: 2026_T1_IT", "    run: 2026_T2_IT"),
                           ("    run: 2026_T1_DE", "    run: 2026_T2_DE")]
    assert ("    start: 2026-02-09", "    start: 2026-09-07") in changes  # Austria's own start date
    assert len(changes) == 9  # seven instances' own runs, Austria's and Poland's own start dates
    assert "course/course.yaml:5: run: 2026_T1 → 2026_T2" in result.stdout
    assert "course/instances.yaml:34: start: 2026-02-09 → 2026-09-07" in result.stdout
    # The enrollment window of course.yaml closes before the new run starts.
    assert "course/course.yaml:12:1: warning[DAT003] enrollment ends before the new run starts" in result.stderr
    built = run_cli("build", str(root), "--instance", "it", "--no-tree", "--quiet")
    assert built.exit_code == 0, built.output
    assert (root / "build" / "SocialiMakers+SIA+2026_T2_IT.tar.gz").is_file()


def test_one_instance_gets_its_own_run_and_dates(tmp_path):
    root = copy_course(tmp_path)
    before = (root / INSTANCES).read_text()
    result = run_cli("new-run", "2026_T1_IT_B", str(root), "--start", "2026-03-02", "--end", "2026-08-31",
                     "--instance", "it")
    assert result.exit_code == 0, result.output
    old, new = before.split("\n"), (root / INSTANCES).read_text().split("\n")
    at = old.index("  - id: it")
    assert new[at:at + 6] == ["  - id: it", "    locale: it", "    run: 2026_T1_IT_B", "    start: 2026-03-02",
                              "    end: 2026-08-31", "    lms_url: https://it.academy.socialimakers.eu"]
    assert new[:at + 3] == old[:at + 3][:-1] + ["    run: 2026_T1_IT_B"]
    assert new[at + 5:] == old[at + 3:]
    assert (root / COURSE).read_text() == (REPO / COURSE).read_text()
    assert result.stdout.splitlines()[:3] == [
        "course/instances.yaml:13: run: 2026_T1_IT → 2026_T1_IT_B",
        "course/instances.yaml:14: added start: 2026-03-02", "course/instances.yaml:15: added end: 2026-08-31"]


def test_a_project_without_instances_and_formatting_kept(tmp_path):
    root = make_project(tmp_path / "c", {})
    course = root / COURSE
    text = course.read_text().replace("run: 2026_T1", 'run: "2026_T1"  # the run of this term')
    text = text.replace("end: 2026-12-18\n", "end:  # set me\n")
    course.write_bytes(text.replace("\n", "\r\n").encode())
    result = run_cli("new-run", "2027_T1", str(root), "--start", "2027-01-11", "--end", "2027-05-01")
    assert result.exit_code == 0, result.output
    raw = course.read_bytes().decode()
    assert raw.count("\r\n") == text.count("\n") and "\n" not in raw.replace("\r\n", ""), "CRLF is kept"
    assert 'run: "2027_T1"  # the run of this term\r\n' in raw
    assert "start: 2027-01-11\r\nend: 2027-05-01  # set me\r\nself_paced: true" in raw
    assert "course/course.yaml:7: end: (empty) → 2027-05-01" in result.stdout
    assert run_cli("build", str(root), "--quiet", "--no-tree").exit_code == 0
    assert (root / "build" / "MyOrg+C101+2027_T1.tar.gz").is_file()
    again = run_cli("new-run", "2027_T1", str(root), "--start", "2027-01-11", "--end", "2027-05-01")
    assert again.exit_code == 0 and "nothing to change" in again.stdout


def test_mistakes_change_nothing(tmp_path):
    root = copy_course(tmp_path)
    before = {name: (root / name).read_bytes() for name in (COURSE, INSTANCES)}
    cases = [
        (["2026_T2", "--start", "2026-09-07", "--end", "2026-09-01"], "error[DAT001] --end 2026-09-01 must be after"),
        (["2026 T2", "--start", "2026-09-07", "--end", "2027-01-31"], "error[SYN004] run '2026 T2' may use only"),
        (["2026_T2", "--start", "07.09.2026", "--end", "2027-01-31"], "--start '07.09.2026' is not a date"),
        (["2026_T2", "--start", "2026-09-07", "--end", "2027-01-31", "-i", "itt"],
         "course/instances.yaml:1:1: error[SYN004] no instance `itt` (did you mean `it`?)"),
        (["2026_T1_DE", "--start", "2026-09-07", "--end", "2027-01-31", "-i", "it"],
         "instance `it` would have the same course key as `de`"),
    ]
    for args, message in cases:
        result = run_cli("new-run", args[0], str(root), *args[1:])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr, result.stderr
    text = (root / INSTANCES).read_text().replace("run: 2026_T1_HU", "run: HU_2026")
    (root / INSTANCES).write_text(text)
    result = run_cli("new-run", "2026_T2", str(root), "--start", "2026-09-07", "--end", "2027-01-31")
    assert result.exit_code == 1
    assert "course/instances.yaml:44:1: error[SYN004] instance `hu` has run `HU_2026`, which does not start with" \
        in result.stderr
    assert (root / COURSE).read_bytes() == before[COURSE]
    assert (root / INSTANCES).read_text() == text
