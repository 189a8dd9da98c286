"""The exporters of olxkit's own component types (registered in olxkit/component_types.py), and the XML text
helpers every OLX file of the export is written with.

An exporter is `export(component, url_name, ctx) -> (xml, files) | None` (olxkit/registry.py): `ctx.olx` is the
export stage (page, pinned, resolve_for, report, labels, course).
"""

from __future__ import annotations

import json

from lxml import etree

from ..i18n.ui import ui_text
from .capa import ProblemMarkupError, build_problem

CORE_TAGS = frozenset({"html", "video", "problem", "discussion"})
"""Open edX's own block types: any other one in a course must be listed in `advanced_modules`."""


def attr(value) -> str:
    """An XML attribute value, escaped (new lines and tabs kept as character references)."""
    text = str(value)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def element(tag: str, attrs: dict, children: list[str] | None = None) -> bytes:
    """One OLX file's element: attributes in the given order (None ones left out), children one per line."""
    attr_text = "".join(f' {k}="{attr(v)}"' for k, v in attrs.items() if v is not None)
    if not children:
        return f"<{tag}{attr_text}/>\n".encode()
    inner = "".join(f"  {c}\n" for c in children)
    return f"<{tag}{attr_text}>\n{inner}</{tag}>\n".encode()


def pointer(tag: str, url_name: str) -> str:
    return f'<{tag} url_name="{attr(url_name)}"/>'


def export_html(comp, url_name: str, ctx):
    olx = ctx.olx
    html = olx.render_page(comp.body, ctx.lesson.path, comp.line)
    attrs = {"filename": url_name, "display_name": ctx.unit.title, "editor": "raw"}
    return pointer("html", url_name), {
        f"html/{url_name}.xml": element("html", olx.pinned("html", url_name, attrs)),
        f"html/{url_name}.html": html.encode("utf-8"),
    }


def export_video(v, url_name: str, ctx):
    attrs = {
        "display_name": v.title,
        "youtube": f"1.00:{v.youtube_id}" if v.youtube_id else None,
        "youtube_id_1_0": v.youtube_id,  # "" stops Open edX from playing its sample video
        "html5_sources": json.dumps(v.sources),
        "download_video": "true" if v.download_video else "false",
        "download_track": "true" if v.download_track else "false",
        "show_captions": "true",
        "transcripts": json.dumps(v.transcripts, sort_keys=True) if v.transcripts else None,
    }
    children = [f'<source src="{attr(s)}"/>' for s in v.sources]
    children += [
        f'<transcript language="{attr(lang)}" src="{attr(src)}"/>' for lang, src in sorted(v.transcripts.items())
    ]
    return pointer("video", url_name), {
        f"video/{url_name}.xml": element("video", ctx.olx.pinned("video", url_name, attrs), children)}


def export_problem(comp, url_name: str, ctx):
    olx = ctx.olx
    resolve = olx.resolve_for(comp.base_dir, ctx.lesson.path, comp.path, comp.line)
    try:
        root = build_problem(comp, resolve, ui_text(olx.labels, "Explanation"))
    except ProblemMarkupError as exc:
        olx.report(comp.path, comp.line, f"problem `{comp.id}`: {exc}", "PRB006")
        return None
    pins = olx.pinned("problem", url_name, dict(root.attrib))
    root.attrib.clear()
    root.attrib.update(pins)
    path, data = f"problem/{url_name}.xml", etree.tostring(root, encoding="utf-8", pretty_print=True)
    olx.built(path, root, data)
    return pointer("problem", url_name), {path: data}


def export_discussion(comp, url_name: str, ctx):
    # Pure XBlocks are exported inline, as Studio does.
    course = ctx.course
    attrs = {
        "url_name": url_name,
        "xblock-family": "xblock.v1",
        "display_name": comp.title,
        "discussion_category": comp.category,
        "discussion_target": comp.target,
        "discussion_id": f"{course.number}_{course.run}_{url_name}",
    }
    return element("discussion", ctx.olx.pinned("discussion", url_name, attrs)).decode().strip(), {}


def export_raw(comp, url_name: str, ctx):
    root = etree.fromstring(comp.xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    empty = not len(root) and not (root.text or "").strip()
    if empty and set(root.attrib) == {"url_name"} and f"{root.tag}/{url_name}.xml" in ctx.course.olx.files:
        # A block an imported course keeps as it came, in its own file under course/olx/.
        return pointer(root.tag, url_name), {}
    if empty and root.tag in ("chapter", "sequential", "vertical", "problem", "html"):
        # Open edX would read it as an empty inline block (or look for a file that is not there).
        ctx.olx.report(comp.path, comp.line, f"the olx block <{root.tag}> is empty; a core block needs its content "
                       "inline", "OLX001")
        return None
    root.set("url_name", url_name)
    return etree.tostring(root, encoding="unicode"), {}
