"""The preview's pages: the learner's view of an instance, rendered from its OLX (jinja2 templates).

Component html is the html of the archive. Like the LMS, the preview rewrites `/static/…` and `/jump_to_id/…`
to its own addresses when it shows a page; nothing else is changed.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape
from lxml import etree
from markupsafe import Markup

from ..i18n import locales
from ..i18n.ui import ui_labels, ui_text
from ..i18n.walk import Item
from ..model import DiscussionComponent, HtmlComponent, ProblemComponent, RawOlxComponent, VideoComponent
from .cache import Place, Preview, Site, component_name
from .grader import RESPONSES, Problem, inner_html
from .marks import mark, reads_as, reads_as_page

TEMPLATES = Path(__file__).parent / "templates"


def _compiled_templates() -> FileSystemBytecodeCache | None:
    """jinja2's cache of compiled templates, as Python keeps .pyc files: compiling the pages' templates is ≈ 0.02 s
    of a server's first page. jinja2's own per-user folder in the temporary folder, which it creates private and
    checks (owner, mode) before use; keyed by the template's source, so an edited template is compiled again."""
    try:
        return FileSystemBytecodeCache(pattern="olxkit-%s.cache")
    except (OSError, RuntimeError):  # no private folder to be had: compile every time
        return None


_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, bytecode_cache=_compiled_templates())
_LINK = re.compile(r'(\s(?:href|src)=["\'])/(static|jump_to_id)/')
_SRT_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}[,.]\d{3}\s*-->")

@lru_cache(maxsize=16)
def interface(locale: str) -> dict[str, str]:
    """The preview's own words in `locale` (gettext form), from olxkit's own catalog (`i18n/messages/`), along
    the chain (de_AT → de → English) and through the gate, as the texts olxkit writes into an archive."""
    labels = ui_labels(locale)
    return {
        "outline": ui_text(labels, "Course outline"),
        "about": ui_text(labels, "About"),
        "handouts": ui_text(labels, "Handouts"),
        "updates": ui_text(labels, "Updates"),
        "tabs": ui_text(labels, "Course pages"),
        "instances": ui_text(labels, "Course instances"),
        "skip": ui_text(labels, "Skip to content"),
        "here": ui_text(labels, "You are here"),
        "previous": ui_text(labels, "Previous"),
        "next": ui_text(labels, "Next"),
        "units": ui_text(labels, "Previous and next unit"),
        "graded": ui_text(labels, "Graded"),
        "due": ui_text(labels, "Due"),
        "banner": ui_text(labels, "This is a preview made by olxkit from the course sources, not Open edX: what "
                                  "Open edX shows may look different, but its texts and grading are the same."),
        "title": ui_text(labels, "olxkit preview"),
        "toggle": ui_text(labels, "Mark the texts not yet translated ({count} on this page)"),
        "mark": ui_text(labels, "Not translated yet: shown in {language}"),
        "broken": ui_text(labels, "The last save broke the course"),
        "broken_help": ui_text(labels, "The page shows the last version that worked. Fix these and it reloads by "
                                       "itself:"),
        "transcript": ui_text(labels, "Transcript"),
        "discussion": ui_text(labels, "Discussion"),
        "no_posts": ui_text(labels, "Learners discuss here in Open edX; the preview shows no posts."),
        "olx_block": ui_text(labels, "A block only Open edX shows"),
        "short_description": ui_text(labels, "Short description"),
        "effort": ui_text(labels, "Effort"),
        "duration": ui_text(labels, "Duration"),
        "problem": ui_text(labels, "Problem"),
        "points": ui_text(labels, "Possible points: {points}"),
        "attempts": ui_text(labels, "Attempts: {used} of {total}"),
        "submit": ui_text(labels, "Submit"),
        "hint": ui_text(labels, "Hint"),
        "show_answer": ui_text(labels, "Show answer"),
        "reset": ui_text(labels, "Reset"),
        "correct": ui_text(labels, "Correct"),
        "incorrect": ui_text(labels, "Incorrect"),
        "partially_correct": ui_text(labels, "Partially correct"),
        "score": ui_text(labels, "Score: {earned} of {possible}"),
        "submitted": ui_text(labels, "Your answer has been submitted."),
        "hint_n": ui_text(labels, "Hint {number} of {total}"),
        "answer": ui_text(labels, "Answer"),
    }


