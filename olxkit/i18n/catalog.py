"""Catalog update with msgmerge semantics, in pure Python: no translator's work is ever dropped.

For each message of the new template:
1. an entry with the same (msgctxt, msgid), active or obsolete, keeps its translation (an obsolete one is revived);
2. otherwise the most similar translated entry that has left the template seeds it, marked fuzzy, with the old
   msgid kept as `#| msgid` so translators see what changed;
3. translated entries that match nothing are kept as obsolete (`#~`); untranslated ones carry no work and go.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import polib

from .pofile import header

FUZZY_CUTOFF = 0.8
# Header fields `update` sets; any other field of a catalog is kept as its translator's tools wrote it.
OWNED_HEADER = {"Project-Id-Version", "Report-Msgid-Bugs-To", "Language", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Plural-Forms", "Language-Team", "Last-Translator"}
_TRANSLATOR = {"Language-Team", "Last-Translator"}
Key = tuple[str | None, str]


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def _has_work(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or bool(entry.tcomment)


class _Similar:
    """Finds the most similar old msgid for a new one: difflib with cheap upper bounds first."""

    def __init__(self, candidates: list[polib.POEntry]):
        self.candidates = candidates

    def best(self, context: str | None, text: str) -> polib.POEntry | None:
        best, best_score = None, FUZZY_CUTOFF
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(text)
        n = len(text)
        for cand in self.candidates:
            m = len(cand.msgid)
            # ratio <= 2*min/(n+m): skip candidates whose length alone rules them out.
            if 2 * min(n, m) / ((n + m) or 1) < best_score:
                continue
            matcher.set_seq1(cand.msgid)
            if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
                continue
            score = matcher.ratio() + (0.01 if (cand.msgctxt or None) == context else 0)
            if score > best_score:
                best, best_score = cand, score
        return best


# Messages whose identity changed with olxkit itself: the translations move with them, unchanged and not fuzzy.
#  - accepted answers were one message each (context "answer"); they are one message, one answer per line;
#  - wrong answers had the context "answer" too; they have their own;
#  - a YAML text's msgid had the YAML's line breaks; its soft breaks are spaces now (`walk.field_text`).
_YAML_TEXTS = {"question", "question description", "choice", "feedback", "hint", "explanation", "problem title"}


def _migrate(key: Key, active: dict[Key, polib.POEntry], obsolete: dict[Key, polib.POEntry], index: dict):
    """(msgstr, translator comment, old keys) for a new message from what an older olxkit called it, or None."""
    from .walk import field_text

    def usable(k: Key) -> polib.POEntry | None:
        e = active.get(k) or obsolete.get(k)
        return e if e is not None and e.msgstr and "fuzzy" not in e.flags else None

    context, msgid = key
    if context == "wrong answer" and (e := usable(("answer", msgid))):
        return e.msgstr, e.tcomment, {("answer", msgid)}
    if context == "accepted answers":
        olds = [usable(("answer", answer)) for answer in msgid.split("\n")]
        if all(olds):
            return "\n".join(e.msgstr for e in olds), "", {("answer", a) for a in msgid.split("\n")}
    if context in _YAML_TEXTS and (e := index.get(key)) is not None and (e := usable(_key(e))):
        return field_text(e.msgstr), e.tcomment, {_key(e)}
    return None


def _normalized(active: dict, obsolete: dict) -> dict[Key, polib.POEntry]:
    """Old YAML texts by their msgid as it is written now."""
    from .walk import field_text

    index = {}
    for (context, msgid), e in {**obsolete, **active}.items():
        if context in _YAML_TEXTS and "\n" in msgid:
            index.setdefault((context, field_text(msgid)), e)
    return index


@dataclass
class UpdateStats:
    kept: int = 0
    revived: int = 0
    fuzzy: int = 0
    new: int = 0
    obsolete: int = 0


def update_catalog(
    po: polib.POFile | None, pot: polib.POFile, language: str, project: str
) -> tuple[polib.POFile, UpdateStats]:
    """Merge the template `pot` into the catalog `po` (None for a new catalog). Returns a new catalog."""
    stats = UpdateStats()
    old_active: dict[Key, polib.POEntry] = {}
    old_obsolete: dict[Key, polib.POEntry] = {}
    translator_header = {}
    if po is not None:
        for entry in po:
            if entry.msgid == "":
                continue
            (old_obsolete if entry.obsolete else old_active)[_key(entry)] = entry
        # Every field other tools write (Poedit's X-Generator and X-Poedit-*, Weblate's, a translator's
        # PO-Revision-Date) is kept; only the fields olxkit owns are set below.
        translator_header = {k: v for k, v in po.metadata.items() if k not in OWNED_HEADER or k in _TRANSLATOR}
    out = polib.POFile(wrapwidth=0, encoding="utf-8", check_for_duplicates=False)
    out.header = (
        po.header
        if po is not None and po.header
        else pot.header.split("\n")[0].replace("Translation template", f"{language} translation")
        if pot.header
        else ""
    )
    meta = header(project, language)
    meta.update({k: v for k, v in translator_header.items() if v or k not in meta})
    out.metadata = meta
    new_keys = {_key(e) for e in pot if e.msgid}
    used: set[Key] = set()
    moved: set[Key] = set()
    normalized = None
    unmatched = []
    for tentry in pot:
        if not tentry.msgid:
            continue
        key = _key(tentry)
        entry = polib.POEntry(
            msgctxt=tentry.msgctxt,
            msgid=tentry.msgid,
            msgstr="",
            occurrences=list(tentry.occurrences),
            comment=tentry.comment,
        )
        old = old_active.get(key) or old_obsolete.get(key)
        if old is None:
            if normalized is None:
                normalized = _normalized(old_active, old_obsolete)
            migrated = _migrate(key, old_active, old_obsolete, normalized)
            if migrated is not None:
                entry.msgstr, entry.tcomment, sources = migrated
                moved.update(sources)
                stats.kept += 1
                out.append(entry)
                continue
        if old is not None:
            entry.msgstr = old.msgstr
            entry.tcomment = old.tcomment
            entry.flags = [f for f in old.flags if f != "fuzzy"] + (["fuzzy"] if "fuzzy" in old.flags else [])
            entry.previous_msgid = old.previous_msgid if "fuzzy" in old.flags else None
            entry.previous_msgctxt = old.previous_msgctxt if "fuzzy" in old.flags else None
            used.add(key)
            if key in old_active:
                stats.kept += 1
            else:
                stats.revived += 1
        else:
            unmatched.append(entry)
        out.append(entry)
    # Fuzzy seeds come only from translated entries whose text has left the template.
    pool = [e for k, e in {**old_obsolete, **old_active}.items() if k not in new_keys and e.msgstr]
    similar = _Similar(pool)
    for entry in unmatched:
        cand = similar.best(entry.msgctxt or None, entry.msgid)
        if cand is None or _key(cand) in used:
            stats.new += 1
            continue
        used.add(_key(cand))
        similar.candidates = [c for c in similar.candidates if c is not cand]
        entry.msgstr = cand.msgstr
        entry.tcomment = cand.tcomment
        entry.flags = ["fuzzy"]
        entry.previous_msgid = cand.msgid
        entry.previous_msgctxt = cand.msgctxt
        stats.fuzzy += 1
    # Translated work that matched nothing is kept, obsolete, until its text comes back.
    leftovers = [e for k, e in {**old_obsolete, **old_active}.items()
                 if k not in new_keys and k not in moved and _has_work(e)]
    # An entry that seeded a fuzzy one is kept too: reverting the source then restores it exactly.
    for old in sorted(leftovers, key=lambda e: (e.msgctxt or "", e.msgid)):
        keep = polib.POEntry(
            msgctxt=old.msgctxt,
            msgid=old.msgid,
            msgstr=old.msgstr,
            tcomment=old.tcomment,
            flags=list(old.flags),
            obsolete=True,
        )
        if "fuzzy" in old.flags:
            keep.previous_msgid, keep.previous_msgctxt = old.previous_msgid, old.previous_msgctxt
        out.append(keep)
        stats.obsolete += 1
    return out, stats


@dataclass
class Coverage:
    locale: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words_total: int
    words_translated: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict:
        return {
            "locale": self.locale,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "obsolete": self.obsolete,
            "percent": round(self.percent, 1),
            "words_total": self.words_total,
            "words_translated": self.words_translated,
        }


def coverage(po: polib.POFile, locale: str) -> Coverage:
    """Counts of translated, fuzzy, untranslated and obsolete messages (fuzzy ones are not translated)."""
    import re

    total = translated = fuzzy = obsolete = words = words_done = 0
    for entry in po:
        if not entry.msgid:
            continue
        if entry.obsolete:
            obsolete += 1
            continue
        total += 1
        n = len(re.findall(r"[^\W\d_]+", entry.msgid))
        words += n
        if "fuzzy" in entry.flags:
            fuzzy += 1
        elif entry.msgstr:
            translated += 1
            words_done += n
    return Coverage(locale, total, translated, fuzzy, total - translated - fuzzy, obsolete, words, words_done)
