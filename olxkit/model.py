"""The course model: plain dataclasses, from the sources, before any OLX is made.

Every node carries `path` (relative to the project, POSIX) and `line` so that later stages can report
findings at the author's line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markdown_it.token import Token


@dataclass
class Markdown:
    """A parsed piece of Markdown: the token stream and the env it was parsed with (references, footnotes)."""

    tokens: list[Token]
    env: dict[str, Any]
    path: str
    line_offset: int
    """Lines of the file before the parsed text: a token's file line is `map[0] + 1 + line_offset`."""
    base_dir: str
    """Project-relative folder that relative links in this text are resolved against."""


@dataclass
class HtmlComponent:
    id: str
    body: Markdown
    path: str
    line: int
    kind: str = "html"


@dataclass
class VideoComponent:
    id: str
    title: str
    youtube_id: str
    sources: list[str]
    transcripts: dict[str, str]
    """language → asset path under course/static/"""
    download_video: bool
    download_track: bool
    path: str
    line: int
    kind: str = "video"


@dataclass
class DiscussionComponent:
    id: str
    title: str
    category: str
    target: str
    path: str
    line: int
    kind: str = "discussion"


@dataclass
class Choice:
    text: str
    correct: bool
    feedback: str | None
    line: int
    feedback_line: int = 0


@dataclass
class Question:
    type: str
    """single-choice, multiple-choice, dropdown, numerical or text"""
    prompt: str
    description: str | None
    line: int
    choices: list[Choice] = field(default_factory=list)
    shuffle: bool = False
    partial_credit: str = "none"
    answer: str | None = None
    """numerical: the answer as written (a number or a range)"""
    tolerance: str | None = None
    answers: list[str] = field(default_factory=list)
    """text: accepted answers, the first is the one shown"""
    case_sensitive: bool = False
    regexp: bool = False
    wrong_answers: list[tuple[str, str]] = field(default_factory=list)
    correct_feedback: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    """source line of each field (prompt, description, answers, correct_feedback, wrong_answer:N), for translators"""


@dataclass
class ProblemComponent:
    id: str
    title: str
    questions: list[Question]
    hints: list[str]
    explanation: str | None
    settings: dict[str, Any]
    """Effective Open edX settings (max_attempts, weight, showanswer, show_correctness, show_reset_button…)."""
    path: str
    line: int
    base_dir: str
    kind: str = "problem"
    lines: dict[str, int] = field(default_factory=dict)
    """source line of each field (title, explanation, hint:N), for translators"""


@dataclass
class RawOlxComponent:
    id: str
    tag: str
    xml: str
    path: str
    line: int
    kind: str = "olx"


Component = HtmlComponent | VideoComponent | DiscussionComponent | ProblemComponent | RawOlxComponent


@dataclass
class Unit:
    id: str
    title: str
    components: list[Component]
    path: str
    line: int
    id_pinned: bool = True
    """False when the id was derived from the title (it would change if the title changes)."""


@dataclass
class Lesson:
    id: str
    title: str
    units: list[Unit]
    path: str
    line: int
    graded: bool = False
    format: str | None = None
    due: datetime | None = None
    start: datetime | None = None
    format_line: int = 1
    """Line of `format:` in the front matter (where grading mistakes are reported)."""
    due_line: int = 1
    """Line of `due:` in the front matter."""


@dataclass
class Module:
    id: str
    title: str
    lessons: list[Lesson]
    path: str
    line: int
    start: datetime | None = None


@dataclass
class AssignmentType:
    type: str
    short_label: str
    weight: float
    """percent, 0–100"""
    drop: int
    min_count: int | None
    line: int


@dataclass
class Grading:
    pass_cutoff: float
    assignments: list[AssignmentType]
    line: int


@dataclass
class CourseUpdate:
    date: datetime
    title: str
    body: Markdown


@dataclass
class About:
    short_description: str = ""
    effort: str = ""
    duration: str = ""
    image: str | None = None
    intro_video: str = ""
    overview: Markdown | None = None


