"""The translator's workflow end to end: extract, update, translate, check, build translated archives."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import polib
from lxml import etree

from olxkit import OlxkitError

from helpers import make_project, run_cli, url_names

INSTANCES = """\
instances:
  - id: en
    locale: en
  - id: it
    locale: it
    run: 2026_T1_IT
  - id: de
    locale: de
    run: 2026_T1_DE
  - id: at
    locale: de_AT
    run: 2026_T1_AT
    texts:
      contact: kurs@example.at
"""
EXTRA_LESSON = """\
---
title: Numbers and links
---

## A unit with everything {#everything}

Read **the basics** in [the welcome lesson](01-welcome.md) and see $x^2$.

!!! tip "Remember"
    Every unit has an id.

| Term | Meaning |
|---|---|
| unit | a page |

Contact: {{ contact }}

```video
id: intro
title: Introduction video
youtube: dQw4w9WgXcQ
transcripts:
  en: transcripts/intro-en.srt
```
"""


def it_text(msgid: str) -> str:
    """A stand-in Italian translation that keeps every piece of markup: prefix each text run."""
    return "IT " + msgid


def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "c", {
        "course/instances.yaml": INSTANCES,
        "modules/01-getting-started/03-numbers.md": EXTRA_LESSON,
        "course/static/transcripts/intro-en.srt": "1\n00:00:00,000 --> 00:00:02,000\nHello\n",
        "course/static/transcripts/intro-it.srt": "1\n00:00:00,000 --> 00:00:02,000\nCiao\n",
        "course/static/transcripts/intro-de.srt": "1\n00:00:00,000 --> 00:00:02,000\nHallo\n",
        "course/static/diagram.png": "plain",
        "course/static/diagram.de.png": "german",
        "course/static/diagram.de_AT.png": "austrian",
    })
    course = root / "course/course.yaml"
    text = course.read_text().replace("problems:", "texts:\n  contact: course@example.org\nproblems:")
    course.write_text(text)
    module = root / "modules/01-getting-started/module.yaml"
    module.write_text(module.read_text() + "  - 03-numbers.md\n")
    return root


def fill(path: Path, translate, only=None) -> None:
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if entry.msgid and not entry.obsolete and (only is None or only(entry)):
            entry.msgstr = translate(entry.msgid)
    po.save(str(path))


def test_round_trip_translation_reaches_every_place(tmp_path):
    root = project(tmp_path)
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    result = run_cli("i18n", "update", str(root))
    assert result.exit_code == 0, result.output
    assert {p.name for p in (root / "locale").iterdir()} == {"course.pot", "it.po", "de.po", "de_AT.po"}
    pot = polib.pofile(str(root / "locale/course.pot"))
    ids = {(e.msgctxt, e.msgid) for e in pot}
    assert ("unit title", "What you will learn") in ids
    assert ("assignment type", "Quiz") in ids
    assert (None, "Read **the basics** in [the welcome lesson](01-welcome.md) and see $x^2$.") in ids
    assert ("choice", "`##`") not in ids, "texts without words are not extracted"
    entry = next(e for e in pot if e.msgid == "What you will learn")
    assert "modules/01-getting-started/01-welcome.md:5" in [f"{p}:{n}" for p, n in entry.occurrences]
    assert "Getting started › Welcome" in entry.comment
    fill(root / "locale/it.po", it_text)
    built = run_cli("build", str(root), "-i", "it", "--format", "json")
    assert built.exit_code == 0, built.output
    archive = json.loads(built.output)["archives"][0]
    assert archive["coverage"] == 100.0 and archive["language"] == "it"
    tree = Path(archive["tree"])
    assert 'display_name="IT What you will learn"' in (tree / "vertical/welcome_what-you-will-learn.xml").read_text()
    assert 'display_name="IT Getting started"' in (tree / "chapter/getting-started.xml").read_text()
    html = (tree / "html/numbers_everything_text.html").read_text()
    assert "IT Read <strong>the basics</strong>" in html
    assert 'href="/jump_to_id/welcome"' in html and "\\(x^2\\)" in html
    assert "IT Remember" in html and 'lang="it"' in html
    problem = (tree / "problem/quiz_check_q1.xml").read_text()
    assert "IT What does a <code>##</code> heading start?" in problem
    # The accepted answers are one message, one per line ("IT unit\na unit" here).
    assert 'answer="IT unit"' in problem and 'additional_answer answer="a unit"' in problem
    grading = json.loads((tree / "policies/2026_T1_IT/grading_policy.json").read_text())
    assert grading["GRADER"][0]["type"] == "IT Quiz"
    assert 'format="IT Quiz"' in (tree / "sequential/quiz.xml").read_text()
    assert "IT About this course" in (tree / "about/overview.html").read_text()
    policy = json.loads((tree / "policies/2026_T1_IT/policy.json").read_text())["course/2026_T1_IT"]
    assert policy["display_name"] == "IT My Course" and policy["language"] == "it"
    # No source text where a translation exists: every html paragraph starts with the marker.
    for page in (tree / "html").glob("*.html"):
        body = etree.fromstring(page.read_bytes(), etree.HTMLParser())
        for p in body.iter("p", "h3", "td", "th", "li"):
            text = "".join(p.itertext()).strip()
            if re.search(r"[A-Za-z]{3}", text):
                assert text.startswith("IT") or text.startswith("Contact") is False, (page.name, text)
    video = (tree / "video/numbers_everything_intro.xml").read_text()
    assert 'language="it" src="transcripts/intro-it.srt"' in video and "intro-en.srt" not in video
    assert not (tree / "static/transcripts/intro-de.srt").exists()
    assert not (tree / "static/transcripts/intro-en.srt").exists()


def test_fallback_chain_assets_texts_and_strict(tmp_path):
    root = project(tmp_path)
    run_cli("i18n", "update", str(root))
    fill(root / "locale/de.po", lambda m: "DE " + m)
    fill(root / "locale/de_AT.po", lambda m: "AT " + m, only=lambda e: e.msgid == "What you will learn")
    result = run_cli("build", str(root), "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    by_id = {a["instance"]: a for a in out["archives"]}
    assert set(by_id) == {"en", "it", "de", "at"}
    at = Path(by_id["at"]["tree"])
    assert by_id["at"]["language"] == "de" and by_id["at"]["coverage"] == 100.0
    assert 'display_name="AT What you will learn"' in (at / "vertical/welcome_what-you-will-learn.xml").read_text()
    assert 'display_name="DE Check your understanding"' in (at / "vertical/quiz_check.xml").read_text()
    assert (at / "static/diagram.png").read_text() == "austrian"
    assert not (at / "static/diagram.de.png").exists() and not (at / "static/diagram.de_AT.png").exists()
    assert (Path(by_id["de"]["tree"]) / "static/diagram.png").read_text() == "german"
    assert (Path(by_id["en"]["tree"]) / "static/diagram.png").read_text() == "plain"
    assert "intro-de.srt" in (at / "video/numbers_everything_intro.xml").read_text()
    assert "kurs@example.at" in (at / "html/numbers_everything_text.html").read_text()
    assert "course@example.org" in (Path(by_id["de"]["tree"]) / "html/numbers_everything_text.html").read_text()
    # Italian has no translations: it falls back to English, with a warning that names the places.
    assert by_id["it"]["coverage"] == 0.0
    assert any((f["path"], f["line"], f["severity"], f["code"]) == ("locale/it.po", 1, "warning", "TRN002")
               and "fall back" in f["message"] for f in out["findings"])
    strict = run_cli("build", str(root), "--strict", "-q")
    assert strict.exit_code == 1
    assert "locale/it.po:1:1: error[TRN002]" in strict.stderr
    # url_names are the same in every language.
    names = [url_names(Path(a["tree"])) for a in out["archives"]]
    assert all(n == names[0] for n in names[1:])


def test_partly_translated_problem_falls_back_whole(tmp_path):
    root = project(tmp_path)
    run_cli("i18n", "update", str(root))
    fill(root / "locale/it.po", it_text, only=lambda e: e.msgctxt != "accepted answers")
    result = run_cli("build", str(root), "-i", "it", "-q")
    assert result.exit_code == 0, result.output
    problem = (root / "build/MyOrg+C101+2026_T1_IT/problem/quiz_check_q1.xml").read_text()
    assert "IT " not in problem and 'answer="unit"' in problem
    assert "problems or drawings are only partly translated" in result.stderr


def test_i18n_check_catches_seeded_mistakes(tmp_path):
    root = project(tmp_path)
    run_cli("i18n", "update", str(root))
    seeded = {
        "Read **the basics** in [the welcome lesson](01-welcome.md) and see $x^2$.":
            "Leggi **le basi** nella [lezione](01-benvenuto.md) e vedi $x^3$.",
        "Each `##` heading starts a unit. Write your text in **Markdown**; the `{#id}` at the end of the heading "
        "keeps learners' progress attached to this unit when you rename it.":
            "Ogni titolo `##` avvia un'unità. Scrivi il testo in **Markdown; l'`{#id}` alla fine mantiene "
            "i progressi quando lo rinomini.",
        "Tell the other learners who you are and why you joined.":
            "Racconta <b>chi sei</i> e perché partecipi.",
    }
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        if entry.msgid in seeded:
            entry.msgstr = seeded[entry.msgid]
    po.save(str(root / "locale/it.po"))
    result = run_cli("i18n", "check", str(root), "-l", "it")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(re.match(r"locale/it\.po:\d+:1: error\[TRN003\] link targets differ", ln) for ln in lines), result.output
    assert any("error[TRN105] numbers in math differ from the source: 2 → 3" in ln for ln in lines), result.output
    assert any("unbalanced Markdown: **" in ln for ln in lines) or any("bold" in ln for ln in lines)
    assert any("inline HTML differ" in ln for ln in lines)
    assert any("(source: modules/01-getting-started/03-numbers.md:7)" in ln for ln in lines)
    # The line named is the entry's line in the catalog.
    first = next(ln for ln in lines if "link targets differ" in ln)
    number = int(first.split(":")[1])
    catalog = (root / "locale/it.po").read_text().splitlines()
    assert "Read **the basics**" in "\n".join(catalog[number - 1:number + 4])


def test_catalogs_are_stable_and_checkable(tmp_path):
    root = project(tmp_path)
    run_cli("i18n", "extract", str(root))
    run_cli("i18n", "update", str(root))
    first = {p.name: p.read_bytes() for p in (root / "locale").iterdir()}
    assert run_cli("i18n", "extract", str(root), "--check").exit_code == 0
    assert run_cli("i18n", "update", str(root), "--check").exit_code == 0
    run_cli("i18n", "update", str(root))
    assert {p.name: p.read_bytes() for p in (root / "locale").iterdir()} == first
    for path in (root / "locale").glob("*.po"):
        done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    lesson = root / "modules/01-getting-started/01-welcome.md"
    lesson.write_text(lesson.read_text().replace("## What you will learn", "## What you will discover"))
    assert run_cli("i18n", "extract", str(root), "--check").exit_code == 1
    status = run_cli("i18n", "status", str(root), "--format", "json")
    rows = {r["locale"]: r for r in json.loads(status.output)["locales"]}
    assert set(rows) == {"it", "de", "de_AT"} and rows["it"]["translated"] == 0
    table = run_cli("i18n", "status", str(root))
    assert "de_AT" in table.output and "░" in table.output


def test_repository_catalogs_are_complete_normalised_and_pass_msgfmt():
    from helpers import REPO

    assert run_cli("i18n", "extract", str(REPO), "--check").exit_code == 0, "locale/course.pot is stale"
    assert run_cli("i18n", "update", str(REPO), "--check").exit_code == 0, "a catalog is not normalised"
    catalogs = sorted((REPO / "locale").glob("*.po"))
    assert [p.stem for p in catalogs] == ["de", "de_AT", "hu", "it", "pl", "sk", "sl"]
    for path in [*catalogs, REPO / "locale/course.pot"]:
        done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    status = json.loads(run_cli("i18n", "status", str(REPO), "--format", "json").output)
    for row in status["locales"]:
        assert row["effective_percent"] == 100.0, row
    check = run_cli("i18n", "check", str(REPO))
    assert check.exit_code == 0, check.output
    # As in validate: info-level findings are counted, and printed with --all; JSON has every one, with its code.
    summary = check.output.splitlines()[-1]
    infos = int(re.match(r"0 errors, 0 warnings, (\d+) info \(--all shows them\)$", summary).group(1))
    assert infos > 0 and " info[" not in check.output
    shown = run_cli("i18n", "check", str(REPO), "--all")
    assert shown.exit_code == 0 and len([ln for ln in shown.output.splitlines() if " info[TRN" in ln]) == infos
    listed = json.loads(run_cli("i18n", "check", str(REPO), "--format", "json").output)["findings"]
    assert len(listed) == infos and {f["code"] for f in listed} <= {"TRN004", "TRN005"}


def test_a_variant_is_the_same_bytes_alone_or_among_all(tmp_path):
    """Translating must not leak state between variants (footnote counters did)."""
    from helpers import REPO

    alone, together = tmp_path / "alone", tmp_path / "together"
    assert run_cli("build", str(REPO), "-o", str(alone), "-i", "at", "-q", "--no-tree").exit_code == 0
    assert run_cli("build", str(REPO), "-o", str(together), "-q", "--no-tree").exit_code == 0
    name = "SocialiMakers+SIA+2026_T1_AT.tar.gz"
    assert (alone / name).read_bytes() == (together / name).read_bytes()
    import tarfile

    with tarfile.open(together / name) as tar:
        page = tar.extractfile("course/html/m1-defining_working-definition_text.html").read().decode()
    assert 'id="fnref1"' in page and "[1]" in page and "[1:1]" not in page, "footnotes numbered as in the source"


FOOTNOTE_LESSON = """\
---
title: Footnotes, every way
---

