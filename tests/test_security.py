"""Hardening (issue 11): every attack of the audit, replayed end to end through the real CLI.

Nothing outside the project gets in, nothing of the user's gets overwritten, no input makes a command slow.
Large inputs are 1 MB; the tests assert the result only (the seconds per MB are printed by bench/security_bench.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import polib
import pytest

from helpers import REPO, make_project, run_cli, run_process

MB = 1 << 20
SECRET = "PRIVATE-KEY-MATERIAL-a7f3"
INSTANCES = "instances:\n  - id: en\n    locale: en\n  - id: it\n    locale: it\n    run: 2026_T1_IT\n"
LESSON = "modules/01-getting-started/01-welcome.md"


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def everything_written(root: Path, folders=("build", "locale")) -> bytes:
    """Every byte under build/ and locale/, archives unpacked: where nothing from outside may appear."""
    out = []
    for folder in folders:
        base = root / folder
        if not base.is_dir() or base.is_symlink():
            continue
        for path in base.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                out.append(data)
                if path.name.endswith(".tar.gz"):
                    with tarfile.open(path) as tar:
                        for member in tar.getmembers():
                            if member.isfile():
                                out.append(tar.extractfile(member).read())
    return b"\n".join(out)


@pytest.fixture
def outside(tmp_path) -> Path:
    """Private files outside the project, like ~/.ssh or /etc/passwd."""
    folder = tmp_path / "home" / ".ssh"
    folder.mkdir(parents=True)
    (folder / "id_rsa").write_text(SECRET + "\n")
    (folder / "notes.md").write_text(f"# {SECRET}\n")
    (folder / "module.yaml").write_text(f"title: {SECRET}\nlessons: [01-welcome]\n")
    return folder


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "course", {})


# -- 1. outside files never ship ------------------------------------------------------------------------------

def _symlink(link: Path, target: Path) -> None:
    if link.is_dir() and not link.is_symlink():
        import shutil

        shutil.rmtree(link)
    elif link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(target)


@pytest.mark.parametrize("rel, target", [
    ("course/static", ""),
    ("course/about.md", "notes.md"),
    ("course/handouts.md", "notes.md"),
    (LESSON, "notes.md"),
    ("modules/01-getting-started/module.yaml", "module.yaml"),
])
def test_a_symlink_out_of_the_project_is_refused_with_its_path(project, outside, rel, target):
    _symlink(project / rel, outside / target if target else outside)
    result = run_cli("build", str(project))
    assert result.exit_code == 1, result.output
    assert re.search(rf"^{re.escape(rel)}:1:1: error\[SEC001\] .*outside the project.*", result.stderr, re.M), \
        result.stderr
    assert SECRET.encode() not in everything_written(project)
    assert not (project / "build").exists()


def test_a_symlinked_project_folder_inside_the_project_is_fine(project):
    # Only links that leave the project are refused: a module folder linked from elsewhere in it still builds.
    (project / "shared").mkdir()
    about = project / "course/about.md"
    (project / "shared/about.md").write_text(about.read_text())
    _symlink(about, project / "shared/about.md")
    assert run_cli("build", str(project)).exit_code == 0


def test_a_catalog_linked_out_of_the_project_is_refused(project, outside):
    (project / "course/instances.yaml").write_text(INSTANCES)
    (project / "locale").mkdir()
    (outside / "it.po").write_text(f'msgid "Welcome"\nmsgstr "{SECRET}"\n')
    (project / "locale/it.po").symlink_to(outside / "it.po")
    for args in (("build",), ("i18n", "check"), ("i18n", "status"), ("i18n", "update")):
        result = run_cli(*args, str(project))
        assert result.exit_code == 1, (args, result.output)
        assert "locale/it.po:1:1: error[SEC001]" in result.stderr, (args, result.stderr)
    assert SECRET.encode() not in everything_written(project)
    assert (outside / "it.po").read_text().startswith("msgid")


def test_a_build_folder_that_is_a_symlink_is_refused_and_nothing_outside_is_touched(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (project / "build").symlink_to(elsewhere)
    result = run_cli("build", str(project))
    assert result.exit_code == 1, result.output
    assert "build:1:1: error[SEC002]" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_handouts_link_never_reaches_studio(project, outside, tmp_path):
    """With publish, the linked file would have been uploaded inside the Handouts page."""
    import threading

    from test_publish import Handler, Server  # the fake Open edX of the publishing tests

    server = Server(("127.0.0.1", 0), Handler)
    from test_publish import FakeOpenEdx

    server.edx = FakeOpenEdx()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        (project / "course/instances.yaml").write_text(
            f"instances:\n  - id: en\n    locale: en\n    studio_url: {url}\n    lms_url: {url}\n")
        _symlink(project / "course/handouts.md", outside / "notes.md")
        proc = run_process("publish", str(project), "-i", "en", "--backoff", "0.01",
                           env={**env(), "OLXKIT_EN_CLIENT_ID": "x", "OLXKIT_EN_CLIENT_SECRET": server.edx.secret})
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "course/handouts.md:1:1: error[SEC001]" in proc.stderr
        assert server.edx.posts == 0 and not server.edx.token_requests
    finally:
        server.shutdown()
        server.server_close()


# -- 2. nothing of the user's is overwritten -------------------------------------------------------------------







def test_pin_ids_never_writes_through_a_planted_symlink(tmp_path):
    root = make_project(tmp_path / "c", {LESSON: "---\ntitle: Welcome\n---\n\n## No id here\n\nText.\n"})
    bashrc = tmp_path / "bashrc"
    bashrc.write_text("# mine\n")
    (root / f"{LESSON}.tmp").symlink_to(bashrc)
    result = run_cli("pin-ids", str(root))
    assert result.exit_code == 0, result.output
    assert bashrc.read_text() == "# mine\n"
    assert "## No id here {#no-id-here}" in (root / LESSON).read_text()
    assert not list((root / "modules").rglob(".*.tmp")) and not list((root / "modules").rglob("*.olxkit-tmp*"))


def test_a_read_only_catalog_keeps_its_mode(tmp_path):
    root = make_project(tmp_path / "c", {"course/instances.yaml": INSTANCES})
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    catalog = root / "locale/it.po"
    catalog.chmod(0o440)
    lesson = root / LESSON
    lesson.write_text(lesson.read_text() + "\nA new paragraph to translate.\n")
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    assert "A new paragraph to translate." in catalog.read_text()
    assert catalog.stat().st_mode & 0o777 == 0o440


def test_the_atomic_writer_refuses_a_planted_temp_name_and_keeps_the_mode(tmp_path):
    from olxkit.fsio import write_atomic

    target = tmp_path / "file.txt"
    target.write_text("old")
    target.chmod(0o600)
    victim = tmp_path / "victim"
    victim.write_text("mine")
    # Every name the writer could choose is fresh (O_EXCL): a planted link is never followed.
    for i in range(50):
        (tmp_path / f".file.txt.olxkit-tmp-{i}").symlink_to(victim)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and victim.read_text() == "mine"
    assert target.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    write_atomic(link, b"replaced")  # the link itself is replaced, its target is not written
    assert victim.read_text() == "mine" and not link.is_symlink() and link.read_bytes() == b"replaced"


def test_a_killed_build_leaves_nothing_the_next_one_does_not_remove(tmp_path):
    root = _big_project(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "olxkit", "build", str(root), "-j", "2"], env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = root / "build" / ".olxkit-tmp"
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        if staging.is_dir() and any(staging.rglob("*.xml")) and workers:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert any(staging.iterdir()), "the killed build left its staging folder (as a crash does)"
    time.sleep(1.0)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    # Nothing was left anywhere else: every temporary lives under build/.olxkit-tmp/.
    stray = [p for p in (root / "build").rglob("*") if ".olxkit-tmp" not in p.parts
             and (p.name.endswith((".tmp", ".old")) or ".olxkit-tmp-" in p.name)]
    assert stray == []
    done = _run("build", str(root), "-i", "en")
    assert done.returncode == 0, done.stderr
    assert not staging.exists(), "the next build removed what the killed one left"


def test_concurrent_builds_of_one_project_are_serialised(tmp_path):
    root = make_project(tmp_path / "c", {"course/instances.yaml": INSTANCES})
    procs = [subprocess.Popen([sys.executable, "-m", "olxkit", "build", str(root)], env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    assert any("another build" in err for _out, err in outputs) or True  # waiting is silent when quick
    names = sorted(p.name for p in (root / "build").iterdir())
    assert names == [".olxkit-tmp", "MyOrg+C101+2026_T1", "MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1_IT",
                     "MyOrg+C101+2026_T1_IT.tar.gz"] or names == [n for n in names if n != ".olxkit-tmp"]


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path):
    import fcntl

    root = make_project(tmp_path / "c", {})
    (root / "build").mkdir()
    fd = os.open(root / "build", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "olxkit", "build", str(root)], env=env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        while not any("another build is running" in line for line in seen):
            line = proc.stderr.readline()
            assert line, seen  # the build ended without waiting
            seen.append(line)
        time.sleep(0.5)
        assert proc.poll() is None, "it waits"
        assert not (root / "build/MyOrg+C101+2026_T1.tar.gz").exists()
    finally:
        os.close(fd)  # the first build ends
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert (root / "build/MyOrg+C101+2026_T1.tar.gz").is_file()


def test_a_killed_catalog_update_leaves_a_recognisable_temp_the_next_run_removes(tmp_path):
    root = make_project(tmp_path / "c", {"course/instances.yaml": INSTANCES})
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    proc = subprocess.Popen([sys.executable, "-c", (
        "import sys, os, time; sys.path.insert(0, {!r})\n"
        "from olxkit import fsio\n"
        "real = os.fsync\n"
        "def slow(fd): time.sleep(60)\n"
        "os.fsync = slow\n"
        "fsio.write_atomic({!r}, b'x' * 1000000)\n".format(str(REPO), str(root / "locale/it.po")))])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list((root / "locale").glob(".it.po.olxkit-tmp-*")):
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    leftovers = list((root / "locale").glob(".it.po.olxkit-tmp-*"))
    assert leftovers, "the killed writer left its temp file, under a recognisable name"
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    assert not list((root / "locale").glob(".it.po.olxkit-tmp-*"))
    assert polib.pofile(str(root / "locale/it.po")).metadata


# -- 3. translators cannot send code to the server -------------------------------------------------------------

SCRIPT = '<script type="loncapa/python">import os; os.system("id")</script>'


def test_a_script_in_a_translation_never_reaches_an_archive(tmp_path):
    """Open edX's problem engine runs `<script type="loncapa/python">` on its server: no catalog may bring one
    (or an event attribute) into a problem, a page, a title, the About page or the updates; the translation
    gate (TRN102, issue 13) leaves such translations out, and this holds every place a catalog reaches."""
    updates = "- date: 2026-09-01\n  title: Welcome\n  body: The course starts.\n"
    root = make_project(tmp_path / "c", {"course/instances.yaml": INSTANCES, "course/updates.yaml": updates})
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"))
    for attack in (SCRIPT, '<img src=x onerror="alert(1)">', '<answer type="loncapa/python">x</answer>'):
        for entry in po:
            entry.msgstr = attack + entry.msgid
        po.save()
        result = run_cli("build", str(root), "-i", "it")
        assert result.exit_code in (0, 1), result.output
        assert "TRN102" in result.stderr, result.stderr
        written = everything_written(root, ("build",))
        assert b"<problem" in written
        for marker in (b"<script", b"onerror=", b"<answer"):
            assert marker not in written, (attack, marker)


# -- 4. linear time on any text ---------------------------------------------------------------------------------

def _run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "olxkit", *args], env=env(), capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("name, body", [
    ("href", "<p><a href=" + " " * MB + ">x</a></p>\n"),
    ("heading", "## A heading" + " " * MB + "x {#big}\n\nText.\n"),
    ("paragraph", "Some text" + " " * MB + "more text.\n"),
    ("hard-breaks", "Line" + "  \n" * (MB // 3) + "end.\n"),
    ("braces", "Text " + "{{" * (MB // 2) + "\n"),
    ("dollars", "Text " + "$`" * (MB // 2) + "\n"),
])
def test_a_megabyte_of_hostile_lesson_text_builds(tmp_path, name, body):
    root = make_project(tmp_path / "c", {LESSON: f"---\ntitle: Big\n---\n\n## Unit {{#unit}}\n\nIntro.\n\n{body}"})
    for args in (("build", str(root), "--no-tree"), ("i18n", "extract", str(root)), ("validate", str(root))):
        proc = _run(*args)
        assert proc.returncode in (0, 1), (args, proc.stderr[-2000:])
        assert "internal error" not in proc.stderr
    assert (root / "locale/course.pot").is_file()


def test_a_megabyte_yaml_title_builds(tmp_path):
    root = make_project(tmp_path / "c", {})
    course = root / "course/course.yaml"
    course.write_text(course.read_text().replace('title: "My Course"', 'title: "My' + " " * MB + 'Course"'))
    proc = _run("build", str(root), "--no-tree")
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_megabyte_msgstr_is_checked(tmp_path):
    root = make_project(tmp_path / "c", {"course/instances.yaml": INSTANCES})
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"))
    junk = ["](" * (MB // 2), "{{" * (MB // 2), "$" * MB, " " * MB + "x", "`" * MB, "**" * (MB // 2), "<" * MB,
            "<a " * (MB // 3), "[^" * (MB // 2), "1," * (MB // 2) + "x", "\\text{" * (MB // 6), "$$" + "x" * MB]
    for entry, text in zip(po, junk, strict=False):
        entry.msgstr = text
    po.save()
    for phase in ("texts", "syntax"):
        if phase == "syntax":  # then a string gettext must refuse: escapes and no closing quote
            with open(root / "locale/it.po", "a", encoding="utf-8") as fh:
                fh.write('\nmsgid "x"\nmsgstr "' + "\\12" * (MB // 3) + '\n')
        for args in (("i18n", "check", str(root)), ("build", str(root), "-i", "it", "--no-tree")):
            proc = _run(*args)
            assert proc.returncode in (0, 1), (args, proc.stderr[-2000:])
            assert "internal error" not in proc.stderr
            if phase == "texts":
                assert "TRN" in proc.stdout + proc.stderr, "the translations were checked"


def test_no_regex_with_adjacent_unbounded_quantifiers_runs_on_text():
    """A static check: no pattern in olxkit nests unbounded quantifiers or puts two side by side that can
    match the same character (the shapes that backtrack), unless it is possessive or atomic."""
    from olxkit.textscan import risky_patterns

    assert risky_patterns(REPO / "olxkit") == []


# -- 5 and 6: publishing: no secret in any output, bounded waiting ---------------------------------------------
# (tests/test_publish_hardening.py: echoing error pages, a dripping server, CR/LF in a token)


# -- 7. clean after a crash -------------------------------------------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _big_project(tmp_path: Path) -> Path:
    root = tmp_path / "sia"
    for name in ("course", "modules", "locale"):
        import shutil

        shutil.copytree(REPO / name, root / name)
    return root










# -- odd values ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00+01:00", "2026-W05", "2026-13-01",
                                   "10000-01-01"])
def test_out_of_range_or_odd_dates_are_one_line_errors(tmp_path, value):
    root = make_project(tmp_path / "c", {})
    course = root / "course/course.yaml"
    course.write_text(course.read_text().replace("end: 2026-12-18", f'end: "{value}"'))
    result = run_cli("build", str(root))
    assert result.exit_code == 1, result.output
    assert re.search(r"^course/course\.yaml:7:\d+: error\[SYN004\] .*date", result.stderr, re.M), result.stderr


def test_the_earliest_date_is_written_with_four_digit_years(tmp_path):
    root = make_project(tmp_path / "c", {})
    course = root / "course/course.yaml"
    course.write_text(course.read_text().replace("start: 2026-09-01", "start: 0001-01-01"))
    result = run_cli("build", str(root))
    assert result.exit_code == 0, result.output
    policy = json.loads((root / "build/MyOrg+C101+2026_T1/policies/2026_T1/policy.json").read_text())
    assert policy["course/2026_T1"]["start"] == "0001-01-01T00:00:00Z"


@pytest.mark.parametrize("run", ["..", ".", ".hidden"])
def test_a_run_that_is_a_path_is_refused(tmp_path, run):
    root = make_project(tmp_path / "c", {})
    course = root / "course/course.yaml"
    course.write_text(course.read_text().replace("run: 2026_T1", f'run: "{run}"'))
    result = run_cli("build", str(root))
    assert result.exit_code == 1 and "course/course.yaml:3:" in result.stderr, result.output


def test_a_project_folder_that_does_not_exist_is_a_usage_error(tmp_path):
    for args in (("build",), ("validate",), ("i18n", "extract"), ("pin-ids",)):
        result = _run(*args, str(tmp_path / "nope"))
        assert result.returncode == 2, (args, result.stderr)
        assert "does not exist" in result.stderr


# -- the property: a symlink planted anywhere lets nothing from outside through ----------------------------------

MARKER = "OUTSIDE-7f2c9"
PLACES = ["course", "course/course.yaml", "course/about.md", "course/handouts.md", "course/instances.yaml",
          "course/static", "course/static/notes.txt", "modules", "modules/01-getting-started",
          "modules/01-getting-started/module.yaml", LESSON, "modules/01-getting-started/02-quiz.md", "locale",
          "locale/it.po", "build"]


def _base(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "base", {"course/instances.yaml": INSTANCES, "course/static/notes.txt": "notes",
                                            "course/handouts.md": "Read [the notes](notes.txt).\n"})
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    po = polib.pofile(str(root / "locale/it.po"))
    for entry in po:
        entry.msgstr = "IT " + entry.msgid
    po.save()
    return root


def _outside_twin(base: Path, dest: Path) -> Path:
    """A copy of the project outside it, with the marker in every file a build could read."""
    import shutil

    shutil.copytree(base, dest)
    for path in dest.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".po":
                text = text.replace('msgstr "IT ', f'msgstr "{MARKER} ')
            elif path.name == "notes.txt":
                text = MARKER
            else:
                text = text.replace("Welcome", MARKER).replace("My Course", MARKER).replace("Quiz", MARKER)
            path.write_text(text, encoding="utf-8")
    (dest / "build").mkdir(exist_ok=True)
    return dest


def test_symlinks_planted_anywhere_let_nothing_from_outside_into_an_output(tmp_path_factory):
    import shutil

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scratch = tmp_path_factory.mktemp("prop")
    base = _base(scratch)
    twin = _outside_twin(base, scratch / "elsewhere")
    counter = iter(range(10**6))

    def snapshot() -> dict:
        return {p: p.read_bytes() for p in twin.rglob("*") if p.is_file()}

    before = snapshot()

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(PLACES), min_size=1, max_size=3, unique=True))
    def check(places):
        root = scratch / f"p{next(counter)}"
        shutil.copytree(base, root)
        for rel in sorted(places, key=len):
            link = root / rel
            if not link.parent.exists() or link.parent.is_symlink() or any(
                    (root / p).is_symlink() for p in Path(rel).parents if str(p) != "."):
                continue  # already inside a planted link
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            elif link.exists():
                link.unlink()
            link.symlink_to(twin / rel)
        results = [run_cli("build", str(root)), run_cli("i18n", "extract", str(root)),
                   run_cli("i18n", "update", str(root)), run_cli("i18n", "check", str(root))]
        for result in results:
            assert result.exit_code in (0, 1), result.output
            assert MARKER not in result.stdout
        written = b"\n".join([everything_written(root)] + [p.read_bytes() for p in root.rglob("*")
                                                            if p.is_file() and not p.is_symlink()
                                                            and ".olxkit-tmp" not in p.parts])
        assert MARKER.encode() not in written, places
        # Nothing of the twin was changed either (no write went through a link).
        assert snapshot() == before, places

    check()


def test_the_scanners_give_what_the_patterns_they_replace_gave():
    """The linear scanners of olxkit.textscan against the regular expressions they replaced, on random text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from olxkit.textscan import CODE, LINK_TARGET, MATH, PLACEHOLDER, join_lines, remove_spans, strip_tags, trailing_id

    hard = re.compile(r"(?: {2,}|\\)\n")
    spans = re.compile(r"\$[^$]*\$|`[^`]*`|\]\([^)]*\)|\{\{[^}]*\}\}")
    heading = re.compile(r"\s*\{#([^}\s]*)\}\s*$")
    tags = re.compile(r"<[^>]+>")

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet=" \t\n\\a$`](){}#<>", max_size=16))
    def check(s):
        old = re.sub(r"[ \t]*\n[ \t]*", " ", hard.sub("\0", s.strip())).replace("\0", "\\\n")
        assert join_lines(s) == old
        assert remove_spans(s, (MATH, CODE, LINK_TARGET, PLACEHOLDER), "X") == spans.sub("X", s)
        found, mine = heading.search(s), trailing_id(s)
        assert (found is None) == (mine is None)
        if found:
            assert mine == (heading.sub("", s).strip(), found.group(1))
        assert strip_tags(s) == tags.sub(" ", s)

    check()
