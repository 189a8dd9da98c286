"""The rule catalogue: every finding olxkit reports has a code from here, a default severity and a doc."""

from __future__ import annotations

from .rule import INFO, E, Rule, W

GROUPS = {
    "SYN": "Syntax: files olxkit cannot read as written",
    "STR": "Structure: files, ids, units and url_names",
    "LNK": "Links",
    "AST": "Assets",
    "ACC": "Accessibility",
    "DAT": "Dates",
    "GRD": "Grading",
    "PRB": "Problems",
    "TRN": "Translations",
    "OLX": "OLX import gate",
    "IMP": "Importing a course (`olxkit import`)",
    "SEC": "Security: nothing outside the project gets in or is written to",
    "INT": "olxkit itself",
    "YML": "YAML: where a YAML text breaks, and how to mend it",
    "AUT": "Authoring: mistakes that would otherwise reach learners unnoticed",
}

RULES: list[Rule] = [
    Rule(
        "SYN001",
        "unreadable-file",
        E,
        "A file is not UTF-8, a lesson has no front matter, or its YAML is malformed in a way no YML rule "
        "explains.",
        "a lesson saved in Latin-1",
    ),
    Rule(
        "SYN002",
        "unknown-key",
        E,
        "A YAML key olxkit does not know (the closest valid key is suggested), or a key given twice.",
        "self_pacd: true   # did you mean `self_paced`?",
    ),
    Rule("SYN003", "missing-key", E, "A required key is missing.", "a lesson front matter without `title:`"),
    Rule(
        "SYN004",
        "invalid-value",
        E,
        "A value of the wrong kind: not a date, a number, true/false, a valid id or "
        "course key part, or one of the allowed words.",
        "start: 2026-13-01",
    ),
    Rule(
        "SYN005",
        "lesson-structure",
        E,
        "A lesson's Markdown does not split into units: text before the first "
        "`##`, a `#` heading, or a fenced block with an unknown component type.",
        "```discusion",
    ),
    Rule(
        "SYN006",
        "raw-olx",
        E,
        "An `olx` block is not well-formed XML or declares a DOCTYPE or entities.",
        '```olx\n<drag-and-drop-v2 url_name="x">\n```',
    ),
    Rule(
        "SYN007",
        "unknown-text",
        E,
        "A `{{ name }}` placeholder names no text declared under `texts:`.",
        "Write to {{ contact_mail }}.",
    ),
    Rule(
        "STR001",
        "missing-file",
        E,
        "A module or lesson listed in course.yaml or module.yaml does not exist.",
        "lessons: [02-quizz.md]",
    ),
    Rule(
        "STR002",
        "unlisted-file",
        W,
        "A module folder or lesson file is not listed, so it is not in the course.",
        "modules/01-x/03-draft.md not in module.yaml",
    ),
    Rule(
        "STR003",
        "duplicate-id",
        E,
        "Two modules, lessons, units, components, instances or assignment types share an id.",
        "two units with {#intro} in one lesson",
    ),
    Rule(
        "STR004",
        "empty",
        E,
        "A unit, lesson or component block has no content.",
        "## Unit title followed by the next ##",
    ),
    Rule(
        "STR005",
        "url-name-collision",
        E,
        "Two blocks would get the same url_name or course key (Studio's gate "
        "rejects a chapter and a sequential with the same name).",
        "module id `final` and lesson id `final`",
    ),
    Rule(
        "STR006",
        "unpinned-unit",
        INFO,
        "A unit has no explicit `{#id}`: renaming it would change its url_name and "
        "detach learners' progress. Run `olxkit pin-ids`.",
        "## Getting started",
    ),
    Rule("LNK001", "broken-link", E, "A link points to a lesson or unit that does not exist.", "[next](03-nothing.md)"),
    Rule(
        "LNK002",
        "bad-url",
        E,
        "A link target is empty, uses a scheme that is not allowed (also in raw HTML), or is malformed.",
        '[the guide]()  or  [the guide](https:/example.org)  or  <a href="javascript:go()">go</a>',
    ),
    Rule(
        "LNK003",
        "path-escapes",
        E,
        "A link or image path leaves the course folder, is absolute, or points to a file outside course/static/.",
        "![x](../../../../etc/passwd)",
    ),
    Rule(
        "LNK004",
        "vague-link-text",
        W,
        'Link text such as "click here" or "here" says nothing out of context (WCAG 2.4.4).',
        "[click here](https://example.org)",
    ),
    Rule(
        "AST001",
        "missing-asset",
        E,
        "An image, file, transcript or course image is not in course/static/.",
        "![Diagram](../../course/static/nope.png)",
    ),
    Rule(
        "AST002",
        "unused-asset",
        W,
        "A file in course/static/ is used by no page, problem, video or setting.",
        "course/static/old-logo.png",
    ),
    Rule(
        "AST003",
        "large-asset",
        W,
        "An asset is larger than `rules.max_asset_mb` (default 10 MB); learners on slow connections wait.",
        "a 40 MB PNG",
    ),
    Rule(
        "AST004",
        "asset-name",
        E,
        "An asset name Open edX would change or merge: characters outside "
        "`[A-Za-z0-9._/-]`, or two names that are the same once Open edX flattens `/` to `_`.",
        "images/a.png and images_a.png",
    ),
    Rule(
        "AST005",
        "asset-type",
        W,
        "A file type browsers will not show from Studio's file store.",
        "course/static/setup.exe",
    ),
    Rule(
        "AST006",
        "asset-link",
        E,
        "A symbolic link in course/static/ (archives must not carry links).",
        "course/static/logo.png -> /etc/passwd",
    ),
    Rule("ACC001", "missing-alt", E, "An image has no alt text.", "![](chart.png)"),
    Rule(
        "ACC002", "filename-alt", W, "An image's alt text is a file name, not a description.", "![chart.png](chart.png)"
    ),
    Rule("ACC003", "heading-jump", W, "A heading skips a level (`##` unit, then `####`).", "## Unit\n\n#### Detail"),
    Rule("ACC004", "table-header", W, "A table has an empty header row.", "|   |   |\n|---|---|\n| a | b |"),
    Rule(
        "ACC005",
        "video-transcript",
        W,
        "A video has no transcript in the language of an instance that shows it.",
        "transcripts: {en: …} and an Italian instance without <video-id>-it.srt",
    ),
    Rule("ACC006", "empty-link", E, "A link has no text (Markdown or HTML): screen readers read out its address.",
         "[](https://example.org)"),
    Rule("ACC007", "html-table-header", W, "An HTML table has no header cells (`<th>`).",
         "<table><tr><td>a</td><td>b</td></tr></table>"),
    Rule("ACC008", "frame-title", E, "An `<iframe>` has no title saying what it shows.",
         '<iframe src="https://example.org/map"></iframe>'),
    Rule("ACC009", "invalid-lang", E, "A `lang` attribute is empty or not a language tag.", '<span lang="">…</span>'),
    Rule(
        "DAT001",
        "course-dates",
        E,
        "The course (or an instance) ends before it starts.",
        "start: 2026-09-01\nend: 2026-06-01",
    ),
    Rule(
        "DAT002",
        "due-outside-course",
        W,
        "A due date falls outside the course's start and end.",
        "due: 2027-01-01 with end: 2026-12-18",
    ),
    Rule(
        "DAT003",
        "enrollment-window",
        W,
        "Enrolment closes before it opens, opens after the course ends, or closes after the course ends: the "
        "window in course.yaml, and each instance's own dates in instances.yaml.",
        "enrollment: {start: 2026-03-01, end: 2026-02-01}",
    ),
    Rule(
        "GRD001",
        "unknown-assignment-type",
        E,
        "A graded lesson's `format` is not an assignment type of the grading policy (names must match exactly).",
        "format: Quizz",
    ),
    Rule(
        "GRD002",
        "grading-weights",
        E,
        "Assignment weights are outside 0–100 or do not add up to 100.",
        "weights 60 and 30",
    ),
    Rule(
        "GRD003",
        "drop-count",
        E,
        "An assignment type drops as many scores as it has, so none count.",
        "drop: 2 with two graded lessons",
    ),
    Rule("GRD004", "pass-cutoff", E, "The pass mark is not a share between 0 and 1.", "pass: 60"),
    Rule(
        "GRD005",
        "unused-assignment-type",
        W,
        "No graded lesson has this assignment type; its weight is lost.",
        "type: Lab with no `format: Lab` lesson",
    ),
    Rule("GRD006", "graded-without-format", E, "A lesson is `graded: true` without a `format`.", "graded: true"),
    Rule(
        "PRB001",
        "correct-choices",
        E,
        "A question has no correct choice, or a single-choice or dropdown question has more than one.",
        "no `correct: true`",
    ),
    Rule(
        "PRB002",
        "invalid-answer",
        E,
        "A numerical answer that is not a number or range, a negative tolerance, an "
        "invalid regular expression, or no accepted text answer.",
        "answer: about ten",
    ),
    Rule("PRB003", "choices", E, "Choices are missing, fewer than two, or listed twice.", "choices: []"),
    Rule(
        "PRB004",
        "problem-setting",
        E,
        "A problem setting out of range: weight below 0, attempts below 1, or a "
        "show-answer / show-correctness / rerandomize value Studio rejects.",
        "max_attempts: 0",
    ),
    Rule(
        "PRB005",
        "question-type",
        E,
        "An unknown question type or a key that does not belong to it (the closest is suggested).",
        "type: single-choise",
    ),
    Rule(
        "PRB006",
        "problem-markup",
        E,
        "Problem text that does not make well-formed XML (raw HTML with `&nbsp;` or an unclosed tag).",
        "prompt: Pick one <b>now",
    ),
    Rule(
        "TRN001",
        "coverage",
        E,
        "An instance's translation coverage is below its `min_coverage`.",
        "min_coverage: 95 with 80% translated",
    ),
    Rule(
        "TRN002",
        "fallback",
        W,
        "Texts are untranslated or fuzzy and fall back to another language (an error with `--strict`).",
        "an empty msgstr",
    ),
    Rule(
        "TRN003",
        "translation-markup",
        E,
        "A translation changes links, image paths, code, math, inline HTML, "
        "emphasis or placeholders, or renders to invalid HTML.",
        "[lezione](01-benvenuto.md) for [lesson](01-welcome.md)",
    ),
    Rule(
        "TRN004",
        "translation-review",
        INFO,
        "A translation to review: same as its source, or numbers that differ.",
        "msgstr identical to msgid",
    ),
    Rule(
        "TRN005",
        "glossary",
        W,
        "A glossary term (course/glossary.yaml) is not translated the agreed way.",
        "`social innovation` without `innovazion`",
    ),
    Rule(
        "TRN006",
        "mixed-problem",
        W,
        "A problem or a drawing is only partly translated, so it is shown wholly in the fallback language.",
        "choices translated, prompt not",
    ),
    Rule(
        "TRN007",
        "url-changed",
        W,
        "A translation links to a different external URL than its source.",
        "https://example.org/en → https://example.org/it",
    ),
    Rule(
        "TRN008",
        "drawing-fit",
        W,
        "A translated text of an SVG drawing has a line much longer than the source's longest line, or more lines "
        "than the source: the drawing does not grow, so it may overflow its box.",
        "`Key activities` → `Schlüsselaktivitäten der Organisation`",
    ),
    Rule(
        "TRN101",
        "translation-not-used",
        W,
        "The build's gate kept a translation out: it has an error of `i18n check` (named in the message), so "
        "its text falls back along the chain (a problem falls back whole). An error with `--strict`; "
        "`min_coverage` counts it as untranslated.",
        'msgstr "Racconta <script>…</script>"',
    ),
    Rule(
        "TRN102",
        "active-content",
        E,
        "A translation brings active or new markup: `<script>`, `<iframe>`, `<object>`, `<embed>`, `<style>`, an "
        "`on…=` handler, a `javascript:`/`data:` URL, or any tag or attribute its source does not use.",
        '<img src=x onerror="alert(1)">',
    ),
    Rule(
        "TRN103",
        "catalog-syntax",
        E,
        "A catalog cannot be read as gettext reads it (an unescaped quote, an unknown keyword or escape, a "
        "message defined twice, a `domain` directive, no header, a malformed Plural-Forms or one whose nplurals "
        "a plural message does not have), or a translation breaks what `msgfmt --check` checks in it (its "
        "c-format, python-format or python-brace-format directives; a newline at its start or end that its "
        "source lacks). A catalog with a syntax or header error is not used; a translation with an error falls "
        "back. A charset other than UTF-8 is a warning.",
        'msgstr "Il "corso" è"',
    ),
    Rule(
        "TRN104",
        "translation-structure",
        E,
        "A translation's blocks differ from its source's: list items (count or nesting), headings and their "
        "levels, table rows and cells, block quotes, or lines that would show as literal `- …`.",
        "a list item dropped, merged or added",
    ),
    Rule(
        "TRN105",
        "translation-numbers",
        E,
        "A translation has a number whose value is not in its source, each read as its language writes numbers "
        "(CLDR: `1,5` is 1.5 in German, `15` is not); also inside math (`200{.}000`). A year may become its "
        "decade or century.",
        "1.5 = 4.5 → 15 = 45",
    ),
    Rule(
        "TRN106",
        "no-accepted-answer",
        E,
        "A translation of a text question's accepted answers lists none: write at least one, one per line (a "
        "language may accept more or fewer forms than English).",
        'msgctxt "accepted answers" with an empty line as msgstr',
    ),
    Rule(
        "OLX001",
        "olx-structure",
        E,
        "The built OLX breaks a structural rule of Studio's import (a pointer with "
        "extra attributes, a missing pointer target, malformed XML).",
        "a block file that is not well-formed",
    ),
    Rule(
        "OLX002",
        "invalid-html",
        E,
        "Rendered HTML that lxml's HTML parser (Studio's gate) complains about.",
        "<section> from raw HTML",
    ),
    Rule(
        "OLX100",
        "olxcleaner",
        E,
        "A finding of olxcleaner, the validator of Studio's import gate (with "
        "`--olxcleaner`), mapped back to the source file.",
        "InvalidSetting on a discussion",
    ),
    Rule("IMP001", "refused-source", E, "The import source is unsafe or not a course export: a link, a device, an "
         "absolute or `..` path, two course.xml, a size or compression ratio past the limit, a zip, XML with a DTD "
         "or entities, a file that is not UTF-8, or a non-empty output folder. Nothing is written.",
         "olxkit import course.zip"),
    Rule("IMP009", "import-does-not-build", E, "The project an import wrote does not build (please report it with "
         "the export); nothing is written.", "a converted lesson with a link olxkit refuses"),
    Rule("IMP010", "kept-core-block", INFO, "An html, problem, video or discussion block is kept as it came (an `olx` "
         "component and its files under course/olx/) because olxkit's source cannot say it without loss; the "
         "message says why.", "html with a <div class=…> layout; a formula or script problem"),
    Rule("IMP011", "kept-xblock", INFO, "A block of a type olxkit has no component for (poll, ORA, LTI, drag and drop, "
         "library content…) is kept as it came.", "<poll …> in a unit"),
    Rule("IMP012", "not-represented", W, "Part of the export the project cannot hold (an empty unit).",
         "<vertical display_name=\"Empty\"/>"),
    Rule("IMP013", "duplicate-url-name", W, "Two blocks of one type share a url_name; Studio keeps the first and so "
         "does the import.", "two <problem url_name=\"q1\">"),
    Rule("IMP014", "grading-kept", INFO, "The grading policy is kept in course/olx.yaml because course.yaml "
         "`grading:` cannot say it (letter grades, weights that do not add up, explicit counts).",
         "GRADE_CUTOFFS {\"A\": 0.9, \"B\": 0.7}"),
    Rule(
        "SEC001",
        "outside-path",
        E,
        "A course file, catalog or folder (course/static, locale, a module) whose path, links followed, leads "
        "outside the project: olxkit reads course input from the project only (docs/security.md).",
        "course/handouts.md -> /etc/passwd; course/static -> ~/.ssh",
    ),
    Rule(
        "SEC002",
        "linked-output",
        E,
        "The output folder (build/, locale/) is a symbolic link or lies in a linked folder: every build would "
        "write, rename and delete outside the project.",
        "build -> ../../elsewhere",
    ),
    Rule(
        "INT001",
        "internal-error",
        E,
        "A check crashed (please report it), or `--olxcleaner` could not run olxcleaner.",
        "olxkit validate --olxcleaner without olxcleaner installed",
    ),
]