## Notes *with* `markup` in the title {#notes}

A claim[^src] and an inline note^[Written *here*, with a [link](01-welcome.md).] in one paragraph.

- A list item citing the claim again[^src] and another[^other].
- A plain item.

| Term | Note |
|---|---|
| cell | cites[^cell] |

!!! note "A box *title*"
    Text in a box.

[^src]: The source, which cites [^nested] in turn.
[^nested]: A nested note.
[^other]: Another note
    with a second line.
[^cell]: A note cited from a table cell.
[^unused]: Never cited: Markdown drops it, and so must extraction.

## Second unit {#second}

Later text[^late] after the definitions.

[^late]: Defined in the second unit.
"""


def test_extract_reads_texts_only_and_gives_the_full_parse_template(tmp_path):
    """`i18n extract` skips inline parsing where the structure does not need it; the POT must not change."""
    from olxkit.i18n.extract import read_messages, template_text
    from olxkit.source.loader import load_course

    from helpers import REPO

    root = project(tmp_path)
    (root / "modules/01-getting-started/04-notes.md").write_text(FOOTNOTE_LESSON, encoding="utf-8")
    module = root / "modules/01-getting-started/module.yaml"
    module.write_text(module.read_text() + "  - 04-notes.md\n")
    for course_root in (root, REPO):
        full, count = template_text(load_course(course_root))
        lean, lean_count = template_text(load_course(course_root, texts_only=True))
        assert lean == full and lean_count == count > 0
        # Lessons read by several processes (each a share, forked) give the same template, in the same order.
        for jobs in (2, 3, 5):
            course, messages = read_messages(course_root, jobs)
            assert template_text(course, messages=messages) == (full, count), jobs
    pot = run_cli("i18n", "extract", str(root))
    assert pot.exit_code == 0, pot.output
    msgids = {e.msgid for e in polib.pofile(str(root / "locale/course.pot"))}
    assert "Notes *with* `markup` in the title" not in msgids and "Notes with markup in the title" in msgids
    assert "Written *here*, with a [link](01-welcome.md)." in msgids
    assert {"The source, which cites [^nested] in turn.", "A nested note.", "Defined in the second unit."} <= msgids
    assert not any("Never cited" in m for m in msgids)
    # Reading texts does not check links: a translator can extract while a link is broken; build still refuses.
    lesson = root / "modules/01-getting-started/04-notes.md"
    lesson.write_text(FOOTNOTE_LESSON.replace("01-welcome.md", "no-such-lesson.md"), encoding="utf-8")
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    broken = run_cli("build", str(root), "-o", str(tmp_path / "out"), "-q")
    assert broken.exit_code != 0 and "04-notes.md:7" in broken.output


def test_extract_in_shares_reports_each_error_once_at_its_line(tmp_path):
    """An error in a lesson read by a forked share is reported like one found in the calling process."""
    from olxkit.i18n import project as i18n_project
    from olxkit.i18n.extract import read_messages

    root = project(tmp_path)
    lesson = root / "modules/01-getting-started/03-numbers.md"
    lesson.write_text(EXTRA_LESSON.replace("Contact: {{ contact }}", "# A level-one heading"), encoding="utf-8")
    messages = {}
    for jobs in (1, 2, 3):
        try:
            read_messages(root, jobs)
        except OlxkitError as exc:
            messages[jobs] = [d.format() for d in exc.diagnostics]
    assert len(messages) == 3 and messages[1] == messages[2] == messages[3], messages
    assert len(messages[1]) == 1 and "03-numbers.md:16" in messages[1][0]
    result = run_cli("i18n", "extract", str(root))
    assert result.exit_code == 1 and "03-numbers.md:16" in result.output and "Traceback" not in result.output
    assert not (root / "locale/course.pot").exists()
    lesson.write_text(EXTRA_LESSON, encoding="utf-8")
    assert i18n_project.extract(root, jobs=2)[0] > 0 and (root / "locale/course.pot").is_file()


def test_a_catalog_that_is_not_utf8_fails_its_instance_at_its_line(tmp_path):
    """Catalogs are read ahead in a forked child when every instance is built; errors must not change."""
    root = project(tmp_path)
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    catalog = root / "locale/it.po"
    lines = catalog.read_bytes().split(b"\n")
    lines[4] = b'"Language-Team: Italian \xff\\n"'
    catalog.write_bytes(b"\n".join(lines))
    outputs = []
    for number, args in enumerate(([], ["-i", "it"], ["-j", "1"])):
        out = tmp_path / f"out{number}"
        result = run_cli("build", str(root), "-o", str(out), "-q", *args)
        assert result.exit_code == 1, result.output
        outputs.append(result.stderr.splitlines()[0])
        assert "locale/it.po:5:1: error[SYN001] instance `it`" in result.output and "not UTF-8" in result.output
        # Only the Italian instance fails: the others' archives are written (none is left when it is alone).
        assert sorted(p.name for p in out.glob("*.tar.gz")) == ([] if args == ["-i", "it"] else [
            "MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1_AT.tar.gz", "MyOrg+C101+2026_T1_DE.tar.gz"])
    assert not (tmp_path / "out1").exists()
    assert outputs[0] == outputs[1] == outputs[2]


DRAWING = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200" width="400" height="200" role="img">
  <title>Two boxes</title>
  <desc>A box of key activities beside a box of resources.</desc>
  <rect x="0" y="0" width="200" height="200" fill="#ffffff"/>
  <text x="10" y="30" font-size="16">Key activities</text>
  <text x="10" y="60" font-size="14">What must we</text>
  <text x="10" y="78" font-size="14">do well?</text>
  <text x="210" y="30"><tspan x="210">People, skills,</tspan><tspan x="210" dy="18">places, money</tspan></text>
  <text x="10" y="150" font-size="14">Social in its ends <tspan font-weight="bold">and</tspan> in its means</text>
  <text x="300" y="150">3</text>
</svg>
"""
DRAWING_IT = {
    ("diagram title", "Two boxes"): "Due riquadri",
    ("diagram description", "A box of key activities beside a box of resources."):
        "Un riquadro delle attività chiave accanto a uno delle risorse.",
    ("diagram label", "Key activities"): "Attività chiave",
    ("diagram label", "What must we\ndo well?"): "Che cosa\ndobbiamo saper\nfare bene?",
    ("diagram label", "People, skills,\nplaces, money"): "Persone, luoghi",
    ("diagram label", "Social in its ends **and** in its means"): "Sociale nei fini **e** nei mezzi",
}


