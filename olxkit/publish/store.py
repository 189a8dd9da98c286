"""What was published: the archive last imported into each instance, and the import still pending."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from ..diagnostics import error
from ..fsio import copy_atomic, rename_atomic, write_atomic
from ..model import Instance

# -- what was published ----------------------------------------------------------------------------------------

class PublishedStore:
    """The archive last published to each instance, and the one whose import is still open.

    <dir>/<instance>/last.tar.gz + last.json: the last import that Succeeded; pending.tar.gz + pending.json: an
    upload Studio accepted whose import has not been seen to finish.
    """

    def __init__(self, root: Path):
        self.root = root

    def folder(self, ident: str) -> Path:
        return self.root / re.sub(r"[^A-Za-z0-9_.-]", "_", ident)

    def _meta(self, ident: str, kind: str) -> dict | None:
        meta, archive = self.folder(ident) / f"{kind}.json", self.folder(ident) / f"{kind}.tar.gz"
        if not (meta.is_file() and archive.is_file()):
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["archive"], data["task_id"] = str(archive), str(data.get("task_id") or "")
        except (ValueError, TypeError):
            raise error(str(meta), 0, "this publish record is damaged; delete it (the next publish then has "
                        "nothing to compare with)", code="SYN001") from None
        return data

    def last(self, ident: str) -> dict | None:
        return self._meta(ident, "last")

    def pending(self, ident: str) -> dict | None:
        return self._meta(ident, "pending")

    def start(self, ident: str, archive: Path, meta: dict) -> None:
        folder = self.folder(ident)
        folder.mkdir(parents=True, exist_ok=True)
        copy_atomic(archive, folder / "pending.tar.gz")
        _write_json(folder / "pending.json", meta)

    def note(self, ident: str, meta: dict) -> None:
        """Update the open upload's record (its task id, once Studio has answered)."""
        _write_json(self.folder(ident) / "pending.json", meta)

    def finish(self, ident: str, state: str) -> None:
        """The open import ended: Succeeded makes it the last published archive; otherwise it is dropped."""
        folder = self.folder(ident)
        meta = self.pending(ident)
        if meta is None:
            return
        if state == "Succeeded":
            meta.pop("archive", None)
            meta.update(state=state, published_at=utc_now())
            rename_atomic(folder / "pending.tar.gz", folder / "last.tar.gz")
            _write_json(folder / "last.json", meta)
        (folder / "pending.json").unlink(missing_ok=True)
        (folder / "pending.tar.gz").unlink(missing_ok=True)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def unfollowable(ident: str, pending: dict) -> str:
    return (f"the upload of {pending.get('uploaded_at')} ({pending.get('filename')}) got no answer, so Studio may "
            "have imported it; check Studio › Tools › Import, then clear this with `olxkit publish-status "
            f"--instance {ident} --forget` (and publish again if the import did not happen)")


def upload_name(instance: Instance) -> str:
    """A file name no earlier upload used: Studio finds an import's status by course and file name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{instance.archive_stem.replace('+', '-')}-{stamp}-{secrets.token_hex(3)}.tar.gz"