RULES += [
    Rule("YML001", "yaml-tab", E, "A tab in the indentation of YAML: YAML indents with spaces only. The finding "
         "points at the tab.", "answers:\n\t- unit"),
    Rule("YML002", "yaml-quote-value", E, "A value YAML cannot read unquoted: a `: ` inside it, text after a "
         "quoted part, or a first character such as a backtick or `@`. Put the whole value in quotes.",
         "title: Appendix: raw notes   # write title: \"Appendix: raw notes\""),
    Rule("YML003", "yaml-indentation", E, "A line indented differently from the block it belongs to (a key "
         "de-indented out of its list item, or indented deeper than its neighbours). The finding gives the line "
         "and column of the block the line should line up with.",
         "choices:\n  - text: a\n    correct: true\n  feedback: Well done   # indent to the column of `text:`"),
    Rule("YML004", "yaml-unclosed", E, "A `[`, `{` or quote that is never closed, reported where it opens.",
         "answers: [unit, a unit"),
    Rule("AUT001", "unclosed-fence", E, "A component fence (```problem, ```video…) with no closing ``` line "
         "before the next fence, unit heading or the end of the lesson; reported at its opening line.",
         "```problem ... (no closing ```) ... ## Next unit"),
    Rule("AUT002", "empty-choice", E, "A choice or hint with no text (a bare `-`): learners would see an empty "
         "option or hint.", "choices:\n  - text: a\n    correct: true\n  -"),
    Rule("AUT003", "hints-not-a-list", E, "`hints:` given as one text instead of a list of hints.",
         "hints: Look at the heading   # write hints: then - Look at the heading"),
    Rule("AUT004", "due-before-start", E, "A lesson is due before the course (or one of its instances) starts: "
         "learners could never submit it.", "due: 2026-08-01 with start: 2026-09-01"),
    Rule("AUT005", "archive-name-too-long", E, "The OLX file name made from a lesson's and a unit's ids is longer "
         "than an archive member name may be (100 bytes); give one of them a shorter id.",
         "a lesson id and a unit id of 60 characters each"),
]

BY_CODE = {rule.code: rule for rule in RULES}
