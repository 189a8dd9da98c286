"""A translated variant's build lets go of what it no longer needs, and reads ahead without changing anything.

One named instance built with more than one process has its fallback chain's catalogs read and gated in a forked
child while the course is read (`build.py`); with one process, what the gate memoised about the source texts is
dropped once its catalog is gated (`gate.forget_sources`). Neither may show in the output or the findings.
"""

from __future__ import annotations

from test_i18n_gate import EVERY, TELL, _seed, _translated
from test_i18n_workflow import fill, project

from helpers import run_cli


def _outputs(out):
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".olxkit-manifest.json"}


def test_a_named_instance_reads_its_catalogs_ahead_with_the_same_findings_and_archive(tmp_path):
    root = _translated(project(tmp_path))
    fill(root / "locale/de_AT.po", lambda m: "AT " + m, only=lambda e: e.msgid == EVERY)
    _seed(root / "locale/de.po", {TELL: "DE Erzähl <img src=x onerror=alert(1)> wer du bist."})
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        result = run_cli("build", str(root), "-o", str(out), "-i", "at", "-j", jobs)
        assert result.exit_code == 0, result.output
        runs[jobs] = (_outputs(out), result.stderr.replace(str(out), "OUT"))
    assert runs["1"] == runs["2"]
    files, stderr = runs["2"]
    assert "TRN101" in stderr and "onerror" in stderr and "instance `at`" in stderr
    assert any(name.endswith(".tar.gz") for name in files)

    # A catalog of the chain that cannot be read: the instance fails the same way whichever process read it.
    po = root / "locale/de.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "DE ', 'msgstr DE "', 1), encoding="utf-8")
    failed = {jobs: run_cli("build", str(root), "-o", str(tmp_path / f"bad{jobs}"), "-i", "at", "-j", jobs, "-q")
              for jobs in ("1", "2")}
    assert failed["1"].exit_code == failed["2"].exit_code == 1
    assert "error[TRN103] instance `at`" in failed["2"].stderr
    assert failed["1"].stderr.replace("bad1", "OUT") == failed["2"].stderr.replace("bad2", "OUT")


def test_forgetting_the_source_facts_changes_no_verdict(tmp_path):
    from olxkit.i18n import checks, gate

    root = _translated(project(tmp_path))
    _seed(root / "locale/it.po", {TELL: 'IT Racconta chi sei <script>alert("x")</script>.'})
    first = gate.read_gated(root / "locale/it.po", "locale/it.po", "it")
    memos = [f for f in vars(checks).values() if getattr(f, "__module__", "") == checks.__name__
             and hasattr(f, "cache_info")]
    assert memos and any(f.cache_info().currsize for f in memos)
    gate.forget_sources()
    assert all(f.cache_info().currsize == 0 for f in memos)
    again = gate.read_gated(root / "locale/it.po", "locale/it.po", "it")
    assert dict(again) == dict(first) and again.rejected == first.rejected and first.rejected
