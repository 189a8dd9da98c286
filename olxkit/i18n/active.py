"""Active content in a translation (TRN102): what could run in a learner's browser, which a catalog may never bring."""

from __future__ import annotations

import re
from functools import cache

from ..diagnostics import Severity

_ACTIVE_TAGS = re.compile(r"<\s*+/?+\s*+(script|iframe|object|embed|style|frame|frameset|applet|base|meta|link|form)\b",
                          re.I)
_ACTIVE_ATTR = re.compile(r"<[^<>]*?\s(on[a-z]+)\s*+=", re.I)
_ACTIVE_URL = re.compile(r"(?:javascript|vbscript|data)\s*:", re.I)
_TAG = re.compile(r"<\s*+(/?)\s*+([a-zA-Z][a-zA-Z0-9-]*+)((?:[^<>\"']|\"[^\"]*+\"|'[^']*+')*+)>")
_ATTR_NAME = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def active_content(source: str, target: str) -> list[tuple[Severity, str, str]]:
    """TRN102: script, event handlers, javascript:/data: URLs, embedded frames or styles, and any tag or
    attribute the source does not use."""
    if "<" not in target and (":" not in target or not _ACTIVE_URL.search(target)):
        return []
    out = []
    tags = _ACTIVE_TAGS.findall(target)
    if tags:
        out.append(f"`<{tags[0].lower()}>`")
    handlers = _ACTIVE_ATTR.findall(target)
    if handlers:
        out.append(f"an event handler `{handlers[0].lower()}=`")
    urls = _ACTIVE_URL.findall(target)
    if urls and len(urls) > len(_ACTIVE_URL.findall(source)):
        out.append(f"a `{urls[0].split(':')[0].strip().lower()}:` URL")
    if "<" in target:
        allowed = _source_tags(source)
        for tag, attrs in _tags_and_attributes(target).items():
            if tag not in allowed:
                if f"`<{tag}>`" not in out:
                    out.append(f"the tag `<{tag}>`, which the source does not use")
            else:
                extra = sorted(attrs - allowed[tag])
                if extra:
                    out.append(f"the attribute `{extra[0]}` on `<{tag}>`, which the source does not use")
    if not out:
        return []
    return [(Severity.ERROR, "TRN102", "active or new content in a translation: " + "; ".join(dict.fromkeys(out))
             + " (a translation may only use the tags and attributes of its source)")]


def _tags_and_attributes(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for match in _TAG.finditer(text):
        names = found.setdefault(match.group(2).lower(), set())
        names.update(m.group(1).lower() for m in _ATTR_NAME.finditer(match.group(3)))
    return found


_source_tags = cache(_tags_and_attributes)  # a small dict per source text with a tag: sized by the course
