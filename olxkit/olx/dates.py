"""Dates as the OLX writes them: course updates' English dates, and the `{{ start_date }}` texts in the
variant's language."""

from __future__ import annotations

from ..model import Course

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def english_date(value) -> str:
    """`November 05, 2026`: the one format Open edX parses for updates (strftime's %B follows the locale)."""
    return f"{_MONTHS[value.month - 1]} {value.day:02d}, {value.year}"


DATE_TEXTS = {
    "start_date": "start",
    "end_date": "end",
    "enrollment_start": "enrollment_start",
    "enrollment_end": "enrollment_end",
}


def date_texts(course: Course) -> dict[str, str]:
    """`{{ start_date }}` and friends: the course dates written the way the variant's language writes them
    (CLDR through Babel: "12. Jänner 2026" in Austria, "12 gennaio 2026" in Italy)."""
    from babel.dates import format_date

    out = {}
    for name, attr in DATE_TEXTS.items():
        value = getattr(course, attr)
        if value is not None:
            out[name] = format_date(value.date(), "long", locale=course.locale or "en")
    return out
