"""The readers of olxkit's own component types (registered in olxkit/component_types.py): the Markdown between
fences (html) and the fenced video, discussion and olx blocks; problems are read in problems.py.

A reader is `read(data, ctx) -> component` (olxkit/registry.py).
"""

from __future__ import annotations

import re

from lxml import etree

from ..diagnostics import error
from ..model import DiscussionComponent, HtmlComponent, Markdown, RawOlxComponent, VideoComponent
from ..registry import ReadContext
from .links import STATIC_DIR
from .markdown import (
    ComponentBlock,
    make_markdown,
)
from .yamlio import YamlMap


def read_html(tokens: list, ctx: ReadContext) -> HtmlComponent:
    """The Markdown between two fenced blocks (or a unit's heading and a block): one html component, named after
    the component before it."""
    cid = f"{ctx.previous}-text" if ctx.previous else "text"
    rel = ctx.unit.path
    return HtmlComponent(id=cid, body=Markdown(tokens, ctx.env, rel, ctx.line_offset, ctx.base_dir), path=rel,
                         line=ctx.line)


def read_video(data: YamlMap, ctx: ReadContext) -> VideoComponent:
    """A ```video block: a YouTube id or source URLs, and transcripts that must be course assets."""
    course, unit = ctx.course, ctx.unit
    data.check_keys(("id", "title", "youtube", "sources", "transcripts", "download_video", "download_track"))
    youtube = (data.text("youtube") or "").strip()
    if youtube and not re.fullmatch(r"[A-Za-z0-9_-]{11}", youtube):
        raise error(
            data.path,
            data.line_of("youtube"),
            f"`youtube: {youtube}` is not a YouTube video id "
            "(11 letters, digits, `-` or `_`, as in youtube.com/watch?v=ID)",
            code="SYN004",
        )
    sources = []
    for src, line in data.text_list("sources"):
        src = src.strip()
        if not re.match(r"https?://", src):
            if not course.video_base_url:
                raise error(
                    data.path,
                    line,
                    f"`{src}` is not a full URL; write https://… or set `video_base_url` in course/course.yaml",
                    code="SYN004",
                )
            src = course.video_base_url.rstrip("/") + "/" + src.lstrip("/")
        sources.append(src)
    if not youtube and not sources:
        raise error(
            data.path, data.line, "a video needs `youtube:` (a video id) or `sources:` (video URLs)", code="SYN003"
        )
    transcripts = {}
    tmap = data.mapping("transcripts")
    for lang in tmap.names():
        asset = tmap.text(lang).strip()
        if asset not in course.assets:
            raise error(data.path, tmap.line_of(lang), f"missing transcript `{STATIC_DIR}/{asset}`", code="AST001")
        transcripts[lang] = asset
    return VideoComponent(
        id=data.text("id") or "video",
        title=data.text("title") or unit.title,
        youtube_id=youtube,
        sources=sources,
        transcripts=transcripts,
        download_video=bool(data.boolean("download_video", False)),
        download_track=bool(data.boolean("download_track", bool(transcripts))),
        path=data.path,
        line=data.line,
    )

def read_discussion(data: YamlMap, ctx: ReadContext) -> DiscussionComponent:
    """A ```discussion block; its `prompt:` becomes an html component before it (passed to `ctx.add`)."""
    module, unit, base_dir, add = ctx.module, ctx.unit, ctx.base_dir, ctx.add
    data.check_keys(("id", "title", "category", "target", "prompt"))
    cid = data.text("id") or "discussion"
    prompt = data.text("prompt")
    if prompt:
        md = make_markdown()
        penv: dict = {"olxkit_footnotes": {}}
        tokens = md.parse(prompt, penv)
        add(
            HtmlComponent(
                id=f"{cid}-prompt",
                body=Markdown(tokens, penv, data.path, data.text_offset("prompt"), base_dir),
                path=data.path,
                line=data.line,
            )
        )
    return DiscussionComponent(
        id=cid,
        title=data.text("title") or "Discussion",
        category=data.text("category") or module.title,
        target=data.text("target") or unit.title,
        path=data.path,
        line=data.line,
    )

def read_olx(item: ComponentBlock, ctx: ReadContext) -> RawOlxComponent:
    """A ```olx block: one well-formed XML element, copied into the unit as it is."""
    rel = ctx.unit.path
    text = item.body.strip()
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise error(
            rel, item.line, "DOCTYPE and ENTITY declarations are not allowed in an olx block", code="SYN006"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = item.line + (exc.lineno or 1)
        raise error(rel, line, f"the olx block is not well-formed XML: {exc.msg}", code="SYN006") from None
    tag = root.tag
    if not isinstance(tag, str) or "}" in tag:
        raise error(rel, item.line, "the olx block's root must be a plain XML element", code="SYN006")
    cid = root.get("url_name") or "olx"
    return RawOlxComponent(id=cid, tag=tag, xml=text, path=rel, line=item.line)
