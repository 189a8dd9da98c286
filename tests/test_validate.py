"""`olxkit validate`: one seeded fault per rule, the output formats, exit codes, `rules:`, and the CI files.

Every rule of olxkit/rules.py has a test here (`test_rule`, parametrized over the catalogue): a small course made
by `olxkit new`, broken in exactly one way, must give the expected finding (code, file, line) and, at warning level
and above, nothing else but the findings that necessarily come with that fault.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml
from test_import import seeded_import_finding

import olxkit.check.validate as validate_module
import olxkit.report as report
from olxkit.diagnostics import Diagnostic, Severity
from olxkit.i18n.pofile import read_catalog, write_catalog
from olxkit.olx_export import export_olx
from olxkit.report import rules_markdown
from olxkit.rules import BY_CODE, RULES
from olxkit.source.loader import load_course

from helpers import REPO, make_project, run_cli

LESSON = "modules/01-getting-started/01-welcome.md"
QUIZ = "modules/01-getting-started/02-quiz.md"
MODULE = "modules/01-getting-started/module.yaml"
COURSE = "course/course.yaml"
IT_PO = "locale/it.po"
PARAGRAPH = "Each `##` heading"  # the first line of the first paragraph of LESSON (line 7)
INSTANCES = """\
instances:
  - id: en
    locale: en
  - id: it
    locale: it
    run: 2026_T1_IT
