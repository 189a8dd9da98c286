"""The preview's pages: the learner's view of an instance, rendered from its OLX (jinja2 templates).

Component html is the html of the archive. Like the LMS, the preview rewrites `/static/…` and `/jump_to_id/…`
to its own addresses when it shows a page; nothing else is changed.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import etree
from markupsafe import Markup

from ..i18n import locales
from ..model import DiscussionComponent, HtmlComponent, ProblemComponent, RawOlxComponent, VideoComponent
from .cache import Place, Preview, Site, component_name
from .grader import RESPONSES, Problem, inner_html

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_LINK = re.compile(r'(\s(?:href|src)=["\'])/(static|jump_to_id)/')
_SRT_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}[,.]\d{3}\s*-->")

# Interface texts of the preview itself, in each instance's language (the course texts come from the catalogs).
UI = {
    "en": {"outline": "Course outline", "about": "About", "handouts": "Handouts", "updates": "Updates",
           "previous": "Previous", "next": "Next", "graded": "Graded", "due": "Due", "submit": "Submit",
           "hint": "Hint", "show_answer": "Show answer", "reset": "Reset", "transcript": "Transcript",
           "discussion": "Discussion", "units": "units", "language": "Instance"},
    "it": {"outline": "Struttura del corso", "about": "Informazioni", "handouts": "Materiali",
           "updates": "Aggiornamenti", "previous": "Precedente", "next": "Successivo", "graded": "Valutato",
           "due": "Scadenza", "submit": "Invia", "hint": "Suggerimento", "show_answer": "Mostra la risposta",
           "reset": "Ricomincia", "transcript": "Trascrizione", "discussion": "Discussione", "units": "unità",
           "language": "Istanza"},
    "de": {"outline": "Kursübersicht", "about": "Über den Kurs", "handouts": "Unterlagen",
           "updates": "Neuigkeiten", "previous": "Zurück", "next": "Weiter", "graded": "Bewertet",
           "due": "Fällig", "submit": "Abschicken", "hint": "Hinweis", "show_answer": "Antwort anzeigen",
           "reset": "Zurücksetzen", "transcript": "Transkript", "discussion": "Diskussion", "units": "Einheiten",
           "language": "Instanz"},
    "hu": {"outline": "A kurzus felépítése", "about": "A kurzusról", "handouts": "Segédanyagok",
           "updates": "Hírek", "previous": "Előző", "next": "Következő", "graded": "Értékelt",
           "due": "Határidő", "submit": "Beküldés", "hint": "Tipp", "show_answer": "Válasz megjelenítése",
           "reset": "Újrakezdés", "transcript": "Átirat", "discussion": "Beszélgetés", "units": "egység",
           "language": "Példány"},
    "sl": {"outline": "Zgradba tečaja", "about": "O tečaju", "handouts": "Gradiva", "updates": "Novice",
           "previous": "Nazaj", "next": "Naprej", "graded": "Ocenjeno", "due": "Rok", "submit": "Oddaj",
           "hint": "Namig", "show_answer": "Pokaži odgovor", "reset": "Ponastavi", "transcript": "Prepis",
           "discussion": "Razprava", "units": "enot", "language": "Instanca"},
    "sk": {"outline": "Osnova kurzu", "about": "O kurze", "handouts": "Materiály", "updates": "Novinky",
           "previous": "Predchádzajúce", "next": "Ďalšie", "graded": "Hodnotené", "due": "Termín",
           "submit": "Odoslať", "hint": "Nápoveda", "show_answer": "Zobraziť odpoveď", "reset": "Znova",
           "transcript": "Prepis", "discussion": "Diskusia", "units": "jednotiek", "language": "Inštancia"},
    "pl": {"outline": "Plan kursu", "about": "O kursie", "handouts": "Materiały", "updates": "Aktualności",
           "previous": "Poprzednia", "next": "Następna", "graded": "Oceniane", "due": "Termin",
           "submit": "Wyślij", "hint": "Wskazówka", "show_answer": "Pokaż odpowiedź", "reset": "Od nowa",
           "transcript": "Transkrypcja", "discussion": "Dyskusja", "units": "jednostek", "language": "Instancja"},
}


def ui(site: Site) -> dict[str, str]:
    return UI.get(locales.openedx_language(site.instance.locale), UI["en"])


def rewrite(body: str, slug: str) -> str:
    """Point `/static/…` and `/jump_to_id/…` at this instance's preview, as the LMS points them at the course."""
    return _LINK.sub(lambda m: f"{m.group(1)}/{slug}/{m.group(2)}/", body)


def has_math(*texts: str) -> bool:
    """Whether a page holds MathJax's delimiters (MathJax is loaded only then: most pages have no math)."""
    return any("\\(" in t or "\\[" in t for t in texts)


def _render(template: str, preview: Preview, site: Site | None, **context) -> str:
    instances = []
    for slug, inst in preview.slugs.items():
        instances.append({"slug": slug, "id": inst.id, "lang": locales.bcp47(inst.locale),
                          "name": _language_name(inst.locale)})
    return _ENV.get_template(template).render(
        preview=preview, site=site, instances=instances, ui=ui(site) if site else UI["en"],
        findings=[d.as_dict() | {"location": d.location()} for d in preview.findings],
        version=preview.version, **context)


