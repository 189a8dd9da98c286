"""Per-instance variant: the course in one instance's language, with its key, dates, texts and assets."""

from __future__ import annotations

import contextlib
import os
import pickle
import posixpath
import re
import select
import struct
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Severity
from ..model import Course, Instance, evolve
from ..parallel import Forked, can_fork
from . import locales
from .walk import Item, translate_course

# The gate, the catalog reader and polib are imported where a catalog is read: an English build never reads one,
# and starts faster without them.
if TYPE_CHECKING:
    import polib

    from .gate import CatalogTable

LOCALE_DIR = "locale"


def existing_catalogs(root: str | Path, wanted: list[str]):
    """(code, path, project-relative path) of each catalog locale/<code>.po that exists, for `wanted`."""
    for code in wanted:
        rel = f"{LOCALE_DIR}/{code}.po"
        path = Path(root) / rel
        if path.is_file():
            yield code, path, rel


def load_tables(root: str | Path, wanted: list[str], last: bool = False) -> dict[str, CatalogTable]:
    """Translation tables of the catalogs locale/<code>.po that exist, for the locales in `wanted`, each
    through the gate (`gate.read_gated`): what it lets through, and what it kept out. `last`: no other catalog
    will be gated in this process, so what the gate memoised about the source texts is let go at once."""
    found = list(existing_catalogs(root, wanted))
    if not found:
        return {}  # the English source: no catalog, no gate to import
    from .gate import forget_sources, read_gated

    tables = {code: read_gated(path, rel, code) for code, path, rel in found}
    if last:
        forget_sources()
    return tables


class TablePrefetch:
    """The translation tables of `locale/<code>.po` for `codes`, read by forked children ahead of time.

    A build reads its sources on one core; meanwhile children (`children` of them, default one) read and gate
    the catalogs (`load_tables`: the gate's checks are most of the work) in the order of `codes` (the order the
    build will want them), and pickle each table into its own anonymous in-memory file the moment it is gated,
    then mark it ready in a small status file. `tables()`, in this process or any process forked after, waits
    for just the tables it wants, not for the whole prefetch: a build's first variants start while the last
    catalogs are still being gated. A catalog a child could not read, or any table of a child that died, is read
    again where it is wanted, so errors are the same as without the prefetch.
    """

    _SIZE = struct.Struct("<q")  # a table's status: 0 not yet, -1 not read (read where wanted), else its size

    def __init__(self, root: str | Path, codes: list[str], children: int | None = None):
        self.root = Path(root)
        self._slots: dict[str, int] = {}  # code -> its place in the status file
        self._files: list[tuple[int, object]] = []  # (fd, file object or None): the status file, then each table
        self._life: int | None = None  # a pipe's read end; only the children hold its write end: EOF = all gone
        self._job: Forked | None = None
        codes = list(dict.fromkeys(codes))
        if not codes or not can_fork():
            return
        from . import gate  # noqa: F401 - imported here, once, for the children forked below to inherit

        for number, code in enumerate(codes):
            self._slots[code] = number
        self._files = [_anonymous_file() for _ in range(len(codes) + 1)]
        os.ftruncate(self._files[0][0], self._SIZE.size * len(codes))
        children = max(1, min(len(codes), children or 1))
        # Each child gates every `children`-th catalog, in order. One child starts; it forks the others once its
        # first catalog is gated, so that they inherit what the checks work out once per source text (the same
        # texts in every catalog), instead of each working it out again.
        shares = [codes[k::children] for k in range(children)]
        self._life, life = os.pipe()
        try:
            self._job = Forked(partial(self._write_shares, shares))
        finally:
            os.close(life)

    def _write_shares(self, shares: list[list[str]]) -> None:
        """In the first child: its share's tables, the other shares in children forked after its first catalog."""
        first, others = shares[0], shares[1:]
        jobs: list[Forked] = []

        def fork_others() -> None:
            jobs.extend(Forked(partial(self._write_tables, other)) for other in others)

        self._write_tables(first, after_first=fork_others)
        if not jobs:
            fork_others()
        for job in jobs:
            # A child that died: its tables are read where they are wanted.
            with contextlib.suppress(Exception):
                job.result()

    def _write_tables(self, codes: list[str], after_first=None) -> None:
        """In a child: each table pickled into its file, then marked ready. `after_first` is called once the
        first catalog is gated."""
        from .gate import read_gated

        status = self._files[0][0]
        for code in codes:
            slot = self._slots[code]
            size = -1
            try:
                found = list(existing_catalogs(self.root, [code]))
                if found:
                    _code, path, rel = found[0]
                    data = pickle.dumps(read_gated(path, rel, code), protocol=pickle.HIGHEST_PROTOCOL)
                    fd, view = self._files[slot + 1][0], memoryview(data)
                    while view:
                        view = view[os.pwrite(fd, view, len(data) - len(view)):]
                    size = len(data)
            except Exception:  # noqa: BLE001 - not marked ready: read (and reported) where it is wanted
                pass
            finally:
                os.pwrite(status, self._SIZE.pack(size), slot * self._SIZE.size)
            if after_first is not None:
                after_first, call = None, after_first
                call()

    def _size(self, code: str) -> int:
        """The size of `code`'s pickled table once it is ready; -1 if it is not coming (not read, or the children
        are gone without it)."""
        status, at = self._files[0][0], self._slots[code] * self._SIZE.size
        while True:
            size = self._SIZE.unpack(os.pread(status, self._SIZE.size, at))[0]
            if size:
                return size
            # Not ready: wait a little, or until the children are gone (their end of the pipe closes).
            if select.select([self._life], [], [], 0.01)[0]:
                return self._SIZE.unpack(os.pread(status, self._SIZE.size, at))[0] or -1

    def tables(self, wanted: list[str]) -> dict[str, CatalogTable]:
        """As `load_tables(root, wanted)`, waiting for the prefetch of those tables if need be."""
        out = {}
        for code in wanted:
            size = self._size(code) if code in self._slots and self._files else -1
            if size > 0:
                fd = self._files[self._slots[code] + 1][0]
                chunks, got = [], 0
                while got < size:
                    chunk = os.pread(fd, size - got, got)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    got += len(chunk)
                out[code] = pickle.loads(b"".join(chunks))
            else:
                out.update(load_tables(self.root, [code]))
        return out

    def close(self) -> None:
        if self._job is not None:
            self._job.cancel()  # its children die with it
            self._job = None
        if self._life is not None:
            os.close(self._life)
            self._life = None
        for fd, file in self._files:
            if file is not None:
                file.close()
            else:
                os.close(fd)
        self._files = []