"""
SCHEMA = json.loads((REPO / "docs/validate.schema.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------ helpers


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root, rel, old, new)


def before_paragraph(text: str) -> Callable[[Path], None]:
    """Put `text` (and a blank line) at line 7 of the welcome lesson, before its first paragraph."""
    return replace(LESSON, PARAGRAPH, f"{text}\n\n{PARAGRAPH}")


def steps(*seeds: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        for seed in seeds:
            seed(root)

    return run


def translate_it(root: Path, tweak: Callable | None = None) -> None:
    """locale/it.po made by `olxkit i18n update`, every text translated ("IT " + source), then `tweak`ed."""
    result = run_cli("i18n", "update", str(root))
    assert result.exit_code == 0, result.output
    path = root / IT_PO
    po = read_catalog(path)
    for entry in po:
        if entry.msgid and not entry.obsolete:
            entry.msgstr = "IT " + entry.msgid
            if tweak:
                tweak(entry)
    write_catalog(po, path)


def po_entry_line(root: Path, msgid: str) -> int:
    """The first line of the catalog entry whose msgid is `msgid` (where findings about it point)."""
    lines = (root / IT_PO).read_text(encoding="utf-8").splitlines()
    if "\n" in msgid:  # written as msgid "" and one quoted line per line of the text
        parts = [json.dumps(p, ensure_ascii=False) for p in msgid.splitlines(True)]
        at = next(i for i in range(len(lines)) if lines[i] == 'msgid ""' and lines[i + 1:i + 1 + len(parts)] == parts)
    else:
        at = lines.index(f"msgid {json.dumps(msgid, ensure_ascii=False)}")
    while at > 0 and lines[at - 1].strip():
        at -= 1
    return at + 1


def validate_json(root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("validate", str(root), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def show(doc: dict) -> str:
    return "\n".join(f"{f['path']}:{f['line']}: {f['severity']}[{f['code']}] {f['message']}" for f in doc["findings"])


# ------------------------------------------------------------------------------------------------ seeded faults


def _untranslated(*msgids: str):
    def tweak(entry):
        if entry.msgid in msgids:
            entry.msgstr = ""

    return tweak


def _fuzzy(msgid: str):
    def tweak(entry):
        if entry.msgid == msgid:
            entry.flags.append("fuzzy")

    return tweak


def _msgstr(msgid: str, msgstr: str | Callable[[str], str]):
    def tweak(entry):
        if entry.msgid == msgid:
            entry.msgstr = msgstr(entry.msgstr) if callable(msgstr) else msgstr

    return tweak


def _all_translated(entry) -> None:
    pass


def _symlink(root: Path) -> None:
    (root / "course/static/logo.png").symlink_to(root / COURSE)


def _outside_link(root: Path) -> None:
    outside = root.parent / f"{root.name}-outside.md"
    outside.write_text("Not part of the course.\n")
    (root / "course/handouts.md").unlink()
    (root / "course/handouts.md").symlink_to(outside)


def _large_file(root: Path) -> None:
    with open(root / "course/static/photo.jpg", "wb") as fh:
        fh.truncate(11 * 1024 * 1024)  # sparse: 11 MB on paper, nothing on disk


@dataclass(frozen=True)
class Case:
    """A course from `olxkit new` with one fault; the finding it must give; what necessarily comes with it."""

    code: str
    name: str
    seed: Callable[[Path], None]
    path: str
    line: int | str
    """The expected line, or (a str) the msgid of the locale/it.po entry the finding points at."""
    words: str
    """A regular expression the message must match: it says what is wrong and what to do."""
    files: dict[str, str] = field(default_factory=dict)
    also: tuple[str, ...] = ()
    """Codes of the other findings (warning and above) this fault necessarily brings; none when isolated."""
    catalog: Callable | None = None
    """With a catalog tweak, the course gets an Italian instance and a translated locale/it.po, then tweaked."""
    args: tuple[str, ...] = ()
    column: int = 1
    """YAML findings (YML…) point at the column of the fault; the others at the line."""


VIDEO = "```video\nid: intro\nyoutube: dQw4w9WgXcQ\ntranscripts:\n  en: intro-en.srt\n```"
SRT = "1\n00:00:00,000 --> 00:00:01,000\nHello\n"
COURSE_IMAGE = {"course/static/cover.png": "png"}  # olxcleaner requires a course image


def _with_course_image(root: Path) -> None:
    edit(root, COURSE, "  duration:", "  image: cover.png\n  duration:")


CASES = [
    # -- SYN: syntax
    Case("SYN001", "not-utf8", lambda r: (r / LESSON).write_bytes("---\ntitle: Caf\u00e9\n---\n".encode("latin-1")),
         LESSON, 2, "not UTF-8"),
    Case("SYN001", "no-front-matter", replace(LESSON, "---\ntitle: Welcome\n---\n", ""), LESSON, 1,
         "starts with YAML front matter"),
    Case("SYN001", "unreadable-catalog", lambda r: None, IT_PO, 3, "cannot read this catalog",
         files={"course/instances.yaml": INSTANCES, IT_PO: 'msgid "Welcome"\nmsgstr "Benvenuti"\nnonsense\n'}),
    Case("YML004", "malformed-glossary", lambda r: None, "course/glossary.yaml", 2,
         "the `\\[` opened here is never closed",
         files={"course/instances.yaml": INSTANCES, "course/glossary.yaml": "terms:\n  - en: [progress\n"},
         catalog=_all_translated, column=9),
    # -- YML: YAML that breaks, at the real place, with what to do
    Case("YML001", "tab", replace(QUIZ, "answers: [unit, a unit]", "answers:\n\t- unit"), QUIZ, 15,
         "a tab character.*replace the tab with spaces"),
    Case("YML002", "colon-in-value", replace(LESSON, "title: Welcome", "title: Welcome: start here"), LESSON, 2,
         'put the value in quotes, as in `title: "Welcome: start here"`', column=15),
    Case("YML003", "de-indented-key", replace(LESSON, '    feedback: "Right', '  feedback: "Right'), LESSON, 19,
         "does not fit the list that starts at line 16", column=3),
    Case("YML004", "unclosed-bracket", replace(COURSE, "title: ", "title: [unclosed\n  x: "), COURSE, 4,
         "the `\\[` opened here is never closed", column=8),
    # -- AUT: authoring mistakes that would reach learners
    Case("AUT001", "unclosed-fence", replace(QUIZ, "answers: [unit, a unit]\nexplanation: Every `##` heading "
         "starts a unit.\n```\n", "answers: [unit, a unit]\n"), QUIZ, 9, "fence opened here is not closed"),
    Case("AUT002", "empty-choice", replace(LESSON, '    feedback: "Right: one `##` heading per unit."\n',
         '    feedback: "Right: one `##` heading per unit."\n  -\n'), LESSON, 20, "an empty choice"),
    Case("AUT003", "hints-a-string", replace(QUIZ, "explanation:", "hints: One word.\nexplanation:"), QUIZ, 15,
         "`hints:` is a list"),
    Case("AUT004", "due-before-start", replace(QUIZ, "format: Quiz\n", "format: Quiz\ndue: 2026-08-01\n"), QUIZ,
         5, "before the course starts"),
    Case("AUT005", "member-name-too-long", steps(
        replace(QUIZ, "title: Quiz\n", f"title: Quiz\nid: {'q' * 50}\n"),
        replace(QUIZ, "{#check}", f"{{#{'c' * 50}}}")), QUIZ, 8, "shorter id", also=("AUT005",)),
    Case("SYN002", "unknown-key", replace(COURSE, "self_paced: true", "self_pacd: true"), COURSE, 8,
         "unknown key `self_pacd`.*did you mean `self_paced`"),
    Case("SYN003", "missing-title", replace(LESSON, "title: Welcome\n", "id: welcome\n"), LESSON, 2,
         "missing required key `title`"),
    Case("SYN004", "bad-date", replace(COURSE, "start: 2026-09-01", "start: 2026-13-01"), COURSE, 6,
         "is not a date"),
    Case("SYN005", "unknown-component", replace(LESSON, "```discussion", "```discusion"), LESSON, 25,
         "unknown component type `discusion`.*did you mean `discussion`"),
    Case("SYN006", "olx-not-well-formed",
         replace(QUIZ, "```problem", '```olx\n<drag-and-drop-v2 url_name="dnd">\n```\n\n```problem'), QUIZ, 10,
         "not well-formed XML"),
    Case("SYN007", "unknown-text", before_paragraph("Write to {{ contact_mail }}."), LESSON, 7,
         r"unknown text `\{\{ contact_mail \}\}`; declare it under `texts:`"),
    # In the second block of the text: the finding is at that block's line, not the text's first.
    Case("SYN007", "unknown-text-later", before_paragraph("Hello.\n\n- a list item\n- with {{ contact_mail }}"),
         LESSON, 10, r"unknown text `\{\{ contact_mail \}\}`"),
    # -- STR: structure
    Case("STR001", "lesson-missing", replace(MODULE, "02-quiz.md", "02-quizz.md"), MODULE, 4,
         "does not exist.*did you mean `02-quiz.md`"),
    Case("STR001", "module-missing", replace(COURSE, "  - 01-getting-started", "  - 01-getting-startd"), COURSE, 23,
         "modules/01-getting-startd/module.yaml does not exist.*did you mean"),
    Case("STR002", "unlisted-lesson", lambda r: None, "modules/01-getting-started/03-draft.md", 1,
         "not listed in .*module.yaml", files={"modules/01-getting-started/03-draft.md": "---\ntitle: Draft\n---\n"}),
    Case("STR002", "unlisted-module", lambda r: (r / "modules/02-later").mkdir(), "modules/02-later", 1,
         "not listed in course/course.yaml `modules:`"),
    Case("STR003", "duplicate-unit-id", replace(LESSON, "{#introduce-yourself}", "{#what-you-will-learn}"), LESSON,
         23, "duplicate unit id `what-you-will-learn` \\(also at line 5\\)"),
    Case("STR004", "empty-unit", replace(LESSON, "## Introduce yourself", "## Empty {#empty}\n\n## Introduce yourself"),
         LESSON, 23, "unit `Empty` is empty"),
    Case("STR005", "module-and-lesson-id", replace(QUIZ, "title: Quiz\n", "title: Quiz\nid: getting-started\n"),
         MODULE, 1, "module id `getting-started` is also the id of lesson"),
    Case("STR006", "unpinned-unit", replace(LESSON, " {#introduce-yourself}", ""), LESSON, 23,
         r"has no explicit id.*olxkit pin-ids"),
    # -- LNK: links
    Case("LNK001", "missing-lesson", before_paragraph("See [the next lesson](03-nothing.md)."), LESSON, 7,
         "no lesson `modules/01-getting-started/03-nothing.md`"),
    Case("LNK001", "missing-unit", before_paragraph("See [the quiz](02-quiz.md#nope)."), LESSON, 7,
         "has no unit with id `nope`"),
    Case("LNK002", "empty-target", before_paragraph("See [the guide]()."), LESSON, 7, "empty link target"),
    Case("LNK002", "malformed-url", before_paragraph("See [the guide](https:/example.org)."), LESSON, 7,
         "`https:/example.org` is not a valid web address"),
    Case("LNK002", "script-in-html", before_paragraph('Press <a href="javascript:go()">go</a>.'), LESSON, 7,
         "`javascript:` URLs are not allowed"),
    Case("LNK003", "escapes", before_paragraph("[The passwords](../../../../etc/passwd)"), LESSON, 7,
         "outside the course folder"),
    Case("LNK004", "click-here", replace(LESSON, "keeps\nlearners'", "keeps\n[click here](https://example.org)\n"
                                         "learners'"), LESSON, 8, "link text `click here` says nothing"),
    # A run the build does not parse (fastinline vouches for it): its links reach the checks all the same, each at
    # its own line, its label's text without the emphasis.
    Case("LNK004", "click-here-unparsed-run",
         before_paragraph("A *plain* run,\nthen (see [**click here**](02-quiz.md))."), LESSON, 8,
         "link text `click here` says nothing"),
    # (The link check reports at the paragraph's first line, as for a parsed run.)
    Case("LNK001", "missing-unit-unparsed-run", before_paragraph("A **plain** run,\nwith two lines\n"
                                                                 "and [a *unit*](#nowhere) in it."), LESSON, 7,
         "no unit with id `nowhere` in this lesson"),
    # -- AST: assets
    Case("AST001", "missing-image", before_paragraph("![A diagram](../../course/static/nope.png)"), LESSON, 7,
         "missing image `course/static/nope.png`"),
    Case("AST002", "unused-asset", lambda r: None, "course/static/old-logo.png", 1, "not used by any page",
         files={"course/static/old-logo.png": "png"}),
    Case("AST003", "large-asset", steps(_large_file, before_paragraph("![The team](../../course/static/photo.jpg)")),
         "course/static/photo.jpg", 1, r"11\.0 MB, over the 10 MB limit"),
    Case("AST004", "odd-name", lambda r: None, "course/static/my file.png", 1, "rename the file",
         files={"course/static/my file.png": "png"}),
    Case("AST004", "flattened-collision", lambda r: None, "course/static/images/a.png", 1,
         "stores both `images_a.png` and `images/a.png`",
         files={"course/static/images/a.png": "png", "course/static/images_a.png": "png"}),
    Case("AST005", "exe", before_paragraph("Get [the installer](../../course/static/setup.exe)."),
         "course/static/setup.exe", 1, "browsers will not open `.exe` files", files={"course/static/setup.exe": "x"}),
    Case("AST006", "symlink", _symlink, "course/static/logo.png", 1, "symbolic links are not allowed"),
    # -- SEC: security
    Case("SEC001", "outside-link", _outside_link, "course/handouts.md", 1, "leads outside the project.*copy the file"),
    # -- ACC: accessibility
    Case("ACC001", "no-alt", before_paragraph("![](../../course/static/card.png)"), LESSON, 7,
         "image without alt text", files={"course/static/card.png": "png"}),
    Case("ACC002", "file-name-alt", before_paragraph("![chart.png](../../course/static/chart.png)"), LESSON, 7,
         "the alt text `chart.png` is a file name", files={"course/static/chart.png": "png"}),
    Case("ACC003", "heading-jump", before_paragraph("#### Detail"), LESSON, 7, "jumps from h2 to h4; use ###"),
    Case("ACC004", "empty-table-header", before_paragraph("|   |   |\n|---|---|\n| a | b |"), LESSON, 7,
         "header row is empty"),
    Case("ACC005", "no-italian-transcript", before_paragraph(VIDEO), LESSON, 7,
         "video `intro` has no transcript in it for instance `it` \\(add course/static/intro-it.srt\\)",
         files={"course/instances.yaml": INSTANCES, "course/static/intro-en.srt": SRT}, catalog=_all_translated),
    Case("ACC001", "html-img-no-alt", before_paragraph('<img src="/static/card.png">'), LESSON, 7,
         "this <img> has no alt attribute", files={"course/static/card.png": "png"}),
    Case("ACC006", "empty-link", before_paragraph("See [](https://example.org) for more."), LESSON, 7,
         "this link has no text \\(https://example.org\\)"),
    Case("ACC006", "empty-html-link", before_paragraph('<p>See <a href="https://example.org"> </a>.</p>'), LESSON,
         7, "this link has no text; write what it leads to"),
    Case("ACC007", "html-table-no-th", before_paragraph("<table>\n<tr><td>a</td><td>b</td></tr>\n</table>"),
         LESSON, 7, "this table has no header cells"),
    Case("ACC008", "iframe-no-title", before_paragraph('<iframe src="https://example.org/map"></iframe>'), LESSON, 7,
         "this <iframe> has no title"),
    Case("ACC009", "invalid-lang", before_paragraph('<p>It says <span lang="italian">ciao</span>.</p>'), LESSON, 7,
         'lang="italian" is not a language tag'),
    # -- DAT: dates
    Case("DAT001", "course-ends-first", replace(COURSE, "end: 2026-12-18", "end: 2026-06-01"), COURSE, 7,
         "`end` must be after its `start`"),
    Case("DAT001", "instance-ends-first", lambda r: None, "course/instances.yaml", 4,
         "instance `late` ends before it starts",
         files={"course/instances.yaml": "instances:\n  - id: en\n    locale: en\n  - id: late\n    locale: en\n"
                "    run: LATE\n    start: 2027-01-01\n    end: 2026-10-01\n"}),
    Case("DAT002", "due-after-end", replace(QUIZ, "format: Quiz\n", "format: Quiz\ndue: 2027-01-01\n"), QUIZ, 5,
         "due date is outside the course dates"),
    Case("DAT003", "enrolment-closes-first",
         replace(COURSE, "self_paced: true", "self_paced: true\nenrollment:\n  start: 2026-03-01\n  end: 2026-02-01"),
         COURSE, 11, "enrolment closes before it opens"),
    Case("DAT003", "instance-enrolment-after-its-end", lambda r: None, "course/instances.yaml", 4,
         "instance `short`: enrolment closes after the course ends",
         files={"course/instances.yaml": "instances:\n  - id: en\n    locale: en\n  - id: short\n    locale: en\n"
                "    run: SHORT\n    end: 2026-10-01\n    enrollment: {end: 2026-11-01}\n"}),
    # -- GRD: grading
    Case("GRD001", "unknown-format", replace(QUIZ, "format: Quiz", "format: Quizz"), QUIZ, 4,
         "`format: Quizz`, which is not an assignment type.*did you mean `Quiz`"),
    Case("GRD002", "weights", replace(COURSE, "weight: 100", "weight: 90"), COURSE, 16, "add up to 90%, not 100%"),
    Case("GRD003", "drop-all", replace(COURSE, "weight: 100", "weight: 100\n      drop: 1"), COURSE, 16,
         "`drop: 1` leaves no `Quiz` counted"),
    Case("GRD004", "pass-percent", replace(COURSE, "pass: 0.6", "pass: 60"), COURSE, 14,
         "must be a share between 0 and 1"),
    Case("GRD005", "unused-type", replace(COURSE, "weight: 100", "weight: 60\n    - type: Lab\n      weight: 40"),
         COURSE, 19, "no graded lesson has `format: Lab`; its 40% of the grade is lost"),
    Case("GRD006", "graded-without-format", replace(QUIZ, "format: Quiz\n", ""), QUIZ, 3,
         "a graded lesson needs `format:`"),
    # -- PRB: problems
    Case("PRB001", "no-correct-choice", replace(LESSON, "    correct: true\n", ""), LESSON, 16,
         "no choice is marked `correct: true`"),
    Case("PRB002", "answer-not-a-number",
         steps(replace(QUIZ, "type: text", "type: numerical"), replace(QUIZ, "answers: [unit, a unit]",
                                                                        "answer: about ten")),
         QUIZ, 14, "`answer: about ten` is not a number or a range"),
    # At the first of the two equal choices (line 16; the second is line 17).
    Case("PRB003", "choice-twice", replace(LESSON, '  - text: "`#`"\n', '  - text: "`##`"\n'), LESSON, 16,
         "the choice ``##`` is listed twice"),
    Case("PRB004", "max-attempts", replace(COURSE, "max_attempts: 2", "max_attempts: 0"), COURSE, 20,
         "`max_attempts` must be 1 or more"),
    Case("PRB005", "question-type", replace(LESSON, "type: single-choice", "type: single-choise"), LESSON, 13,
         "unknown question type `single-choise` \\(did you mean `single-choice`"),
    # At the problem block's fence (line 10): problem markup is checked for the whole problem.
    Case("PRB006", "unclosed-tag", replace(LESSON, "prompt: Which heading", "prompt: Which <b>heading"), LESSON, 10,
         "problem `warm-up`: text that is not well-formed XML"),
    # -- TRN: translations (an Italian instance, locale/it.po translated, then one fault)
    Case("TRN001", "coverage", lambda r: None, IT_PO, 1, r"coverage 7\d\.\d% is below its min_coverage of 95%",
         files={"course/instances.yaml": INSTANCES + "    min_coverage: 95\n"},
         catalog=_untranslated("Welcome", "Quiz", "My Course", "About this course", "4 weeks", "2 hours/week"),
         also=("TRN002",)),
    Case("TRN001", "no-catalog", lambda r: None, "course/instances.yaml", 4,
         r"instance `it`: coverage 0% is below its min_coverage of 50% \(locale/it.po is missing\)",
         files={"course/instances.yaml": INSTANCES + "    min_coverage: 50\n"}, also=("TRN002",)),
    Case("TRN002", "untranslated", lambda r: None, IT_PO, 1, "1 of 28 texts are untranslated or fuzzy and fall back: "
         f"{LESSON}:1", files={"course/instances.yaml": INSTANCES}, catalog=_untranslated("Welcome")),
    Case("TRN002", "no-catalog", lambda r: None, "course/instances.yaml", 4,
         r"instance `it` has no catalog \(locale/it.po\): all its texts fall back to `en`; run `olxkit i18n update`",
         files={"course/instances.yaml": INSTANCES}),
    # A fuzzy entry falls back too (it.po:1) and is pointed at itself.
    Case("TRN002", "fuzzy", lambda r: None, IT_PO, "Welcome", "fuzzy translation: the source changed",
         files={"course/instances.yaml": INSTANCES}, catalog=_fuzzy("Welcome"), also=("TRN002",)),
    Case("TRN003", "link-changed", lambda r: None, IT_PO, "[Start here](../modules/01-getting-started/01-welcome.md)",
         "link targets differ from the source: missing `../modules/01-getting-started/01-welcome.md`",
         files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("[Start here](../modules/01-getting-started/01-welcome.md)",
                         "[Inizia qui](../modules/01-getting-started/02-quiz.md)"), also=("TRN002", "TRN101")),
    Case("TRN004", "same-as-source", lambda r: None, IT_PO, "Welcome", "the translation is the same as the source",
         files={"course/instances.yaml": INSTANCES}, catalog=_msgstr("Welcome", "Welcome")),
    Case("TRN005", "glossary", lambda r: None, IT_PO, "Each `##` heading starts a unit. Write your text in "
         "**Markdown**; the `{#id}` at the end of the heading keeps learners' progress attached to this unit when "
         "you rename it.", "glossary: `progress` should be translated as `progressi`",
         files={"course/instances.yaml": INSTANCES, "course/glossary.yaml": "terms:\n  - en: progress\n"
                "    it: progressi\n"}, catalog=_all_translated),
    Case("TRN006", "mixed-problem", lambda r: None, IT_PO, 1, "1 problems or drawings are only partly translated",
         files={"course/instances.yaml": INSTANCES}, catalog=_untranslated("Which heading level starts a unit?"),
         also=("TRN002",)),
    Case("TRN007", "url-changed", before_paragraph("Read [the Open edX guide](https://docs.openedx.org/en/latest/)."),
         IT_PO, "Read [the Open edX guide](https://docs.openedx.org/en/latest/).",
         "link URLs differ from the source: missing `https://docs.openedx.org/en/latest/`",
         files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("Read [the Open edX guide](https://docs.openedx.org/en/latest/).",
                         lambda s: s.replace("/en/", "/it/"))),
    Case("TRN008", "drawing-fit", before_paragraph("![Two boxes](../../course/static/boxes.svg)"), IT_PO,
         "Key activities", r"the line `Attività chiave dell'organizzazione` \(35 characters\) may not fit",
         files={"course/instances.yaml": INSTANCES, "course/static/boxes.svg":
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 100"><title>Two boxes</title>'
                '<text x="10" y="30">Key activities</text><text x="210" y="30">Key resources</text></svg>\n'},
         catalog=_msgstr("Key activities", "Attività chiave dell'organizzazione")),
    # The gate: the build (and validate) do not use a translation with an error; it falls back, with a warning.
    Case("TRN101", "not-used", lambda r: None, IT_PO, "Welcome",
         r"instance `it`: translation not used \(TRN102: active or new content.*`<script>`.*\); the text is shown "
         "in `en` instead", files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("Welcome", "Benvenuti <script>alert('x')</script>"), also=("TRN002", "TRN003", "TRN102")),
    Case("TRN102", "event-handler", lambda r: None, IT_PO, "Welcome",
         "an event handler `onerror=`; the tag `<img>`, which the source does not use",
         files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("Welcome", "Benvenuti <img src=x onerror=alert(1)>"), also=("TRN002", "TRN003", "TRN101")),
    Case("TRN103", "newline-at-end", lambda r: None, IT_PO, "Welcome",
         "do not both end with a newline", files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("Welcome", "Benvenuti\n"), also=("TRN002", "TRN101")),
    Case("TRN104", "list-added", before_paragraph("Share who you are and why you joined."), IT_PO,
         "Share who you are and why you joined.", "the structure differs from the source: 2 list items where the "
         "source has 0", files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("Share who you are and why you joined.", "Racconta:\n- chi sei\n- perché partecipi")
         , also=("TRN002", "TRN101")),
    Case("TRN105", "decimal-read-wrong", before_paragraph("One and a half is 1.5, and 1.5 × 3 = 4.5."), IT_PO,
         "One and a half is 1.5, and 1.5 × 3 = 4.5.", r"numbers differ from the source: 15, 45 in the translation",
         files={"course/instances.yaml": INSTANCES},
         catalog=_msgstr("One and a half is 1.5, and 1.5 × 3 = 4.5.", "Uno e mezzo è 1,5, e 15 × 3 = 45."),
         also=("TRN002", "TRN101")),
    Case("TRN106", "no-accepted-answer", lambda r: None, IT_PO, "unit\na unit", "no accepted answer",
         files={"course/instances.yaml": INSTANCES}, catalog=_msgstr("unit\na unit", " "),
         also=("TRN002", "TRN006", "TRN101")),
    # -- OLX: the OLX each instance gets, through Studio's import gate. An empty raw block is caught where it is
    # written (line 9); what only the built OLX shows points at the unit holding it (line 7).
    Case("OLX001", "empty-raw-problem", replace(QUIZ, "```problem", '```olx\n<problem display_name="Empty"/>\n```\n\n'
                                                "```problem"), QUIZ, 9,
         "the olx block <problem> is empty; a core block needs its content inline"),
    Case("OLX002", "html5-tag", before_paragraph("<section>Hi</section>"), LESSON, 7,
         "the HTML made from this text is not valid: Tag section invalid"),
    # In a later block of the text: the finding is at that block, not at the text's first line.
    Case("OLX002", "html5-tag-later", before_paragraph("Hello.\n\n> A quote with <nav>a menu</nav> in it."), LESSON, 9,
         "the HTML made from this text is not valid: Tag nav invalid"),
    Case("OLX100", "olxcleaner-invalid-setting",
         steps(_with_course_image, replace(QUIZ, "```problem", '```olx\n<problem display_name="Raw" '
                                           'showanswer="after_all_attempts"><p>Hi</p></problem>\n```\n\n```problem')),
         QUIZ, 7, "olxcleaner InvalidSetting: .*invalid setting 'showanswer=after_all_attempts'",
         files=COURSE_IMAGE, args=("--olxcleaner",)),
]


def check_case(case: Case, root: Path) -> None:
    if "--olxcleaner" in case.args:
        assert importlib.util.find_spec("olxcleaner"), (
            f"{case.code} needs olxcleaner: pip install -r requirements-conformance.txt")
    make_project(root, case.files)
    case.seed(root)
    if case.catalog is not None:
        translate_it(root, case.catalog)
    exit_code, doc = validate_json(root, *case.args)
    rule = BY_CODE[case.code]
    line = po_entry_line(root, case.line) if isinstance(case.line, str) else case.line
    where = f"case {case.code}/{case.name}: expected {case.path}:{line} {case.code}; got:\n{show(doc)}"
    hits = [f for f in doc["findings"] if (f["code"], f["path"], f["line"]) == (case.code, case.path, line)]
    assert len(hits) == 1, where
    hit = hits[0]
    assert re.search(case.words, hit["message"]), where
    assert (hit["severity"], hit["rule"], hit["column"]) == (str(rule.severity), rule.name, case.column), where
    others = [f for f in doc["findings"] if f is not hit and f["severity"] != "info"]
    assert sorted({f["code"] for f in others}) == sorted(case.also), where
    assert exit_code == (1 if doc["summary"]["error"] else 0), where


def check_internal_error(root: Path, monkeypatch) -> None:
    """INT001: no course source makes a check crash, so a crash is simulated; olxcleaner failing is real code."""
    make_project(root, {})
    before_paragraph("Write to {{ contact_mail }}.")(root)

    def crash(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(validate_module, "lint_course", crash)
    exit_code, doc = validate_json(root)
    assert exit_code == 1
    crashed = [f for f in doc["findings"] if f["code"] == "INT001"]
    assert len(crashed) == 1, show(doc)
    assert (crashed[0]["path"], crashed[0]["line"], crashed[0]["column"]) == ("", 0, 0)
    assert "checks crashed (RuntimeError: boom); please report it" in crashed[0]["message"]
    # The other checks still ran: the export's finding is there too.
    assert [(f["code"], f["path"], f["line"]) for f in doc["findings"] if f["code"] != "INT001"] == [
        ("SYN007", LESSON, 7)
    ], show(doc)
    jsonschema.validate(doc, SCHEMA)
    monkeypatch.undo()

    # --olxcleaner where the Python running olxkit has no olxcleaner: a usage error (exit 2), no traceback.
    root = make_project(root.parent / "clean", {})
    python = root.parent / "python-without-olxcleaner"
    python.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'olxcleaner'\" >&2\nexit 1\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(validate_module.sys, "executable", str(python))
    result = run_cli("validate", str(root), "--olxcleaner")
    assert result.exit_code == 2
    assert "olxkit: --olxcleaner needs the olxcleaner package (Studio's import validator): pip install olxcleaner" \
        in result.stderr
    assert not result.stdout
    assert "Traceback" not in result.output


def check_linked_output(root: Path, monkeypatch) -> None:
    """SEC002: validate writes nothing; the build refuses a `build` link before writing anything."""
    make_project(root, {})
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (root / "build").symlink_to(elsewhere)
    result = run_cli("build", str(root))
    assert result.exit_code == 1
    assert "build:1:1: error[SEC002] `build` is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


# Rules no course source can trigger, with the reason and the check that stands in for a seeded fault.
NOT_SEEDABLE = {
    "INT001": ("an internal error is a bug in olxkit: no course makes a check crash (simulated here), and "
               "olxcleaner failing depends on the machine (simulated with a Python that lacks it)",
               check_internal_error),
    **{code: ("an import finding: seeded by importing a crafted export (tests/test_import.py)",
              lambda root, monkeypatch, code=code: seeded_import_finding(code, root, monkeypatch))
       for code in ("IMP001", "IMP009", "IMP010", "IMP011", "IMP012", "IMP013", "IMP014")},
    "SEC002": ("validate writes nothing: the output folder is checked by the commands that write (build, publish)",
               check_linked_output),
}


@pytest.mark.parametrize("code", [
    pytest.param(rule.code, id=f"{rule.code}-not-seedable" if rule.code in NOT_SEEDABLE else rule.code)
    for rule in RULES
])
def test_rule(code, tmp_path, monkeypatch):
    """Each rule: a course with exactly that fault gives exactly that finding, at its file and line."""
    if code in NOT_SEEDABLE:
        reason, check = NOT_SEEDABLE[code]
        assert reason, f"say why {code} cannot be seeded"
        check(tmp_path / "course", monkeypatch)
        return
    cases = [case for case in CASES if case.code == code]
    assert cases, f"rule {code} has no seeded fault: add a Case to CASES in tests/test_validate.py"
    for case in cases:
        check_case(case, tmp_path / case.name)


def test_cases_name_only_known_rules():
    assert {case.code for case in CASES} - set(BY_CODE) == set()
    assert set(NOT_SEEDABLE) <= set(BY_CODE)
    assert len({(case.code, case.name) for case in CASES}) == len(CASES)


def test_every_unreadable_catalog_is_reported_and_the_instances_are_not_checked(tmp_path):
    """Each catalog is read by the process that checks it: every one that cannot be read is a SYN001 error at its
    own file:line (not only the first), and validate stops there, as before, without the instances' findings."""
    instances = INSTANCES + "  - id: de\n    locale: de\n    run: 2026_T1_DE\n"
    root = make_project(tmp_path / "course", {"course/instances.yaml": instances,
                                              IT_PO: 'msgid "Welcome"\nmsgstr "Benvenuti"\nnonsense\n',
                                              "locale/de.po": 'msgid "Welcome"\nmsgstr "Willkommen"\n\n\nbroken\n'})
    code, doc = validate_json(root)
    assert code == 1
    found = [(f["code"], f["path"], f["line"], f["severity"]) for f in doc["findings"]]
    assert ("SYN001", "locale/de.po", 5, "error") in found and ("SYN001", IT_PO, 3, "error") in found, show(doc)
    assert not [f for f in doc["findings"] if f["code"].startswith(("TRN", "OLX"))], show(doc)