def ui(site: Site | None) -> dict[str, str]:
    return interface(site.instance.locale if site else "en")


def rewrite(body: str, slug: str) -> str:
    """Point `/static/…` and `/jump_to_id/…` at this instance's preview, as the LMS points them at the course."""
    return _LINK.sub(lambda m: f"{m.group(1)}/{slug}/{m.group(2)}/", body)


def has_math(*texts: str) -> bool:
    """Whether a page holds MathJax's delimiters (MathJax is loaded only then: most pages have no math)."""
    return any("\\(" in t or "\\[" in t for t in texts)


class Marker:
    """Marks a page's texts shown in the fallback language (see `marks`), and counts them for the toggle."""

    def __init__(self, site: Site):
        self.site = site
        self.count = 0
        self.lang = site.source_language

    @cached_property
    def label(self) -> str:
        # Only a page with a fallen-back text needs it (and the source language's pages never do): naming the
        # language reads CLDR data, ~0.03 s.
        site = self.site
        return ui(site)["mark"].replace("{language}", _language_in(site.source.language, site.instance.locale))

    def items(self, path: str, start: int, end: int) -> list[Item]:
        return [] if self.site.is_source else self.site.fallback_items(path, start, end)

    def attrs(self, items: list[Item]) -> Markup:
        """` data-fallback="…" lang="…"` for an element that shows `items` (one text), else nothing."""
        if not items:
            return Markup("")
        self.count += 1
        return Markup(f' data-fallback="{html.escape(self.label, quote=True)}" lang="{self.lang}"')

    def html(self, fragment: str, items: list[Item], note_missing: bool = True) -> tuple[str, Markup]:
        """`fragment` with its fallen-back texts marked; attributes for its container naming any text that could
        not be found in it (marked as a whole, never silently left out)."""
        marked, missing = mark(fragment, items, self.label, self.lang)
        self.count += len(items) - len(missing)
        if not missing or not note_missing:
            return marked, Markup("")
        self.count += len(missing)
        note = f"{self.label}: " + " · ".join(item.text for item in missing)
        return marked, Markup(f' data-fallback="{html.escape(note, quote=True)}"')


def _render(template: str, preview: Preview, site: Site | None, marker: Marker | None = None, **context) -> str:
    instances = []
    for slug, inst in preview.slugs.items():
        instances.append({"slug": slug, "id": inst.id, "lang": locales.bcp47(inst.locale),
                          "name": _language_name(inst.locale)})
    return _ENV.get_template(template).render(
        preview=preview, site=site, instances=instances, ui=ui(site),
        findings=[d.as_dict() | {"location": d.location()} for d in preview.findings],
        version=preview.version, fallback_count=marker.count if marker else 0, **context)


@lru_cache(maxsize=64)
def _language_in(language: str, locale: str) -> str:
    """The name of `language` in the language of `locale` (`inglese` for en in it), else its code."""
    from babel import Locale

    try:
        return Locale.parse(locales.normalize(locale)).languages.get(locales.normalize(language).split("_")[0],
                                                                     language)
    except (ValueError, TypeError):
        return language


