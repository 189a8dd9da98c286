"""Where links and asset references in the course point, and what they become in OLX."""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple
from urllib.parse import unquote

from ..model import Course
from .runs import checked_children


class LinkError(NamedTuple):
    """Why a target cannot be resolved, with its rule code."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


STATIC_DIR = "course/static"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
SAFE_ASSET_NAME = re.compile(r"[A-Za-z0-9._/-]+\Z")


def flatten_asset_name(rel: str) -> str:
    """The asset name Open edX gives `static/<rel>`: `/` becomes `_`, other odd characters `_` too."""
    return re.sub(r"[^\w.%-]", "_", rel.replace("/", "_"))


class LinkResolver:
    """Resolves a link or image target written in a Markdown file to its OLX form.

    Links to lessons and units become `/jump_to_id/<url_name>`; files under course/static/ become
    `/static/<path>`; external URLs are kept. Anything else is an error the author must fix.
    """

    def __init__(self, assets: set[str], lessons: dict[str, tuple[str, dict[str, str]]]):
        self.assets = assets
        self.lessons = lessons
        """lesson file (project-relative) → (sequential url_name, {unit id: vertical url_name})"""

    @classmethod
    def from_course(cls, course: Course) -> LinkResolver:
        lessons = {}
        name = course.olx.name
        for lesson in course.lessons():
            lessons[lesson.path] = (
                name("sequential", lesson.id),
                {u.id: name("vertical", f"{lesson.id}_{u.id}") for u in lesson.units},
            )
        return cls(set(course.assets), lessons)

    def resolve(self, url: str, kind: str, base_dir: str, current: str | None = None) -> tuple[str, LinkError | None]:
        """Return (new url, error message or None). `current` is the lesson file the text belongs to."""
        url = url.strip()
        if not url:
            return url, LinkError("LNK002", f"empty {kind} target")
        if url.startswith("//") or (_SCHEME.match(url) and not url.lower().startswith("javascript:")):
            return url, None
        if _SCHEME.match(url):
            return url, LinkError("LNK002", f"`{url}` is not allowed as a {kind} target")
        if url.startswith(("/jump_to_id/", "/course/")):
            return url, None
        if url.startswith("#"):
            if kind == "link" and current and current in self.lessons:
                unit = url[1:]
                units = self.lessons[current][1]
                if unit in units:
                    return f"/jump_to_id/{units[unit]}", None
                return url, LinkError("LNK001", f"link to `{url}`: no unit with id `{unit}` in this lesson")
            return url, None
        path, _, fragment = url.partition("#")
        path = unquote(path.split("?", 1)[0])
        if path.startswith("/static/"):
            rel = path[len("/static/") :]
            target = posixpath.normpath(posixpath.join(STATIC_DIR, rel))
        elif path.startswith("/"):
            return url, LinkError(
                "LNK003", f"`{url}` is an absolute path outside the course; use a path relative to this file"
            )
        else:
            target = posixpath.normpath(posixpath.join(base_dir, path))
        if target == ".." or target.startswith("../"):
            return url, LinkError("LNK003", f"`{url}` points outside the course folder")
        if target.endswith(".md"):
            if target not in self.lessons:
                return url, LinkError("LNK001", f"link to `{url}`: there is no lesson `{target}` in the course")
            seq, units = self.lessons[target]
            if fragment:
                if fragment not in units:
                    return url, LinkError(
                        "LNK001", f"link to `{url}`: lesson `{target}` has no unit with id `{fragment}`"
                    )
                return f"/jump_to_id/{units[fragment]}", None
            return f"/jump_to_id/{seq}", None
        if not target.startswith(STATIC_DIR + "/"):
            return url, LinkError("LNK003", f"`{url}` is not under course/static/; put the file there and link to it")
        rel = target[len(STATIC_DIR) + 1 :]
        if rel not in self.assets:
            return url, LinkError("AST001", f"missing {'image' if kind == 'image' else 'file'} `{target}`")
        suffix = f"#{fragment}" if fragment else ""
        return f"/static/{rel}{suffix}", None


def iter_targets(tokens: list):
    """Yield (kind, url, line0) for every link and image in the tokens; line0 is the 0-based block line."""
    line = 0
    for tok in tokens:
        if tok.map:
            line = tok.map[0]
        if tok.type == "inline":
            stack = list(checked_children(tok))
            while stack:
                child = stack.pop(0)
                if child.type == "link_open":
                    yield "link", child.attrGet("href") or "", line
                elif child.type == "image":
                    yield "image", child.attrGet("src") or "", line
                    yield "alt", child.content, line
                    stack[0:0] = child.children or []