def test_olx_gate_rejects_broken_olx(tmp_path):
    """OLX001 on OLX the compiler does not write: a missing pointer target, a pointer with attributes, bad XML."""
    root = make_project(tmp_path / "course", {})
    tree, diags = export_olx(load_course(root))
    assert diags.items == [] and validate_module.olx_gate(tree) == []

    def gate(change) -> list[tuple[str, int, str]]:
        broken = type(tree)(dict(tree.files), dict(tree.assets), tree.counts, dict(tree.origins))
        change(broken.files)
        found = validate_module.olx_gate(broken)
        assert {d.code for d in found} == {"OLX001"} and all(d.severity == Severity.ERROR for d in found)
        return [(d.path, d.line, d.message) for d in found]

    [(path, line, message)] = gate(lambda files: files.pop("problem/quiz_check_q1.xml"))
    assert (path, line) == (QUIZ, 7), "reported at the unit that holds the pointer"
    assert message == ('<problem url_name="quiz_check_q1"> points to problem/quiz_check_q1.xml, which is missing '
                       "(in the OLX: vertical/quiz_check.xml)")

    def pointer_with_attributes(files):
        files["sequential/quiz.xml"] = files["sequential/quiz.xml"].replace(
            b'<vertical url_name="quiz_check"/>', b'<vertical url_name="quiz_check" display_name="Check"/>')

    [(path, line, message)] = gate(pointer_with_attributes)
    assert (path, line) == (QUIZ, 1)
    assert "has other attributes, so Open edX reads it as an empty inline block" in message

    [(path, line, message)] = gate(lambda files: files.update({"chapter/getting-started.xml": b"<chapter>"}))
    assert (path, line) == (MODULE, 1) and message.startswith("not well-formed XML")

    [(path, line, message)] = gate(lambda files: files.pop("policies/2026_T1/grading_policy.json"))
    assert (path, line) == (COURSE, 1) and "policies/2026_T1/grading_policy.json is missing" in message