@dataclass
class OlxOverlay:
    """What an imported course keeps that its Markdown and YAML cannot say (course/olx.yaml, course/olx/).

    Empty for a course written in olxkit: then the export is exactly what the sources make.
    """

    names: dict[str, str] = field(default_factory=dict)
    """`type/url_name olxkit would give` → the url_name to use (ids pinned to an imported course's)."""
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """`type/url_name` → OLX attributes to set on that block's element (None removes the attribute)."""
    policy: dict[str, dict[str, Any]] = field(default_factory=dict)
    """policy.json entries: `course` is merged into the course's entry (None removes a key), others are added."""
    grading: dict[str, Any] | None = None
    """The whole grading_policy.json, when the `grading:` of course.yaml cannot say it."""
    course_children: list[str] = field(default_factory=list)
    """Extra XML children of the <course> element (such as <wiki slug=…/>), after the chapters."""
    files: dict[str, str] = field(default_factory=dict)
    """OLX path → file under course/olx/, written into the archive as it is (it wins over a made file)."""
    html_lang: bool = True
    """Wrap html blocks in `<div lang=…>` (an imported course's html is written as it came)."""

    def name(self, tag: str, default: str) -> str:
        return self.names.get(f"{tag}/{default}", default) if self.names else default


def evolve(obj, **changes):
    """`dataclasses.replace` for the model's plain dataclasses (no `__post_init__`, no `init=False` field): a
    shallow copy with `changes`, made without calling `__init__`. A translated variant copies tens of thousands
    of components, questions and choices; `replace` builds and checks every field's argument for each one."""
    new = object.__new__(type(obj))
    fields = new.__dict__
    fields.update(obj.__dict__)
    fields.update(changes)
    return new


class _CourseKey:
    """The course key of something with org, number and run (a course, or an instance of it)."""

    org: str
    number: str
    run: str

    @property
    def key(self) -> str:
        return f"course-v1:{self.org}+{self.number}+{self.run}"

    @property
    def archive_stem(self) -> str:
        """The archive's file name without `.tar.gz`: the course key without its prefix."""
        return f"{self.org}+{self.number}+{self.run}"


@dataclass
class Course(_CourseKey):
    """The whole course as written in the source language."""

    root: str
    """Absolute path of the project folder."""
    org: str
    number: str
    run: str
    title: str
    language: str
    start: datetime
    end: datetime | None
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    self_paced: bool
    grading: Grading
    about: About
    modules: list[Module]
    handouts: Markdown | None = None
    updates: list[CourseUpdate] = field(default_factory=list)
    video_base_url: str = ""
    problem_defaults: dict[str, Any] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    """Asset path under course/static/ (POSIX) → absolute file path."""
    advanced_modules: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """Named snippets (`{{ contact }}` in the text), overridable per instance."""
    locale: str = "en"
    """The gettext locale of this variant (the source language for the source course)."""
    rules: dict[str, Any] = field(default_factory=dict)
    """`rules:` of course.yaml: severity overrides by code or prefix (ignore/info/warning/error), max_asset_mb."""
    generated_assets: dict[str, bytes] = field(default_factory=dict)
    """Assets whose content this variant makes rather than copies (diagrams with translated texts), by path."""
    date_lines: dict[str, int] = field(default_factory=dict)
    """Lines in course.yaml of `end`, `enrollment.start` and `enrollment.end` (where date findings point)."""
    olx: OlxOverlay = field(default_factory=OlxOverlay)
    """What an imported course keeps beyond the sources (empty for a course written in olxkit)."""

    def lessons(self):
        for module in self.modules:
            yield from module.lessons


@dataclass
class Instance(_CourseKey):
    """One partner's Open edX instance: which course key, language and dates its archive gets."""

    id: str
    locale: str
    """gettext form: it, de, de_AT, hu, sl, sk, pl (or the source language)"""
    org: str
    number: str
    run: str
    enabled: bool = True
    start: datetime | None = None
    end: datetime | None = None
    enrollment_start: datetime | None = None
    enrollment_end: datetime | None = None
    studio_url: str = ""
    lms_url: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    min_coverage: float = 0.0
    """percent of messages that must be translated, or the build fails"""
    line: int = 0
