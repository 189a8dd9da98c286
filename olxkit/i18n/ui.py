"""olxkit's own words: every text olxkit itself writes into a course archive, in the variant's language.

The texts are messages of olxkit's own catalog (`olxkit/i18n/messages/<locale>.po`, shipped in the package),
looked up along the same chain as the course's (de_AT → de → English) and through the same gate. Code that writes
a learner-visible text calls `ui_text(labels, msgid)`; a test checks that every such msgid is in the catalog and
translated in every language.
"""

from __future__ import annotations

from functools import lru_cache

from . import locales

CATALOG_DIR = "messages"


def ui_text(labels: dict[str, str], msgid: str) -> str:
    """`msgid` (olxkit's English text) in the language of `labels` (from `ui_labels`)."""
    return labels.get(msgid) or msgid


@lru_cache(maxsize=32)
def ui_labels(locale: str | None) -> dict[str, str]:
    """msgid → text for `locale` (gettext form, e.g. `de_AT`): olxkit's catalog along the fallback chain."""
    out: dict[str, str] = {}
    codes = [code for code in reversed(locales.chain(locale, "en")) if code != "en"] if locale else []
    if not codes:
        return out  # English: olxkit's own words as they are (no catalog, no gate to import)
    from importlib import resources  # only here: its import costs an English build more than the rest of ui.py

    from .gate import read_gated

    folder = resources.files(__package__) / CATALOG_DIR
    for code in codes:
        entry = folder / f"{code}.po"
        if not entry.is_file():
            continue
        with resources.as_file(entry) as path:
            table = read_gated(path, f"olxkit/i18n/{CATALOG_DIR}/{code}.po", code)
        out.update({msgid: text for (_context, msgid), text in table.items()})
    return out