def _drawing_project(tmp_path: Path) -> Path:
    root = project(tmp_path)
    (root / "course/static/drawing.svg").write_text(DRAWING, encoding="utf-8")
    lesson = root / "modules/01-getting-started/03-numbers.md"
    lesson.write_text(lesson.read_text().replace(
        "Contact: {{ contact }}", "![Two boxes: key activities and resources](../../course/static/drawing.svg)\n\n"
        "Contact: {{ contact }}"), encoding="utf-8")
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    assert run_cli("i18n", "update", str(root)).exit_code == 0
    return root


def _svg_texts(data: bytes) -> list[tuple[str, str | None, str | None]]:
    svg = etree.fromstring(data)
    return [(etree.QName(el).localname, el.get("y"), el.text) for el in svg.iter() if el.text and el.text.strip()]


def test_drawings_are_translated_through_the_catalogs(tmp_path):
    """SVG texts are messages like any other: a translator never edits the SVG, and the archive of each language
    carries the drawing in that language (lines added or dropped at the same spacing)."""
    from helpers import read_member

    root = _drawing_project(tmp_path)
    pot = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(root / "locale/course.pot"))}
    assert set(DRAWING_IT) <= set(pot) and ("diagram label", "3") not in pot
    assert pot[("diagram label", "What must we\ndo well?")].occurrences == [("course/static/drawing.svg", "6")]
    assert "Drawing drawing.svg › text in the drawing" in pot[("diagram label", "Key activities")].comment
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        entry.msgstr = DRAWING_IT.get((entry.msgctxt, entry.msgid), it_text(entry.msgid))
    po.save(str(root / "locale/it.po"))
    # The three-line translation of a two-line label is drawn (below), and the check warns that it may overlap.
    check = run_cli("i18n", "check", str(root), "-l", "it")
    warnings = [ln for ln in check.output.splitlines() if " warning[" in ln or " error[" in ln]
    assert check.exit_code == 0 and len(warnings) == 1, check.output
    assert "warning[TRN008] 3 lines where the drawing has room for 2" in warnings[0]
    assert "(source: course/static/drawing.svg:6)" in warnings[0]
    out = tmp_path / "out"
    assert run_cli("build", str(root), "-o", str(out), "-q", "--no-tree").exit_code == 0
    english = read_member(out / "MyOrg+C101+2026_T1.tar.gz", "course/static/drawing.svg")
    assert english == DRAWING.encode(), "the source language ships the drawing as it is"
    italian = read_member(out / "MyOrg+C101+2026_T1_IT.tar.gz", "course/static/drawing.svg")
    assert _svg_texts(italian) == [
        ("title", None, "Due riquadri"),
        ("desc", None, "Un riquadro delle attività chiave accanto a uno delle risorse."),
        ("text", "30", "Attività chiave"),
        ("text", "60", "Che cosa"), ("text", "78", "dobbiamo saper"), ("text", "96", "fare bene?"),
        ("tspan", None, "Persone, luoghi"),
        ("text", "150", "Sociale nei fini "), ("tspan", None, "e"),
        ("text", "150", "3"),
    ]
    assert b'<tspan font-weight="bold">e</tspan> nei mezzi' in italian and b'dy="18"' not in italian
    # Germany has no translation of the drawing: its archive falls back to the source drawing.
    assert read_member(out / "MyOrg+C101+2026_T1_DE.tar.gz", "course/static/drawing.svg") == DRAWING.encode()