# ------------------------------------------------------------------------------------------------ the embedded course


@pytest.fixture(scope="module")
def embedded_report():
    result = run_cli("validate", str(REPO), "--format", "json", "--fail-on", "warning")
    return result.exit_code, json.loads(result.stdout)


def test_embedded_course_is_clean_on_every_instance(embedded_report):
    exit_code, doc = embedded_report
    serious = [f for f in doc["findings"] if f["severity"] != "info"]
    assert serious == [], show(doc)
    assert exit_code == 0
    assert doc["summary"]["error"] == doc["summary"]["warning"] == 0


# ------------------------------------------------------------------------------------------------ output formats


def test_json_output_matches_its_schema(embedded_report, tmp_path):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    seeded = make_project(tmp_path / "course", {"course/static/old-logo.png": "png",
                                                "course/instances.yaml": INSTANCES})
    before_paragraph("[click here](https://example.org) ![chart.png](../../course/static/chart.png)")(seeded)
    edit(seeded, LESSON, " {#introduce-yourself}", "")
    (seeded / "course/static/chart.png").write_text("png")
    broken = make_project(tmp_path / "broken", {})
    edit(broken, COURSE, "self_paced: true", "self_pacd: true")
    docs = [embedded_report[1], validate_json(seeded)[1], validate_json(broken)[1]]
    assert {f["code"] for f in docs[1]["findings"]} >= {"LNK004", "ACC002", "AST002", "STR006", "TRN002"}
    for doc in docs:
        jsonschema.validate(doc, SCHEMA)
        findings = doc["findings"]
        assert doc["summary"] == {level: sum(f["severity"] == level for f in findings)
                                  for level in ("error", "warning", "info")}
        keys = [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in findings]
        assert keys == sorted(keys) and len(set(keys)) == len(keys), "sorted, each finding once"
    # The schema is not vacuous: what a consumer relies on is required.
    finding = docs[1]["findings"][0]
    for bad in ({**finding, "severity": "fatal"}, {**finding, "code": "LNK4"}, {**finding, "line": 0},
                {k: v for k, v in finding.items() if k != "rule"}, {**finding, "message": "two\nlines"},
                {**finding, "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**docs[1], "findings": [bad]}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**docs[1], "version": 1}, SCHEMA)


def _three_findings(root: Path) -> Path:
    """A course with a warning, an info and a warning in a file whose name needs escaping."""
    make_project(root, {"modules/01-getting-started/03-draft,v1:old.md": "---\ntitle: Draft\n---\n"})
    before_paragraph("Read it [here](https://example.org/a%20b).")(root)
    edit(root, LESSON, " {#introduce-yourself}", "")
    return root


def test_text_format(tmp_path):
    root = _three_findings(tmp_path / "course")
    result = run_cli("validate", str(root))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{LESSON}:7:1: warning[LNK004] link text `here` says nothing out of context; name where the link goes "
        "(https://example.org/a%20b)",
        "modules/01-getting-started/03-draft,v1:old.md:1:1: warning[STR002] this lesson is not listed in "
        "modules/01-getting-started/module.yaml `lessons:` and is not part of the course",
    ]
    assert result.stderr.strip() == "0 errors, 2 warnings, 1 info (--all shows them)"
    shown = run_cli("validate", str(root), "--all").stdout.splitlines()
    assert shown[1].startswith(f"{LESSON}:25:1: info[STR006] unit `Introduce yourself` has no explicit id")


def test_github_format_is_exact(tmp_path):
    root = _three_findings(tmp_path / "course")
    default = run_cli("validate", str(root), "--format", "github")
    assert "::warning " in default.stdout and "::notice " not in default.stdout, "info only with --all"
    result = run_cli("validate", str(root), "--format", "github", "--all")
    assert result.exit_code == 0
    assert result.stdout == (
        f"::warning file={LESSON},line=7,col=1,title=LNK004::link text `here` says nothing out of context; name "
        "where the link goes (https://example.org/a%2520b)\n"
        f"::notice file={LESSON},line=25,col=1,title=STR006::unit `Introduce yourself` has no explicit id; its "
        "url_name follows the title (pin it: `{#introduce-yourself}`, or run `olxkit pin-ids`)\n"
        "::warning file=modules/01-getting-started/03-draft%2Cv1%3Aold.md,line=1,col=1,title=STR002::this lesson "
        "is not listed in modules/01-getting-started/module.yaml `lessons:` and is not part of the course\n"
    )
    clean = run_cli("validate", str(make_project(tmp_path / "clean", {})), "--format", "github")
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_github_escaping():
    """The escaping of GitHub's workflow commands: %, CR, LF in the message; also `:` and `,` in properties."""
    findings = [
        Diagnostic("a,b:c%.md", 3, "50% done\r\nnext: a, b", Severity.WARNING, "LNK004", 2),
        Diagnostic("x.md", 0, "whole file", Severity.ERROR, "SYN001"),
        Diagnostic("", 0, "no file", Severity.ERROR, "INT001"),
        Diagnostic("y.md", 4, "fyi", Severity.INFO, "STR006"),
    ]
    assert report.as_github(findings).splitlines() == [
        "::warning file=a%2Cb%3Ac%25.md,line=3,col=2,title=LNK004::50%25 done%0D%0Anext: a, b",
        "::error file=x.md,line=1,col=1,title=SYN001::whole file",
        "::error title=INT001::no file",
        "::notice file=y.md,line=4,col=1,title=STR006::fyi",
    ]


# ------------------------------------------------------------------------------------------------ rules: in course.yaml


def _with_rules(root: Path, rules: str) -> None:
    edit(root, COURSE, "modules:\n", f"rules:\n{rules}modules:\n")


def test_rules_ignore_and_regrade(tmp_path):
    def project(name: str, rules: str | None) -> Path:
        root = make_project(tmp_path / name, {"course/static/old-logo.png": "png"})
        before_paragraph("Read it [here](https://example.org).")(root)
        if rules is not None:
            _with_rules(root, rules)
        return root

    def codes(root: Path, *args: str) -> tuple[int, list[tuple[str, str]]]:
        exit_code, doc = validate_json(root, *args)
        return exit_code, [(f["code"], f["severity"]) for f in doc["findings"]]

    assert codes(project("plain", None)) == (0, [("AST002", "warning"), ("LNK004", "warning")])
    assert codes(project("ignore", "  ignore: [AST002]\n")) == (0, [("LNK004", "warning")])
    assert codes(project("group", "  ignore: [lnk, AST]\n")) == (0, [])
    assert codes(project("error", "  error: [LNK004]\n  info: [AST]\n")) == (1, [("AST002", "info"),
                                                                               ("LNK004", "error")])
    # The longest matching prefix wins: the group is raised, the one rule in it is ignored.
    assert codes(project("prefix", "  error: [LNK, AST]\n  ignore: [LNK004]\n")) == (1, [("AST002", "error")])
    # max_asset_mb sets the AST003 limit.
    small = make_project(tmp_path / "small", {"course/static/photo.jpg": "x" * 3000})
    before_paragraph("![The team](../../course/static/photo.jpg)")(small)
    assert codes(small) == (0, [])
    _with_rules(small, "  max_asset_mb: 0.002\n")
    assert codes(small) == (0, [("AST003", "warning")])


def test_rule_raised_to_error_stops_the_build(tmp_path):
    root = make_project(tmp_path / "course", {})
    before_paragraph("Read it [here](https://example.org).")(root)
    out = tmp_path / "out"
    assert run_cli("build", str(root), "-o", str(out), "-q").exit_code == 0, "a warning does not stop a build"
    _with_rules(root, "  error: [LNK004]\n")
    (out / "MyOrg+C101+2026_T1.tar.gz").unlink()
    result = run_cli("build", str(root), "-o", str(out), "-q")
    assert result.exit_code == 1
    assert f"{LESSON}:7:1: error[LNK004] link text `here` says nothing out of context" in result.stderr
    assert "nothing was written" in result.stderr
    assert not (out / "MyOrg+C101+2026_T1.tar.gz").exists()
    # An error-level rule by default stops it too, before anything is made.
    fresh = make_project(tmp_path / "fresh", {})
    before_paragraph('Press <a href="javascript:go()">go</a>.')(fresh)
    result = run_cli("build", str(fresh), "-q")
    assert result.exit_code == 1 and "error[LNK002]" in result.stderr
    assert not (fresh / "build").exists()


@pytest.mark.parametrize("command", ["validate", "build"])
def test_unknown_rule_code_in_config_is_an_error_with_a_suggestion(tmp_path, command):
    root = make_project(tmp_path / "course", {})
    _with_rules(root, "  ignore: [AST002]\n  error: [LNK0004]\n")
    result = run_cli(command, str(root), "-q") if command == "build" else run_cli(command, str(root))
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert (f"{COURSE}:24:1: error[SYN004] `LNK0004` is not a rule code or group (did you mean `LNK004`?); "
            "see `olxkit docs rules`") in output


# ------------------------------------------------------------------------------------------------ exit codes


def test_fail_on_and_exit_codes(tmp_path):
    warning = make_project(tmp_path / "warning", {})
    before_paragraph("Read it [here](https://example.org).")(warning)
    info = make_project(tmp_path / "info", {})
    edit(info, LESSON, " {#introduce-yourself}", "")
    error = make_project(tmp_path / "error", {})
    edit(error, COURSE, "pass: 0.6", "pass: 60")
    clean = make_project(tmp_path / "clean", {})

    def status(root: Path, *args: str) -> int:
        return run_cli("validate", str(root), *args).exit_code

    assert [status(clean, *a) for a in ([], ["--fail-on", "info"])] == [0, 0]
    assert [status(info, "--fail-on", level) for level in ("error", "warning", "info", "never")] == [0, 0, 1, 0]
    assert [status(warning, "--fail-on", level) for level in ("error", "warning", "info", "never")] == [0, 1, 1, 0]
    assert [status(error, "--fail-on", level) for level in ("error", "warning", "info", "never")] == [1, 1, 1, 0]
    assert status(warning) == 0 and status(error) == 1, "--fail-on error is the default"
    for fmt in ("json", "github"):
        assert status(error, "--format", fmt) == 1 and status(warning, "--format", fmt, "--fail-on", "warning") == 1


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["--format", "xml"],
    ["--fail-on", "fatal"],
    [".", "modules"],
    ["README.md"],
], ids=["unknown-option", "unknown-format", "unknown-level", "two-projects", "project-is-a-file"])
def test_usage_errors_exit_2(args):
    result = run_cli("validate", *args, cwd=REPO)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.stderr