def _anonymous_file() -> tuple[int, object]:
    """(fd, file object to close, or None: close the fd) of a new file in memory, inherited by forked children."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("olxkit-catalogs"), None
    file = tempfile.TemporaryFile()  # noqa: SIM115 - open until TablePrefetch.close(), for the workers
    return file.fileno(), file


def load_catalogs(root: str | Path, wanted: list[str]) -> dict[str, polib.POFile]:
    """The catalogs locale/<code>.po that exist, for the locales in `wanted`."""
    from .pofile import read_catalog

    return {code: read_catalog(path, rel) for code, path, rel in existing_catalogs(root, wanted)}


def translations(po: polib.POFile) -> dict[tuple[str | None, str], str]:
    """Usable translations: translated, not fuzzy, not obsolete."""
    return {
        (e.msgctxt or None, e.msgid): e.msgstr
        for e in po
        if e.msgid and e.msgstr and not e.obsolete and "fuzzy" not in e.flags
    }


@dataclass
class FallbackReport:
    """Which texts of a variant came from a fallback language."""

    locale: str
    total: int = 0
    translated: int = 0
    fell_back: list[Item] = field(default_factory=list)
    mixed_problems: int = 0
    """problems put wholly in the fallback language because only part of them was translated"""
    rejected: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    """(catalog, line, rule code, message, language used instead) of each translation the gate kept out that
    this variant would have used"""
    unreadable: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(catalog, line, message, rule code) of each error that keeps a catalog of the chain from being used"""

    def places(self, limit: int = 5) -> str:
        """Where the texts that fell back come from: `a.md:3, b.md:9 and 12 more places`."""
        seen = list(dict.fromkeys(f"{i.path}:{i.line}" for i in self.fell_back))
        more = f" and {len(seen) - limit} more places" if len(seen) > limit else ""
        return ", ".join(seen[:limit]) + more

    @property
    def coverage(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


class _ChainTranslator:
    def __init__(self, locale: str, source: str, tables: list[tuple[str, dict]], remember: bool = False):
        # Whether the walk may keep what it works out about the source texts, for this process's next variant.
        self.remember = remember
        self.source = locales.openedx_language(source)
        # The Open edX language of each table, worked out once rather than for every text.
        self.tables = [(locales.openedx_language(code), table) for code, table in tables]
        self.report = FallbackReport(locale)
        self.seen: set[tuple[str | None, str]] = set()

    def _lookup(self, key: tuple[str | None, str], text: str) -> tuple[str, str]:
        for language, table in self.tables:
            found = table.get(key)
            if found:
                return found, language
        return text, self.source

    def group(self, items: list[Item]) -> list[str]:
        if len(items) == 1:  # most groups: a run of prose, a title (no lists, no language check)
            item = items[0]
            key = (item.context, item.text)
            text, language = self._lookup(key, item.text)
            self._count(key, item, language)
            return [text]
        keys = [(item.context, item.text) for item in items]
        found = [self._lookup(key, item.text) for key, item in zip(keys, items, strict=True)]
        if len({lang for _text, lang in found}) > 1:
            # Never a problem in two languages: the whole problem falls back.
            found = [(item.text, self.source) for item in items]
            self.report.mixed_problems += 1
        for key, item, (_text, lang) in zip(keys, items, found, strict=True):
            self._count(key, item, lang)
        return [text for text, _lang in found]

    def _count(self, key: tuple[str | None, str], item: Item, language: str) -> None:
        """Count a message once per variant: translated, or fallen back to the source (`language`: the one used)."""
        if key in self.seen:
            return
        self.seen.add(key)
        self.report.total += 1
        if language == self.source:
            self.report.fell_back.append(item)
        else:
            self.report.translated += 1


_LOCALIZED = re.compile(r"^(?P<stem>.+)\.(?P<loc>[a-z]{2,3}(?:_[A-Z]{2})?)(?P<ext>\.[^./]+)$")


def _localized_assets(assets: dict[str, str], chain: list[str], known: set[str]) -> dict[str, str]:
    """Assets for one variant: `x.de_AT.png` → `x.de.png` → `x.png`, all under the plain name; files of
    other locales are left out."""
    plain = {}
    variants: dict[tuple[str, str], str] = {}
    for rel, src in assets.items():
        name = posixpath.basename(rel)
        match = _LOCALIZED.match(name)
        if match and match.group("loc") in known:
            base = posixpath.join(posixpath.dirname(rel), match.group("stem") + match.group("ext"))
            variants[(base, match.group("loc"))] = src
        else:
            plain[rel] = src
    out = {}
    for rel, src in plain.items():
        for code in chain:
            if (rel, code) in variants:
                src = variants[(rel, code)]
                break
        out[rel] = src
    return out


def _transcript_for(path: str, chain: list[str], assets: dict[str, str], source: str) -> tuple[str, str]:
    """(language, asset) of a video's transcript in the variant: `<id>-de_AT.srt` → `<id>-de.srt` → source."""
    match = re.match(rf"^(.*)-{re.escape(source)}(\.\w+)$", path)
    if match:
        for code in chain:
            candidate = f"{match.group(1)}-{code}{match.group(2)}"
            if candidate in assets:
                return locales.openedx_language(code), candidate
    return locales.openedx_language(source), path


def make_variant(
    course: Course, instance: Instance, catalogs: dict[str, polib.POFile], known_locales: set[str],
    more: bool = False,
) -> tuple[Course, FallbackReport]:
    """The course as `instance` gets it: translated along the fallback chain (de_AT → de → source). `more`: this
    process will make other variants of `course` after this one (the walk then keeps what it works out once)."""
    source = locales.normalize(course.language)
    chain = locales.chain(instance.locale, source)
    # Catalogs may come as polib files or as tables already read (and gated) by load_tables.
    tables = [(code, _gated(catalogs[code], code)) for code in chain if code != source and code in catalogs]
    translator = _ChainTranslator(instance.locale, source, tables, remember=more)
    variant = translate_course(course, translator) if instance.locale != source else course
    if instance.locale != source:
        _report_gate(translator.report, tables, source)
    if instance.locale == source:
        translator.report.translated = translator.report.total = 1
    transcripts_used: set[str] = set()
    transcript_sources = set()
    modules = []
    for module in variant.modules:
        lessons = []
        for lesson in module.lessons:
            units = []
            for unit in lesson.units:
                comps = []
                for comp in unit.components:
                    if getattr(comp, "transcripts", None):  # a component with transcripts (a video)
                        chosen = {}
                        for lang, path in comp.transcripts.items():
                            transcript_sources.add(path)
                            if locales.normalize(lang) != source:
                                continue
                            code, asset = _transcript_for(path, chain, course.assets, source)
                            chosen[code] = asset
                        transcripts_used.update(chosen.values())
                        comp = evolve(comp, transcripts=chosen)
                    comps.append(comp)
                units.append(evolve(unit, components=comps))
            lessons.append(evolve(lesson, units=units))
        modules.append(evolve(module, lessons=lessons))
    known = set(known_locales) | {source}
    assets = _localized_assets(course.assets, chain, known)
    # A transcript ships only where a video uses it: each archive carries its own language's transcripts.
    siblings = _transcript_siblings(course.assets, transcript_sources, known)
    assets = {rel: src for rel, src in assets.items() if rel not in siblings or rel in transcripts_used}
    # A hand-made localised drawing (x.de.svg) wins over the catalog's translation of x.svg.
    generated = {rel: data for rel, data in variant.generated_assets.items()
                 if rel in assets and assets[rel] == course.assets.get(rel)}
    variant = evolve(
        variant,
        modules=modules,
        assets=assets,
        generated_assets=generated,
        locale=instance.locale,
        org=instance.org,
        number=instance.number,
        run=instance.run,
        language=locales.openedx_language(instance.locale),
        start=instance.start or course.start,
        end=instance.end or course.end,
        enrollment_start=instance.enrollment_start or course.enrollment_start,
        enrollment_end=instance.enrollment_end or course.enrollment_end,
        texts=dict(instance.texts) or dict(course.texts),
    )
    return variant, translator.report


def _gated(catalog, code: str) -> CatalogTable | dict:
    if isinstance(catalog, dict):
        return catalog
    from .gate import gate_catalog

    return gate_catalog(catalog, f"{LOCALE_DIR}/{code}.po", code)


def _report_gate(report: FallbackReport, tables: list[tuple[str, dict]], source: str) -> None:
    """What the gate kept out of the tables of a chain, as far as this variant would have used it: a de
    translation kept out is not reported for de_AT when de_AT has its own."""
    for index, (_code, table) in enumerate(tables):
        for line, message, code in getattr(table, "syntax", ()):
            report.unreadable.append((table.rel, line, message, code))
        for rejection in getattr(table, "rejected", ()):
            if any(rejection.key in earlier for _c, earlier in tables[:index]):
                continue
            instead = next((c for c, later in tables[index + 1:] if rejection.key in later), source)
            # Active content first: the most serious reason leads.
            errors = sorted(rejection.errors, key=lambda e: (not e[0].startswith("TRN1"), e[0]))
            message = "; ".join(f"{code}: {text}" for code, text in dict.fromkeys(errors))
            report.rejected.append((table.rel, rejection.line, errors[0][0], message, instead))


_LOCALE_SUFFIX = re.compile(r"-[a-z]{2,3}(?:_[A-Z]{2})?(\.\w+)$")


def _transcript_siblings(assets, transcript_sources: set[str], known: set[str]) -> set[str]:
    """The assets that are a transcript of a video in some known language: `<stem>-<code>.<ext>` where `<stem>`
    is a transcript's path without its own `-<code>.<ext>`.

    Each asset is looked up by its prefixes (one per dash in its name) in the set of stems: linear in the assets,
    where matching every asset against every transcript grew with videos × assets.
    """
    stems = {_LOCALE_SUFFIX.sub("", path) for path in transcript_sources}
    if not stems:
        return set()
    codes = tuple(f"{code}." for code in known)
    out = set()
    for rel in assets:
        dash = rel.find("-")
        while dash >= 0:
            if rel[:dash] in stems and rel.startswith(codes, dash + 1):
                out.add(rel)
                break
            dash = rel.find("-", dash + 1)
    return out


def fallback_findings(report: FallbackReport, instance: Instance, strict: bool = False) -> list[Diagnostic]:
    """What a translated instance's report means for the author: fallbacks, mixed problems, low coverage."""
    rel = f"{LOCALE_DIR}/{instance.locale}.po"
    out = []
    for catalog, line, message, code in report.unreadable:
        message = message.replace("cannot read this catalog: ", "")
        out.append(Diagnostic(catalog, line, f"instance `{instance.id}`: this catalog cannot be read as gettext "
                              f"reads it: {message}; it is not used until this is fixed", Severity.ERROR, code))
    for catalog, line, _code, message, instead in report.rejected:
        out.append(Diagnostic(catalog, line, f"instance `{instance.id}`: translation not used ({message}); "
                              f"the text is shown in `{instead}` instead", Severity.ERROR if strict else
                              Severity.WARNING, "TRN101"))
    if report.fell_back:
        out.append(Diagnostic(rel, 1, f"instance `{instance.id}`: {len(report.fell_back)} of {report.total} texts "
                              f"are untranslated or fuzzy and fall back: {report.places()}",
                              Severity.ERROR if strict else Severity.WARNING, "TRN002"))
    if report.mixed_problems:
        out.append(Diagnostic(rel, 1, f"instance `{instance.id}`: {report.mixed_problems} problems or drawings are "
                              "only partly translated and are shown in the fallback language", Severity.WARNING,
                              "TRN006"))
    if report.coverage + 1e-9 < instance.min_coverage:
        out.append(Diagnostic(rel, 1, f"instance `{instance.id}`: coverage {report.coverage:.1f}% is below its "
                              f"min_coverage of {instance.min_coverage:g}%", Severity.ERROR, "TRN001"))
    return out
