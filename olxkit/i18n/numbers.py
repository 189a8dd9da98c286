"""Numbers in a translation: the same values as in the source, however the language writes them (Babel)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import cache, lru_cache

from ..diagnostics import Severity
from ..textscan import CODE, DISPLAY_MATH, FOOTNOTE, LINK_TARGET, MATH, PLACEHOLDER, TAG, remove_spans

# (`\d\d*+` rather than `\d++`: a pattern that starts with one plain character is searched faster.)
_TEXT_NUMBER = re.compile(r"\d\d*+(?:[.,'\u00a0\u202f ]\d++)*+")
# The same, for a text whose only digits are 0-9 (most texts): no look-up of each character's category.
_ASCII_NUMBER = re.compile(r"[0-9][0-9]*+(?:[.,'\u00a0\u202f ][0-9]++)*+")
# Display math, math, code, link targets, placeholders, tags, footnotes: skipped when numbers are compared.
_SKIP_FOR_NUMBERS = (DISPLAY_MATH, MATH, CODE, LINK_TARGET, PLACEHOLDER, TAG, FOOTNOTE)


def _number_values(text: str, locale: str | None) -> list[tuple[str, list[list[Decimal]]]]:
    """Each number of a text with its readings, most likely first: as the locale writes numbers, as English
    does, and as separate integers (a time `10.30`, a range `3-5`, a list `1, 2`)."""
    out = []
    for raw in _TEXT_NUMBER.findall(remove_spans(text, _SKIP_FOR_NUMBERS, " ")):
        raw = raw.strip()
        readings = []
        for code in ([locale] if locale else []) + ["en"]:
            value = _parse_number(raw, code)
            if value is not None:
                readings.append([value])
        readings.append([Decimal(int(d)) for d in re.findall(r"\d+", raw)])
        out.append((raw, readings))
    return out


@lru_cache(maxsize=65536)
def _parse_number(raw: str, code: str) -> Decimal | None:
    from babel.numbers import NumberFormatError, parse_decimal

    candidate = raw.replace(" ", "\u00a0") if code.split("_")[0] in _SPACE_GROUPS else raw
    for text in dict.fromkeys([candidate, raw.replace(" ", "\u202f")] if code.split("_")[0] in _SPACE_GROUPS
                              else [candidate]):
        try:
            return parse_decimal(text, locale=code.replace("-", "_"), strict=True)
        except (NumberFormatError, ValueError, ArithmeticError):
            continue
        except Exception:  # noqa: BLE001 - an unknown locale: read the number as English does
            return None
    return None


_SPACE_GROUPS = {"hu", "sk", "pl", "sl", "fr", "cs"}


def same_plain_numbers(source: str, target: str, other_digits: bool = True) -> bool:
    """Both texts have the same numbers, all written without any sign between digits: nothing to read.
    `other_digits=False` says that the target has no digit but 0-9 (its numbers are then found faster)."""
    numbers, plain = _source_numbers(source)
    return plain and numbers == sorted((_TEXT_NUMBER if other_digits else _ASCII_NUMBER).findall(target))


@cache  # a few numbers per source text: sized by the course, never evicted
def _source_numbers(source: str) -> tuple[list[str], bool]:
    # The same source is compared with its translation in every catalog. (Callers never change the list.)
    numbers = sorted(_TEXT_NUMBER.findall(source))
    return numbers, all(n.isdigit() for n in numbers)


def _derived_from_year(value: Decimal, years: list[Decimal]) -> bool:
    """A year may become its decade (`1980s` → `lata 80.`) or its century (`20. storočie`) in a translation."""
    return any(year == year.to_integral_value() and 1000 <= year <= 2999
               and value in (year % 100, year // 100, year // 100 + 1) for year in years)


def number_findings(source: str, target: str, locale: str | None) -> list[tuple[Severity, str, str]]:
    """TRN105: every number of the translation has the value of a number of the source, each read the way its
    language writes numbers (Babel/CLDR: `1,5` in German is `1.5`; `15` is not). Numbers left out (written
    as words) are only worth a look (TRN004)."""
    src = _number_values(source, "en")
    dst = _number_values(target, locale)
    known = {value for _raw, readings in src for value in readings[0]}
    years = [value for _raw, readings in src for value in readings[0]]
    wrong = [raw for raw, readings in dst
             if not any(all(v in known for v in reading) for reading in readings)
             and not all(_derived_from_year(v, years) for v in readings[-1])]
    out = []
    if wrong:
        shown = ", ".join(raw for raw, _ in src) or "none"
        out.append((Severity.ERROR, "TRN105", f"numbers differ from the source: {', '.join(wrong[:3])} in the "
                    f"translation, {shown} in the source (compared by value, each read as its language writes "
                    "numbers)"))
    elif len(dst) < len(src):
        out.append((Severity.INFO, "TRN004", f"numbers differ from the source ({', '.join(r for r, _ in src)} → "
                    f"{', '.join(r for r, _ in dst) or 'none'}): written in words?"))
    return out


def math_numbers(src: Counter, dst: Counter, locale: str | None) -> list[tuple[Severity, str, str]]:
    """TRN105 inside math: the same numbers by value (`200{,}000` may be written `200{.}000` in German)."""
    def values(counter: Counter, code: str) -> Counter:
        out: Counter = Counter()
        for raw, n in counter.items():
            # A thin space (`\\,`) between digits groups them in any language.
            plain = raw.replace("{,}", ",").replace("{.}", ".").replace("\\,", "")
            value = _parse_number(plain, code) if code else None
            if value is None:
                value = _parse_number(plain, "en")
            out[value if value is not None else raw] += n
        return out

    a = values(src, "en")
    b = values(dst, locale or "en")
    if a == b or values(dst, "en") == a:
        return []
    return [(Severity.ERROR, "TRN105", "numbers in math differ from the source: "
             f"{', '.join(sorted(src))} → {', '.join(sorted(dst)) or 'none'}")]