def test_a_drawing_is_wholly_translated_or_not_and_a_hand_made_one_wins(tmp_path):
    from helpers import archive_members, read_member

    root = _drawing_project(tmp_path)
    po = polib.pofile(str(root / "locale/it.po"), wrapwidth=0)
    for entry in po:
        if (entry.msgctxt, entry.msgid) != ("diagram label", "Key activities"):
            entry.msgstr = DRAWING_IT.get((entry.msgctxt, entry.msgid), it_text(entry.msgid))
    po.save(str(root / "locale/it.po"))
    hand_made = DRAWING.replace("Key activities", "Attività (a mano)")
    (root / "course/static/drawing.de.svg").write_text(hand_made, encoding="utf-8")
    po = polib.pofile(str(root / "locale/de.po"), wrapwidth=0)
    for entry in po:
        entry.msgstr = "DE " + entry.msgid
    po.save(str(root / "locale/de.po"))
    out = tmp_path / "out"
    result = run_cli("build", str(root), "-o", str(out), "--no-tree")
    assert result.exit_code == 0, result.output
    assert "1 problems or drawings are only partly translated" in result.stderr
    assert read_member(out / "MyOrg+C101+2026_T1_IT.tar.gz", "course/static/drawing.svg") == DRAWING.encode()
    # drawing.de.svg is the German (and Austrian) drawing, whatever de.po says; it is not a file of its own.
    for name in ("MyOrg+C101+2026_T1_DE.tar.gz", "MyOrg+C101+2026_T1_AT.tar.gz"):
        assert read_member(out / name, "course/static/drawing.svg") == hand_made.encode()
        assert "course/static/drawing.de.svg" not in [m.name for m in archive_members(out / name)]
