"""Cheap character tests with which the translation checks skip work they can prove would find nothing.

Each is a scan or two of a text (a regular expression that starts with one character class, which the regex
engine searches fast, or a substring test), in place of a slower equivalent: see tests/test_i18n_gate_shortcuts.py.
"""

from __future__ import annotations

import re


def has_markup(text: str) -> bool:
    """Whether `text` has a character that can start inline Markdown (`checks._MARKUP`), in two faster scans."""
    return MARKUP_CHAR.search(text) is not None or "  " in text


def other_digit(text: str) -> bool:
    """Whether `text` has a digit other than 0-9; every such digit (Unicode Nd) is at U+0660 or above, so most
    texts are answered without the slower look-up of each character's category."""
    if text.isascii():
        return False
    try:
        text.encode("latin-1")  # a copy when every character is below U+0100 (Python stores such text so)
        return False
    except UnicodeEncodeError:
        return FROM_U0660.search(text) is not None and NON_ASCII_DIGIT.search(text) is not None


MARKUP_CHAR = re.compile(r"[\\`*_\[\]!<>&$~{}^|\n]")
ASCII_DIGIT = re.compile(r"[0-9]")
FROM_U0660 = re.compile(r"[^\x00-\u065f]")
NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
# A `<` or `&` that can start a tag, an autolink, an HTML block or an entity.
MARKUP_START = re.compile(r"[<&](?![ \t\n])")
# What the errors of `check_text` look at in a translation: markup, `<` and `:` (active content), placeholders,
# digits (numbers: a translation without any digit cannot have a wrong one), line breaks (and two spaces: a hard
# break). Digits beyond 0-9 are all at U+0660 or above: a text with no character there is answered in one scan.
TRIGGER_LOW = re.compile(r"[\\`*_\[\]!<>&$~{}^|:%\n0-9]")
TRIGGER = re.compile(r"[\\`*_\[\]!<>&$~{}^|:%\n0-9\u0660-\U0010ffff]")
# The characters of `TRIGGER_LOW` (all below U+0080), as bytes: a Latin-1 text has one if its bytes do.
TRIGGER_BYTES = b"\\`*_[]!<>&$~{}^|:%\n0123456789"
