"""Locale codes: gettext names, BCP 47 tags, Open edX `language` values, fallback chains, plural forms."""

from __future__ import annotations

import re

# Our own table: Babel's Hungarian plural rule is wrong for gettext catalogs (see docs/decisions.md).
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "hu": "nplurals=2; plural=(n != 1);",
    "sk": "nplurals=3; plural=(n==1 ? 0 : (n>=2 && n<=4) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
}
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?\Z")


def normalize(code: str) -> str:
    """`de-AT`, `de_at` → `de_AT` (the gettext form used for catalog names)."""
    code = code.strip().replace("-", "_")
    lang, _, region = code.partition("_")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def is_valid(code: str) -> bool:
    return bool(_LOCALE.match(normalize(code)))


def bcp47(code: str) -> str:
    """`de_AT` → `de-AT` (for `lang` attributes)."""
    return normalize(code).replace("_", "-")


def openedx_language(code: str) -> str:
    """The course `language` Open edX accepts: two letters, no region (`de_AT` → `de`)."""
    return normalize(code).split("_")[0]


def chain(code: str, source: str = "en") -> list[str]:
    """Fallback chain, most specific first, ending with the source language: de_AT → de → en."""
    code = normalize(code)
    out = [code]
    if "_" in code:
        out.append(code.split("_")[0])
    if normalize(source) not in out:
        out.append(normalize(source))
    return out


def plural_forms(code: str) -> str:
    return PLURAL_FORMS.get(openedx_language(code), "nplurals=2; plural=(n != 1);")
