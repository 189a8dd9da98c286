"""Checks of the course model that go beyond "can it be built": accessibility, assets, dates, ids.

Each check reports with a rule code from olxkit.rules; severities are the defaults, re-graded by `rules:` later.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
from urllib.parse import urlparse

from .. import component_types
from ..diagnostics import Diagnostic, Severity
from ..i18n import locales
from ..model import Course, Instance, Markdown
from ..source.links import STATIC_DIR, LinkResolver
from ..source.runs import checked_children

VAGUE_LINK_TEXT = {"click here", "here", "click", "this", "this link", "link", "read more", "more", "this page",
                   "go", "see here", "clicca qui", "qui", "hier", "hier klicken", "itt", "tukaj", "tu", "tutaj"}
SERVABLE = {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "pdf", "srt", "vtt", "sjson", "txt", "csv",
            "json", "xml", "html", "htm", "css", "js", "mp3", "mp4", "m4a", "webm", "ogg", "ogv", "oga", "wav",
            "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "zip", "epub", "md", "woff", "woff2",
            "ttf", "otf", "gz"}
_FILE_NAME = re.compile(r"^[\w\-. ]+\.(png|jpe?g|gif|svg|webp|bmp)$", re.I)
_STATIC_REF = re.compile(r"""["'(]/static/([^"')?#]+)""")
_SCRIPT_URL = re.compile(r"""\b(?:href|src|action|formaction)\s*+=\s*+["']?+\s*+(javascript|vbscript):""", re.I)
# Raw HTML in the author's text, for the accessibility checks that axe-core makes in the preview (ACC006-009).
# Linear-time patterns only (possessive quantifiers); a tag's end is found by position, not by a lazy `.*?`.
_HTML_IMG = re.compile(r"<img\b[^>]*+>", re.I)
_HTML_LINK = re.compile(r"<a\b([^>]*+)>", re.I)
_HTML_IFRAME = re.compile(r"<iframe\b[^>]*+>", re.I)
_HTML_TABLE = re.compile(r"<table\b", re.I)
_HTML_LANG = re.compile(r"""\s(?:xml:)?+lang\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>]*+))""", re.I)
_ATTR = {name: re.compile(rf"""\s{name}\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>"']++))""", re.I)
         for name in ("alt", "title", "aria-label", "aria-labelledby")}
_TAG = re.compile(r"<[^>]*+>")
_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")
_LOCALIZED = re.compile(r"^(?P<stem>.+)\.(?P<loc>[a-z]{2,3}(?:_[A-Z]{2})?)(?P<ext>\.[^./]+)$")


class _Lint:
    def __init__(self, course: Course, instances: list[Instance]):
        self.course = course
        self.instances = instances
        self.out: list[Diagnostic] = []
        self.resolver = LinkResolver.from_course(course)
        self.used: set[str] = set()
        self._sorted_assets: list[str] | None = None
        self.current: str | None = None
        """The lesson being checked (links in its components are relative to it)."""

    def add(self, path: str, line: int, code: str, message: str, severity: Severity) -> None:
        self.out.append(Diagnostic(path, line, message, severity, code))

    # -- Markdown pages ------------------------------------------------------------------------------
    def page(self, body: Markdown, current: str | None) -> None:
        level = 2 if current else 1
        tokens = body.tokens
        for i, tok in enumerate(tokens):
            line = (tok.map[0] if tok.map else 0) + 1 + body.line_offset
            if tok.type == "heading_open":
                n = int(tok.tag[1])
                if n > level + 1:
                    self.add(body.path, line, "ACC003", f"heading level jumps from h{level} to h{n}; use "
                             f"{'#' * (level + 1)} here", Severity.WARNING)
                level = n
            elif tok.type == "thead_open":
                cells = []
                j = i + 1
                while tokens[j].type != "thead_close":
                    if tokens[j].type == "inline":
                        cells.append(tokens[j].content.strip())
                    j += 1
                if not any(cells):
                    self.add(body.path, line, "ACC004", "this table's header row is empty; name each column "
                             "(screen readers announce it)", Severity.WARNING)
            elif tok.type in ("html_block",):
                self.html(tok.content, body.path, line)
            elif tok.type == "inline":
                self.inline(checked_children(tok), body, line, current)
        for notes in (body.env.get("olxkit_footnotes") or {}).values():
            for tok in notes:
                if tok.type == "inline":
                    line = (tok.map[0] if tok.map else 0) + 1 + body.line_offset
                    self.inline(checked_children(tok), body, line, current)

    def inline(self, children, body: Markdown, line: int, current: str | None, exact: bool = True) -> None:
        """Check one inline run; `line` is its first line, and with `exact` each line break moves it on."""
        text_parts: list[str] | None = None
        href, link_line = "", line
        for child in children:
            if exact and child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type == "link_open":
                text_parts, href, link_line = [], child.attrGet("href") or "", line
                self.target(href, "link", body.base_dir, current, body.path, line)
            elif child.type == "link_close" and text_parts is not None:
                text = re.sub(r"\s+", " ", "".join(text_parts)).strip().lower().rstrip(".:!")
                if not "".join(text_parts).strip():
                    self.add(body.path, link_line, "ACC006", f"this link has no text ({href}); screen readers "
                             "announce it as a bare address: write what it leads to in […]", Severity.ERROR)
                if text in VAGUE_LINK_TEXT:
                    self.add(body.path, link_line, "LNK004", f"link text `{text}` says nothing out of context; name "
                             f"where the link goes ({href})", Severity.WARNING)
                text_parts = None
            elif child.type == "image":
                if text_parts is not None:
                    text_parts.append(child.content)  # a linked image is named by its alt text
                src = child.attrGet("src") or ""
                self.target(src, "image", body.base_dir, current, body.path, line)
                alt = child.content.strip()
                if alt and (_FILE_NAME.match(alt) or alt == posixpath.basename(src)):
                    self.add(body.path, line, "ACC002", f"the alt text `{alt}` is a file name; describe what the "
                             "picture shows", Severity.WARNING)
            elif child.type == "html_inline":
                self.html(child.content, body.path, line)
                line += child.content.count("\n") if exact else 0
            elif text_parts is not None and child.type in ("text", "code_inline"):
                text_parts.append(child.content)

    def target(self, url: str, kind: str, base_dir: str, current, path: str, line: int) -> None:
        new, err = self.resolver.resolve(url, kind, base_dir, current)
        if err is None and new.startswith("/static/"):
            self.used.add(new[len("/static/"):].split("#")[0])
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https") and (not parsed.netloc or " " in url or "." not in parsed.netloc):
            self.add(path, line, "LNK002", f"`{url}` is not a valid web address", Severity.ERROR)

    def html(self, html: str, path: str, line: int) -> None:
        """Raw HTML: the assets it uses, and script URLs (what the Markdown link check rejects, written as HTML)."""
        self.static_refs(html)
        self.html_access(html, path, line)
        for match in _SCRIPT_URL.finditer(html):
            at = line + html.count("\n", 0, match.start())
            self.add(path, at, "LNK002", f"`{match.group(1)}:` URLs are not allowed in links; link to a page "
                     "instead", Severity.ERROR)

    def html_access(self, html: str, path: str, line: int) -> None:
        """What axe-core finds in raw HTML, at its line: images without alt, links and frames without a name,
        tables without header cells, invalid `lang` values."""

        def at(pos: int) -> int:
            return line + html.count("\n", 0, pos)

        def named(tag: str, *attrs: str) -> bool:
            """Whether one of `attrs` is on the tag with a value that is not blank."""
            for name in attrs:
                m = _ATTR[name].search(tag)
                if m and next(g for g in m.groups() if g is not None).strip():
                    return True
            return False

        lower = html.lower()
        found: dict[str, int] = {}

        def closing(tag: str, start: int) -> int:
            """Where the next `</tag` is after `start` (each search goes on from the last: linear overall)."""
            end = found.get(tag)
            if end is None or (end < start and end != len(html)):
                end = lower.find(f"</{tag}", start)
                end = len(html) if end < 0 else end
                found[tag] = end
            return end

        for m in _HTML_IMG.finditer(html):
            if not _ATTR["alt"].search(m.group(0)):
                self.add(path, at(m.start()), "ACC001", "this <img> has no alt attribute: describe the picture "
                         '(alt="" for a purely decorative one)', Severity.ERROR)
        # A link or table is judged only when it ends in the same piece of HTML (inline HTML in Markdown comes
        # tag by tag, with the link's text in between as Markdown).
        for m in _HTML_LINK.finditer(html):
            end = closing("a", m.end())
            if end == len(html):
                continue
            inner = html[m.end():end]
            images = [i for i in _HTML_IMG.findall(inner) if named(i, "alt")]
            if not named(m.group(0), "title", "aria-label", "aria-labelledby") and not images \
                    and not _TAG.sub("", inner).strip():
                self.add(path, at(m.start()), "ACC006", "this link has no text; write what it leads to between "
                         "<a> and </a>", Severity.ERROR)
        for m in _HTML_IFRAME.finditer(html):
            if not named(m.group(0), "title", "aria-label"):
                self.add(path, at(m.start()), "ACC008", 'this <iframe> has no title; add title="…" saying what it '
                         "shows", Severity.ERROR)
        for m in _HTML_TABLE.finditer(html):
            end = closing("table", m.end())
            if end == len(html):
                continue
            if "<th" not in lower[m.end():end].replace("<thead", "").replace("<tbody", ""):
                self.add(path, at(m.start()), "ACC007", "this table has no header cells (<th>); screen readers "
                         "need them to read the table", Severity.WARNING)
        for m in _HTML_LANG.finditer(html):
            value = next((g for g in m.groups() if g is not None), "")
            if not _BCP47.match(value.strip()):
                self.add(path, at(m.start()), "ACC009", f'lang="{value}" is not a language tag (such as it or '
                         "de-AT); screen readers use it to pick their voice", Severity.ERROR)

    def static_refs(self, html: str) -> None:
        for ref in _STATIC_REF.findall(html):
            self.used.add(ref)

    # -- the whole course ----------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        c = self.course
        for lesson in c.lessons():
            for unit in lesson.units:
                if not unit.id_pinned:
                    self.add(unit.path, unit.line, "STR006", f"unit `{unit.title}` has no explicit id; its "
                             f"url_name follows the title (pin it: `{{#{unit.id}}}`, or run `olxkit pin-ids`)",
                             Severity.INFO)
                self.current = lesson.path
                for comp in unit.components:
                    self.out.extend(component_types.of(comp).lint(comp, self) or ())
            self.dates_of_lesson(lesson)
        for extra in (c.about.overview, c.handouts, *[u.body for u in c.updates]):
            if extra is not None:
                self.page(extra, None)
        if c.about.image:
            self.used.add(c.about.image)
        self.dates()
        self.assets()
        return self.out

    def assets_starting(self, prefix: str) -> list[str]:
        """The course's assets whose path starts with `prefix`: a range of the sorted paths, found by bisection
        (scanning every asset for every video grew with videos × assets)."""
        if self._sorted_assets is None:
            self._sorted_assets = sorted(self.course.assets)
        names = self._sorted_assets
        found = []
        for k in range(bisect.bisect_left(names, prefix), len(names)):
            if not names[k].startswith(prefix):
                break
            found.append(names[k])
        return found

    def dates_of_lesson(self, lesson) -> None:
        c = self.course
        if lesson.due and lesson.due < c.start:
            self.add(lesson.path, lesson.due_line, "AUT004", f"this lesson is due ({lesson.due.date()}) before the "
                     f"course starts ({c.start.date()}): learners could never submit it; set `due:` after the start",
                     Severity.ERROR)
            return
        for i in self.instances:
            if lesson.due and i.start and lesson.due < i.start:
                self.add(lesson.path, lesson.due_line, "AUT004", f"this lesson is due ({lesson.due.date()}) before "
                         f"instance `{i.id}` starts ({i.start.date()}): its learners could never submit it; set "
                         "`due:` after every instance's start", Severity.ERROR)
                return
        if lesson.due and c.end and lesson.due > c.end:
            self.add(lesson.path, lesson.due_line, "DAT002", "this lesson's due date is outside the course dates "
                     f"({c.start.date()} – {c.end.date() if c.end else '…'})", Severity.WARNING)

    def dates(self) -> None:
        c = self.course
        lines = c.date_lines
        self.enrolment("course/course.yaml", "", (c.enrollment_start, c.enrollment_end, c.end),
                       (lines.get("enrollment.start", 1), lines.get("enrollment.end", 1)))
        for i in self.instances:
            start, end = i.start or c.start, i.end or c.end
            if end and start and end <= start:
                self.add("course/instances.yaml", i.line, "DAT001", f"instance `{i.id}` ends before it starts",
                         Severity.ERROR)
            # An instance's own dates against each other and the course's: only what involves one of its own.
            own = (i.enrollment_start is not None, i.enrollment_end is not None, i.end is not None)
            dates = (i.enrollment_start or c.enrollment_start, i.enrollment_end or c.enrollment_end, end)
            self.enrolment("course/instances.yaml", f"instance `{i.id}`: ", dates, (i.line, i.line), own)

    def enrolment(self, rel: str, who: str, dates: tuple, lines: tuple[int, int],
                  own: tuple[bool, bool, bool] = (True, True, True)) -> None:
        """DAT003: the enrolment window `dates` = (opens, closes, course end); `own` says which to answer for."""
        (opens, closes, end), (open_line, close_line) = dates, lines
        if opens and closes and closes < opens and (own[0] or own[1]):
            self.add(rel, close_line, "DAT003", f"{who}enrolment closes before it opens", Severity.WARNING)
        if end and opens and opens > end and (own[0] or own[2]):
            self.add(rel, open_line, "DAT003", f"{who}enrolment opens after the course ends", Severity.WARNING)
        if end and closes and closes > end and (own[1] or own[2]):
            self.add(rel, close_line, "DAT003", f"{who}enrolment closes after the course ends", Severity.WARNING)

    def assets(self) -> None:
        c = self.course
        limit = float(c.rules.get("max_asset_mb", 10.0))
        known = {i.locale for i in self.instances} | {locales.normalize(c.language)}
        used = set(self.used)
        for rel in c.assets:
            m = _LOCALIZED.match(posixpath.basename(rel))
            if m and m.group("loc") in known:
                base = posixpath.join(posixpath.dirname(rel), m.group("stem") + m.group("ext"))
                if base in self.used:
                    used.add(rel)
        for rel, src in sorted(c.assets.items()):
            where = f"{STATIC_DIR}/{rel}"
            if rel not in used:
                self.add(where, 1, "AST002", "this file is not used by any page, problem, video or setting",
                         Severity.WARNING)
            size = os.path.getsize(src)
            if size > limit * 1024 * 1024:
                self.add(where, 1, "AST003", f"this file is {size / 1024 / 1024:.1f} MB, over the "
                         f"{limit:g} MB limit (rules.max_asset_mb)", Severity.WARNING)
            ext = rel.rsplit(".", 1)[-1].lower() if "." in rel else ""
            if ext not in SERVABLE:
                self.add(where, 1, "AST005", f"browsers will not open `.{ext or '(none)'}` files from Studio; "
                         "use a common web format (PDF, PNG, MP4…)", Severity.WARNING)


def lint_course(course: Course, instances: list[Instance]) -> list[Diagnostic]:
    """Findings about the course model beyond what blocks a build (accessibility, assets, dates, ids)."""
    return _Lint(course, instances).run()