ENDONYMS = {
    "bg": "български", "cs": "čeština", "da": "dansk", "de": "Deutsch", "de_AT": "Deutsch (Österreich)",
    "de_CH": "Deutsch (Schweiz)", "el": "Ελληνικά", "en": "English", "es": "español", "et": "eesti", "fi": "suomi",
    "fr": "français", "ga": "Gaeilge", "hr": "hrvatski", "hu": "magyar", "it": "italiano", "lt": "lietuvių",
    "lv": "latviešu", "mt": "Malti", "nl": "Nederlands", "pl": "polski", "pt": "português", "ro": "română",
    "sk": "slovenčina", "sl": "slovenščina", "sv": "svenska", "uk": "українська",
}
"""Each language's name in itself as CLDR spells it (tests/test_serve.py checks them against Babel's), for the
instance switcher of every page: Babel reads a language's CLDR data to name it (~0.03 s each, eight instances
a quarter of a second before the first page). Other languages are named by Babel."""


def _language_name(locale: str) -> str:
    known = ENDONYMS.get(locales.normalize(locale))
    if known is not None:
        return known
    from babel import Locale

    try:
        return Locale.parse(locales.normalize(locale)).get_display_name(locales.normalize(locale)) or locale
    except (ValueError, TypeError):
        return locale


