"""The course's static files (course/static): what ships as Open edX assets."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..confine import check_inside
from ..diagnostics import Findings
from .links import SAFE_ASSET_NAME, STATIC_DIR, flatten_asset_name

IGNORED_FILES = re.compile(r"(^\._.*$)|(^\.DS_Store$)|(^.*~$)|(^\.gitkeep$)")


def find_assets(root: Path, diags: Findings) -> dict[str, str]:
    """The files under course/static (name relative to it → full path); refuses links and names Open edX cannot keep."""
    static = root / STATIC_DIR
    assets: dict[str, str] = {}
    flat: dict[str, str] = {}
    if not static.is_dir():
        return assets
    check_inside(root, STATIC_DIR)
    for dirpath, dirnames, filenames in os.walk(static):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(static).as_posix()
            where = f"{STATIC_DIR}/{rel}"
            if IGNORED_FILES.match(name):
                continue
            if full.is_symlink():
                diags.add(
                    where, 0, "symbolic links are not allowed in course/static/; copy the file", code="AST006"
                )
                continue
            if not SAFE_ASSET_NAME.match(rel):
                diags.add(
                    where,
                    0,
                    "asset names may use only letters, digits, `.`, `_`, `-` and `/`; rename the file",
                    code="AST004",
                )
                continue
            flat_name = flatten_asset_name(rel)
            if flat_name in flat:
                diags.add(
                    where,
                    0,
                    f"Open edX stores both `{flat[flat_name]}` and `{rel}` as asset "
                    f"`{flat_name}`; rename one of them",
                    code="AST004",
                )
                continue
            flat[flat_name] = rel
            assets[rel] = str(full)
        for d in list(dirnames):
            if (Path(dirpath) / d).is_symlink():
                diags.add(
                    f"{STATIC_DIR}/{(Path(dirpath) / d).relative_to(static).as_posix()}",
                    0,
                    "symbolic links are not allowed in course/static/",
                    code="AST006",
                )
                dirnames.remove(d)
    return assets
