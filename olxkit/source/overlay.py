"""Reading course/olx.yaml and course/olx/: what an imported course keeps beyond its Markdown and YAML.

`olxkit import` writes them (docs/importing.md); a course written in olxkit has neither. olx.yaml pins url_names
and OLX attributes and carries policy fields the course.yaml cannot say; course/olx/ holds files that go into the
archive as they are (html kept raw, passthrough blocks, tabs, About pages olxkit has no field for…).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..diagnostics import error
from ..model import OlxOverlay

OVERLAY_FILE = "course/olx.yaml"
OVERLAY_DIR = "course/olx"
KEYS = ("names", "attributes", "policy", "grading", "course_children", "html_lang")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_overlay(root: str | os.PathLike) -> OlxOverlay:
    """The overlay of the project in `root` (empty when it has neither olx.yaml nor course/olx/)."""
    root = Path(root)
    overlay = OlxOverlay()
    path = root / OVERLAY_FILE
    if path.is_file():
        _read_yaml(path, overlay)
    folder = root / OVERLAY_DIR
    if folder.is_dir():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(folder).as_posix()
                if full.is_symlink() or any((Path(dirpath) / d).is_symlink() for d in dirnames):
                    raise error(f"{OVERLAY_DIR}/{rel}", 0, "symbolic links are not allowed in course/olx/",
                                code="AST006")
                overlay.files[rel] = str(full)
    return overlay


def _read_yaml(path: Path, overlay: OlxOverlay) -> None:
    rel = OVERLAY_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(rel, mark.line + 1 if mark else 1, f"malformed YAML: {exc.problem or exc}", code="SYN001") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(rel, 1, f"not readable: {exc}", code="SYN001") from None
    if data is None:
        return
    if not isinstance(data, dict):
        raise error(rel, 1, "olx.yaml is a mapping (names:, attributes:, policy:, …)", code="SYN004")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise error(rel, 1, f"unknown key `{unknown[0]}` in olx.yaml; keys are {', '.join(KEYS)}", code="SYN004")

    def mapping(key: str, values: type | tuple[type, ...]) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, values)
                                                   for k, v in value.items()):
            raise error(rel, 1, f"`{key}:` in olx.yaml has the wrong shape (see docs/importing.md)", code="SYN004")
        return value

    overlay.names = {k: str(v) for k, v in mapping("names", (str, int)).items()}
    overlay.attributes = mapping("attributes", dict)
    overlay.policy = mapping("policy", dict)
    grading = data.get("grading")
    if grading is not None and not isinstance(grading, dict):
        raise error(rel, 1, "`grading:` in olx.yaml is the grading_policy.json object", code="SYN004")
    overlay.grading = grading
    children = data.get("course_children") or []
    if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
        raise error(rel, 1, "`course_children:` in olx.yaml is a list of XML elements", code="SYN004")
    overlay.course_children = children
    overlay.html_lang = bool(data.get("html_lang", True))
