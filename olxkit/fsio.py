"""Every file olxkit writes goes through here, so that none is ever seen half-written.

One file (`write_atomic`, `copy_atomic`, `write_all_atomic`): the bytes go to a new temporary file in the
target's own folder (created with O_EXCL, so never an existing file or a planted link), are flushed and fsynced,
get the target's current permissions (0o644 for a new file), and the temporary file is renamed over the target;
then the folder itself is fsynced, so that the rename survives a crash (`rename_atomic` for a file already whole).
A failure removes the temporary file and leaves the target as it was.

A folder of files (the unpacked OLX tree): `stage_folder` makes a fresh folder beside the target (or in a
build's `.olxkit-tmp/`), the caller fills it, and `replace_folder` swaps it in with one rename. Each file of a
staged folder is written plainly: the folder is not visible under its name until it is complete.

After a crash: a temporary file is named `.<name>.olxkit-tmp-<pid>-<random>`, so the next write of the same file
removes the ones whose process is gone (`sweep`); a build keeps its staging folders and temporary files under
`build/.olxkit-tmp/`, which the next build empties (`BuildLock`), with a lock file that serialises builds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

NEW_FILE_MODE = 0o644
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8",
                 temp_dir: str | os.PathLike | None = None) -> int:
    """Replace `path` with `data` (str is encoded with `encoding`, newlines as given); returns the size in bytes.

    `temp_dir`: where the temporary file is made (a folder on the same file system, such as a build's
    `.olxkit-tmp/`) instead of the target's folder."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with _staged(Path(path), temp_dir) as fh:
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
def _staged(target: Path, temp_dir: str | os.PathLike | None = None) -> Iterator[BinaryIO]:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp(target, temp_dir)
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


TEMP_MARK = ".olxkit-tmp-"


def _new_temp(target: Path, temp_dir: str | os.PathLike | None = None) -> str:
    folder = Path(temp_dir) if temp_dir is not None else target.parent
    sweep(folder, target.name)
    return str(folder / f".{target.name}{TEMP_MARK}{os.getpid()}-{os.urandom(6).hex()}")


def sweep(folder: str | os.PathLike, name: str) -> None:
    """Remove the temporary files of `name` in `folder` that a process left when it died (killed, crashed)."""
    prefix = f".{name}{TEMP_MARK}"
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def stage_folder(folder: Path, temp_dir: Path | None = None) -> Path:
    """A new empty folder beside `folder` (or in `temp_dir`, on the same file system), to fill and then move into
    place with `replace_folder`."""
    parent = temp_dir if temp_dir is not None else folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}{TEMP_MARK}{os.getpid()}-", dir=parent))


def replace_folder(staging: Path, folder: Path) -> None:
    """Move the completed `staging` folder to `folder`, then remove what was there before (moved out of the way
    beside the staging folder first, so that a crash leaves it where the next run cleans up)."""
    old = None
    if folder.is_symlink():
        folder.unlink()  # a link is replaced, never followed: what it points to is not ours to delete
    elif folder.exists():
        old = staging.with_name(f"{staging.name}.old")
        folder.rename(old)
    staging.rename(folder)
    fsync_folder(folder.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class BuildLock:
    """One build at a time in an output folder, and a clean `.olxkit-tmp/` for it.

    `fcntl.flock` on the output folder itself: a second build of the same project waits (saying so once) until
    the first ends; the kernel drops the lock when a build dies, however it dies. Holding the lock, the build
    empties `.olxkit-tmp/` of what a killed build left (staging folders, temporary archives), and removes it when
    it is done.
    """

    NAME = ".olxkit-tmp"

    def __init__(self, out: Path, say=None):
        self.out = Path(out)
        self.folder = self.out / self.NAME
        self.say = say or (lambda _message: None)
        self._fd: int | None = None

    def __enter__(self) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # no flock (Windows): builds are not serialised
            fcntl = None
        if fcntl is not None:
            self._fd = os.open(self.out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.say(f"another build is running in {self.out}; waiting for it to finish")
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        return self.folder

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # releases the lock
