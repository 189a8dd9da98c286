"""A catalog of the preview, each translation let through the build's gate when it is first looked up.

Imported when an instance has a catalog to read (never for the source language's pages): the gate's checks are
not imported before the English first page, as the English build does not import them.
"""

from __future__ import annotations

import os
import threading

from ..diagnostics import OlxkitError
from ..i18n.gate import CatalogTable, Key, gate
from ..i18n.pofile import scan_translations


class LazyTable(CatalogTable):
    """A catalog's translations, each let through the gate when it is first looked up (then remembered).

    A `CatalogTable` for `make_variant`: `get`, `in` and `rejected` answer as the build's eagerly gated table
    does for every key looked up so far.
    """

    def __init__(self, path: str | os.PathLike, rel: str, code: str):
        super().__init__(rel=rel)
        self._pending: dict[Key, str] = {}
        self._lines: dict[Key, int] = {}
        self._locale = code
        self._lock = threading.Lock()
        try:
            scan = scan_translations(path, rel)
        except OlxkitError as exc:  # not UTF-8: not used, as in the build
            self.syntax = [(d.line, d.message, d.code) for d in exc.diagnostics]
            return
        if scan.syntax:
            self.syntax = [(line, message, "TRN103") for line, message in sorted(scan.syntax)]
            return
        self._pending, self._lines, self._locale = scan.table, scan.lines, scan.language or code
        # Translations the reading kept out (msgfmt's format faults) are rejections from the start, as in the build.
        self.rejected.extend(gate((), rel, self._locale, self._lines, scan.entry_errors).rejected)

    def _check(self, key) -> None:
        if key not in self._pending:
            return
        # Pages are made in the server's thread, re-reads in another: a text is checked once, seen by both.
        with self._lock:
            msgstr = self._pending.get(key)
            if msgstr is not None:
                checked = gate([(key, msgstr)], self.rel, self._locale, self._lines)
                self.update(checked)
                self.rejected.extend(checked.rejected)
                del self._pending[key]

    def get(self, key, default=None):
        self._check(key)
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        self._check(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._check(key)
        return super().__getitem__(key)