def _date(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def outline(preview: Preview, site: Site) -> str:
    marker = Marker(site)
    modules = []
    for module in site.variant.modules:
        lessons = []
        for lesson in module.lessons:
            places = [{"place": p, "mark": marker.attrs(marker.items(p.unit.path, p.unit.line, p.unit.line + 1))}
                      for p in site.places if p.lesson is lesson]
            lessons.append({"lesson": lesson, "places": places, "due": _date(lesson.due),
                            "mark": marker.attrs(marker.items(lesson.path, lesson.line, lesson.line + 1))})
        modules.append({"module": module, "lessons": lessons,
                        "mark": marker.attrs(marker.items(module.path, module.line, module.line + 1))})
    return _render("outline.html", preview, site, marker, title=site.variant.title, modules=modules)


def unit_page(preview: Preview, site: Site, place: Place) -> str:
    tree = site.lesson_olx(place.lesson.id)
    unit = site.unit(place)
    marker = Marker(site)
    comps = []
    ends = [c.line for c in unit.components[1:]] + [_unit_end(site, place)]
    for comp, end in zip(unit.components, ends, strict=True):
        url_name = component_name(site.variant, place, comp)
        items = marker.items(comp.path, comp.line, end)
        item = {"id": url_name, "kind": comp.kind, "mark": Markup("")}
        if isinstance(comp, HtmlComponent):
            body, item["mark"] = marker.html(tree.files[f"html/{url_name}.html"].decode("utf-8"), items)
            item["html"] = Markup(rewrite(body, site.slug))
        elif isinstance(comp, ProblemComponent):
            data = tree.files.get(f"problem/{url_name}.xml")
            item["html"] = Markup(problem_html(Problem(data), url_name, site, marker, items)) if data else ""
        else:
            item["title_mark"] = marker.attrs(items)
            if isinstance(comp, VideoComponent):
                item.update(video=comp, transcript=_transcript(site, comp))
            elif isinstance(comp, DiscussionComponent):
                item.update(title=comp.title)
            elif isinstance(comp, RawOlxComponent):
                item.update(tag=comp.tag)
        comps.append(item)
    sources = [str(c.get("html", "")) for c in comps]
    sources += [tree.files[f"problem/{c['id']}.xml"].decode("utf-8") for c in comps
                if c["kind"] == "problem" and f"problem/{c['id']}.xml" in tree.files]
    prev = site.places[place.index - 1] if place.index > 0 else None
    nxt = site.places[place.index + 1] if place.index + 1 < len(site.places) else None
    siblings = [p for p in site.places if p.lesson is place.lesson]
    unit_mark = marker.attrs(marker.items(unit.path, unit.line, unit.line + 1))
    return _render("unit.html", preview, site, marker, title=f"{unit.title} · {place.lesson.title}", place=place,
                   here=f"unit/{place.lesson.id}/{unit.id}", unit=unit,
                   components=comps, prev=prev, next=nxt, siblings=siblings, math=has_math(*sources),
                   unit_mark=unit_mark)


def _unit_end(site: Site, place: Place) -> int:
    later = [p for p in site.places[place.index + 1:] if p.lesson is place.lesson]
    return later[0].unit.line if later else 10**9


def _transcript(site: Site, video: VideoComponent) -> dict | None:
    if not video.transcripts:
        return None
    lang, asset = sorted(video.transcripts.items())[0]
    path = site.variant.assets.get(asset)
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError:
        return None
    lines = []
    for block in re.split(r"\n[ \t\r]*+\n", text.strip()):
        rows = [r for r in block.splitlines() if r.strip() and not r.strip().isdigit() and not _SRT_TIME.match(r)]
        if rows:
            lines.append(" ".join(r.strip() for r in rows))
    return {"lang": locales.bcp47(lang), "lines": lines}


def page(preview: Preview, site: Site, which: str) -> str:
    """About, Handouts or Updates, from the course files of the archive."""
    tree = site.pages()
    files = tree.files
    marker = Marker(site)
    t = ui(site)
    if which == "about":
        overview = files.get("about/overview.html", b"").decode("utf-8")
        about = site.source.about
        overview, mark_attrs = marker.html(overview, marker.items(about.overview.path, 1, 10**9)
                                           if about.overview is not None else [])
        facts = [(t[name], files[f"about/{name}.html"].decode("utf-8").strip())
                 for name in ("short_description", "effort", "duration") if f"about/{name}.html" in files]
        return _render("about.html", preview, site, marker, title=t["about"], here="about",
                       overview=Markup(rewrite(overview, site.slug)), facts=facts,
                       intro_video=site.variant.about.intro_video, math=has_math(overview), mark=mark_attrs)
    if which == "handouts":
        body = files.get("info/handouts.html", b"").decode("utf-8")
        handouts = site.source.handouts
        body, mark_attrs = marker.html(body, marker.items(handouts.path, 1, 10**9) if handouts is not None else [])
        return _render("simple.html", preview, site, marker, title=t["handouts"], here="handouts",
                       body=Markup(rewrite(body, site.slug)), math=has_math(body), mark=mark_attrs)
    import json

    items = json.loads(files.get("info/updates.items.json", b"[]"))
    texts = [i for u in site.source.updates for i in marker.items(u.body.path, 1, 10**9)]
    texts = list({(i.path, i.line, i.text): i for i in texts}.values())
    updates = []
    for i in items:
        content, mark_attrs = marker.html(i["content"], [x for x in texts if reads_as(x.text) in
                                                        reads_as_page(i["content"])])
        updates.append({"date": i["date"], "content": Markup(rewrite(content, site.slug)), "mark": mark_attrs})
    return _render("updates.html", preview, site, marker, title=t["updates"], here="updates", updates=updates,
                   math=has_math(*(str(u["content"]) for u in updates)))


def not_found(preview: Preview, message: str) -> str:
    return _render("message.html", preview, None, title="Not found", message=message)


def broken(preview: Preview) -> str:
    return _render("message.html", preview, None, title="The course cannot be read",
                   message="Fix the errors below; the page reloads by itself.")


# -- problems --------------------------------------------------------------------------------------------------

def problem_html(problem: Problem, url_name: str, site: Site, marker: Marker | None = None,
                 items: list[Item] = ()) -> str:
    """The learner's form for a problem, made from its OLX: prompts and texts as they are, inputs for responses.

    With `items` (its texts shown in the fallback language), each field showing one is marked; its hints and
    feedback, which come later, are marked by the page's script (`data-fallback-lang` on the problem)."""
    t = ui(site)
    root = problem.root
    title = root.get("display_name") or t["problem"]
    weight = problem.weight
    points = weight if weight is not None else float(len(problem.responses))
    marked = ""
    if items and marker is not None:
        marked = (f' data-fallback-lang="{marker.lang}" data-fallback-label="'
                  f'{html.escape(marker.label, quote=True)}"')
    out = [f'<div class="problem" id="{url_name}" data-url="/{site.slug}/xblock/{url_name}"{marked}>',
           f'<h3 class="problem-header">{html.escape(title)}</h3>',
           f'<p class="problem-progress">{html.escape(t["points"].replace("{points}", _points(points)))}</p>',
           '<form class="problem-form" novalidate>']
    index = 0
    for child in root:
        if not isinstance(child.tag, str) or child.tag in ("solution", "demandhint"):
            continue
        if child.tag in RESPONSES:
            out.append(_response_html(child, f"{url_name}_{index}", title))
            index += 1
        else:
            out.append(etree.tostring(child, method="html", encoding="unicode", with_tail=False))
    out.append('<div class="hints" aria-live="polite"></div>')
    if problem.solution:
        out.append(f'<div class="solution" hidden>{problem.solution}</div>')
    max_attempts = problem.max_attempts
    attempts = (t["attempts"].replace("{used}", "0").replace("{total}", str(max_attempts)) if max_attempts
                else "")
    out.append('<div class="problem-actions">'
               f'<button type="submit" class="submit">{t["submit"]}</button>')
    if problem.hints:
        out.append(f'<button type="button" class="hint" data-total="{len(problem.hints)}">{t["hint"]}</button>')
    out.append(f'<button type="button" class="show-answer" hidden>{t["show_answer"]}</button>'
               f'<button type="button" class="reset">{t["reset"]}</button></div>')
    out.append(f'<p class="attempts">{html.escape(attempts)}</p><div class="notification" role="status" '
               'aria-live="polite"></div></form></div>')
    form = "\n".join(out)
    if marked:
        # The problem's own fields (title, prompts, choices, solution), never the preview's buttons.
        form, _rest = marker.html(form, items, note_missing=False)  # hints, feedback: marked when shown
    return form


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _response_html(el, uid: str, title: str) -> str:
    label_el = el.find("label")
    label = inner_html(label_el, set()) if label_el is not None else ""
    desc_el = el.find("description")
    desc = inner_html(desc_el, set()) if desc_el is not None else ""
    desc_html = f'<p class="description" id="{uid}-desc">{desc}</p>' if desc else ""
    described = f' aria-describedby="{uid}-desc"' if desc else ""
    feedback = f'<div class="response-feedback" id="{uid}-feedback" aria-live="polite"></div>'
    fallback_label = html.escape(title)
    if el.tag in ("multiplechoiceresponse", "choiceresponse"):
        kind = "radio" if el.tag == "multiplechoiceresponse" else "checkbox"
        rows = []
        for i, choice in enumerate(el.findall(".//choice")):
            rows.append(f'<div class="choice"><input type="{kind}" name="{uid}" id="{uid}-{i}" value="{i}">'
                        f'<label for="{uid}-{i}">{inner_html(choice)}</label></div>')
        legend = label or fallback_label
        return (f'<fieldset class="response" data-kind="{kind}" data-id="{uid}"{described}>'
                f'<legend>{legend}</legend>{desc_html}{"".join(rows)}{feedback}</fieldset>')
    if el.tag == "optionresponse":
        options = ['<option value="">…</option>'] + [
            f'<option value="{html.escape((o.text or "").strip(), quote=True)}">{html.escape((o.text or "").strip())}'
            "</option>" for o in el.findall(".//optioninput/option")]
        return (f'<div class="response" data-kind="select" data-id="{uid}"><label for="{uid}">'
                f'{label or fallback_label}</label>{desc_html}<select id="{uid}"{described}>{"".join(options)}'
                f"</select>{feedback}</div>")
    return (f'<div class="response" data-kind="text" data-id="{uid}"><label for="{uid}">{label or fallback_label}'
            f'</label>{desc_html}<input type="text" id="{uid}" autocomplete="off"{described}>{feedback}</div>')


def now() -> datetime:
    return datetime.now(UTC)
