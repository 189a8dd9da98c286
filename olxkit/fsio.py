"""Every file olxkit writes goes through here, so that none is ever seen half-written.

One file (`write_atomic`, `copy_atomic`, `write_all_atomic`): the bytes go to a new temporary file in the
target's own folder (created with O_EXCL, so never an existing file or a planted link), are flushed and fsynced,
get the target's current permissions (0o644 for a new file), and the temporary file is renamed over the target;
then the folder itself is fsynced, so that the rename survives a crash (`rename_atomic` for a file already whole).
A failure removes the temporary file and leaves the target as it was.

A folder of files (the unpacked OLX tree): `stage_folder` makes a fresh folder beside the target, the caller fills
it, and `replace_folder` swaps it in with one rename. Each file of a staged folder is written plainly: the folder
is not visible under its name until it is complete.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

NEW_FILE_MODE = 0o644
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> int:
    """Replace `path` with `data` (str is encoded with `encoding`, newlines as given); returns the size in bytes."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with _staged(Path(path)) as fh:
        fh.write(payload)
    return len(payload)


def copy_atomic(src: str | os.PathLike, dest: str | os.PathLike) -> int:
    """Replace `dest` with a copy of the file `src`; returns the size in bytes."""
    with _staged(Path(dest)) as out, open(src, "rb") as fh:
        shutil.copyfileobj(fh, out, 1 << 20)
        return out.tell()


def write_all_atomic(files: Iterable[tuple[str | os.PathLike, bytes | str]], *, encoding: str = "utf-8") -> None:
    """Write several files so that none changes unless all could be written: every one is staged, then renamed."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            target = Path(path)
            payload = data.encode(encoding) if isinstance(data, str) else data
            tmp = _new_temp(target)
            staged.append((tmp, target))
            with os.fdopen(os.open(tmp, _FLAGS, 0o600), "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _mode_of(target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _target in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for folder in {target.parent for _tmp, target in staged}:
        fsync_folder(folder)


def rename_atomic(src: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Move the complete file `src` over `dest` (same folder) and make the rename durable."""
    os.replace(src, dest)
    fsync_folder(Path(dest).parent)


@contextmanager
def _staged(target: Path) -> Iterator[BinaryIO]:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp(target)
    try:
        with os.fdopen(os.open(tmp, _FLAGS, 0o600), "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_of(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def _new_temp(target: Path) -> str:
    return str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")


def _mode_of(target: Path) -> int:
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        return NEW_FILE_MODE


def fsync_folder(folder: str | os.PathLike) -> None:
    """Make the renames done in `folder` durable (where the platform lets a folder be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def stage_folder(folder: Path) -> Path:
    """A new empty folder beside `folder`, to fill and then move into place with `replace_folder`."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))


def replace_folder(staging: Path, folder: Path) -> None:
    """Move the completed `staging` folder to `folder`, then remove what was there before."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        if old.exists():
            shutil.rmtree(old)
        folder.rename(old)
    staging.rename(folder)
    fsync_folder(folder.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