# ------------------------------------------------------------------------------------------------ docs/rules.md


def test_rules_doc_is_generated_and_complete():
    text = (REPO / "docs/rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(), (
        "docs/rules.md is out of date; regenerate it: "
        "python -c \"from olxkit.report import rules_markdown; open('docs/rules.md', 'w').write(rules_markdown())\""
    )
    for rule in RULES:
        assert re.search(rf"^\| {rule.code} \| `{rule.name}` \| {rule.severity} \| .+ \|$", text, re.M), rule.code
        assert rule.example.strip(), f"{rule.code} needs an example"
        assert f"**{rule.code} example**\n\n```\n{rule.example}\n```" in text, rule.code
    assert len({r.code for r in RULES}) == len(RULES) and len({r.name for r in RULES}) == len(RULES)


# ------------------------------------------------------------------------------------ CI for course repositories


WORKFLOW = REPO / ".github/workflows/course.yml"


def _workflow_steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    return job["steps"]


def _olxkit_commands() -> list[list[str]]:
    """Every `olxkit …` command the workflow runs, in order."""
    commands = []
    for step in _workflow_steps():
        for line in step.get("run", "").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("olxkit "):
                commands.append(shlex.split(line)[1:])
    return commands


def test_workflow_has_the_expected_steps():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request", "workflow_call"} <= set(triggers)
    steps_ = _workflow_steps()
    uses = [s["uses"] for s in steps_ if "uses" in s]
    assert [u.split("@")[0] for u in uses] == ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]
    assert all(re.fullmatch(r"[\w/-]+@v\d+", u) for u in uses), "actions are pinned to a major version"
    setup = next(s for s in steps_ if s.get("uses", "").startswith("actions/setup-python"))
    assert str(setup["with"]["python-version"]) == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps_)
    assert re.search(r"apt-get install -y[^\n]* gettext", runs)
    assert "pip install" in runs and "git+" in WORKFLOW.read_text(encoding="utf-8")
    assert _olxkit_commands() == [
        ["--version"],
        ["validate", "--format", "github"],
        ["i18n", "extract", "--check"],
        ["i18n", "update", "--check"],
        ["i18n", "check"],
        ["build", "--strict", "--no-tree", "-o", "dist"],
    ]
    upload = next(s for s in steps_ if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].strip() == "dist/*.tar.gz"
    assert upload["with"].get("if-no-files-found") == "error"
    order = [i for i, s in enumerate(steps_) if "uses" in s]
    assert order[0] == 0 and order[-1] == len(steps_) - 1, "checkout first, upload last"


def test_workflow_commands_pass_on_a_translated_course(tmp_path):
    """What the workflow runs, run here on a small translated course: every command passes, archives appear."""
    root = make_project(tmp_path / "course", {"course/instances.yaml": INSTANCES})
    assert run_cli("i18n", "extract", str(root)).exit_code == 0
    translate_it(root)
    for args in _olxkit_commands():
        result = run_cli(*args, cwd=root)
        assert result.exit_code == 0, (args, result.output)
    assert sorted(p.name for p in (root / "dist").glob("*.tar.gz")) == [
        "MyOrg+C101+2026_T1.tar.gz", "MyOrg+C101+2026_T1_IT.tar.gz"
    ]


def test_pre_commit_hook():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "olxkit-validate"
    assert hook["entry"] == "olxkit validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("course/course.yaml", "course/static/images/a.png", "modules/01-x/01-y.md", "locale/it.po"):
        assert files.search(path), path
    for path in ("README.md", "olxkit/cli.py", "docs/rules.md", "tests/course/x.md", "build/x.tar.gz"):
        assert not files.search(path), path