def _language_name(locale: str) -> str:
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
    modules = []
    for module in site.variant.modules:
        lessons = []
        for lesson in module.lessons:
            places = [p for p in site.places if p.lesson is lesson]
            lessons.append({"lesson": lesson, "places": places, "due": _date(lesson.due),
                            "fallback": site.fallback_texts(lesson.path, 1, lesson.units[0].line if lesson.units
                                                            else 10**9)})
        modules.append({"module": module, "lessons": lessons,
                        "fallback": site.fallback_texts(module.path, 1, 10**9)})
    return _render("outline.html", preview, site, title=site.variant.title, modules=modules)


def unit_page(preview: Preview, site: Site, place: Place) -> str:
    tree = site.lesson_olx(place.lesson.id)
    unit = place.unit
    comps = []
    ends = [c.line for c in unit.components[1:]] + [_unit_end(site, place)]
    for comp, end in zip(unit.components, ends, strict=True):
        url_name = component_name(site.variant, place, comp)
        item = {"id": url_name, "kind": comp.kind, "fallback": site.fallback_texts(comp.path, comp.line, end)}
        if isinstance(comp, HtmlComponent):
            item["html"] = Markup(rewrite(tree.files[f"html/{url_name}.html"].decode("utf-8"), site.slug))
        elif isinstance(comp, ProblemComponent):
            data = tree.files.get(f"problem/{url_name}.xml")
            item["html"] = Markup(problem_html(Problem(data), url_name, site)) if data else ""
        elif isinstance(comp, VideoComponent):
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
    return _render("unit.html", preview, site, title=f"{unit.title} · {place.lesson.title}", place=place,
                   here=f"unit/{place.lesson.id}/{unit.id}",
                   components=comps, prev=prev, next=nxt, siblings=siblings, math=has_math(*sources),
                   unit_fallback=site.fallback_texts(unit.path, unit.line, unit.line + 1))


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
    if which == "about":
        overview = files.get("about/overview.html", b"").decode("utf-8")
        facts = [(name, files[f"about/{name}.html"].decode("utf-8").strip())
                 for name in ("short_description", "effort", "duration") if f"about/{name}.html" in files]
        video = site.variant.about.intro_video
        return _render("about.html", preview, site, title=ui(site)["about"], here="about",
                       overview=Markup(rewrite(overview, site.slug)), facts=facts, intro_video=video,
                       math=has_math(overview),
                       fallback=site.fallback_texts("course/about.md", 1, 10**9))
    if which == "handouts":
        body = files.get("info/handouts.html", b"").decode("utf-8")
        return _render("simple.html", preview, site, title=ui(site)["handouts"], here="handouts",
                       body=Markup(rewrite(body, site.slug)), math=has_math(body),
                       fallback=site.fallback_texts("course/handouts.md", 1, 10**9))
    import json

    items = json.loads(files.get("info/updates.items.json", b"[]"))
    updates = [{"date": i["date"], "content": Markup(rewrite(i["content"], site.slug))} for i in items]
    return _render("updates.html", preview, site, title=ui(site)["updates"], here="updates", updates=updates,
                   math=has_math(*(str(u["content"]) for u in updates)),
                   fallback=site.fallback_texts("course/updates.yaml", 1, 10**9))


def not_found(preview: Preview, message: str) -> str:
    return _render("message.html", preview, None, title="Not found", message=message)


def broken(preview: Preview) -> str:
    return _render("message.html", preview, None, title="The course cannot be read",
                   message="Fix the errors below; the page reloads by itself.")


# -- problems --------------------------------------------------------------------------------------------------

def problem_html(problem: Problem, url_name: str, site: Site) -> str:
    """The learner's form for a problem, made from its OLX: prompts and texts as they are, inputs for responses."""
    t = ui(site)
    root = problem.root
    title = root.get("display_name") or "Problem"
    weight = problem.weight
    points = weight if weight is not None else float(len(problem.responses))
    out = [f'<div class="problem" id="{url_name}" data-url="/{site.slug}/xblock/{url_name}">',
           f'<h3 class="problem-header">{html.escape(title)}</h3>',
           f'<p class="problem-progress">{_points(points)} point{"s" if points != 1 else ""} possible</p>',
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
    attempts = (f"You have used 0 of {max_attempts} attempt{'s' if max_attempts != 1 else ''}" if max_attempts
                else "")
    out.append('<div class="problem-actions">'
               f'<button type="submit" class="submit">{t["submit"]}</button>')
    if problem.hints:
        out.append(f'<button type="button" class="hint" data-total="{len(problem.hints)}">{t["hint"]}</button>')
    out.append(f'<button type="button" class="show-answer" hidden>{t["show_answer"]}</button>'
               f'<button type="button" class="reset">{t["reset"]}</button></div>')
    out.append(f'<p class="attempts">{attempts}</p><div class="notification" role="status" aria-live="polite">'
               '</div></form></div>')
    return "\n".join(out)


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
