"""Writing an OLX tree to disk and to a reproducible `.tar.gz`, atomically."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import zlib
from pathlib import Path

from ..fsio import replace_folder, stage_folder, write_atomic
from ..olx_export import OlxTree
from .members import TOP, ustar_split

DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest date every archive format can hold


def source_date_epoch() -> int:
    """The member mtime: SOURCE_DATE_EPOCH when set (reproducible-builds.org), else a fixed date."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else DEFAULT_EPOCH


def _dirs_of(paths: list[str]) -> list[str]:
    dirs = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return sorted(dirs)


def _info(name: str, mtime: int, is_dir: bool, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if is_dir:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.mode = 0o644
        info.size = size
    return info


def archive_bytes(tree: OlxTree) -> bytes:
    """The archive of `tree`, byte-for-byte reproducible, with one top folder `course/`.

    Members are sorted, owners are 0 with empty names, modes are normalised, and neither the tar nor the gzip
    header records a name or a time that depends on the machine (mtime: SOURCE_DATE_EPOCH or 1980-01-01).
    The tar is POSIX ustar, exactly as Python's tarfile writes it, but built directly: for a course of 10,000
    files tarfile's per-member overhead was most of the archive's cost.
    """
    mtime = source_date_epoch()
    if not _STREAMS_AS_GZIP:
        return gzip.compress(b"".join(_tar_chunks(tree, mtime)), compresslevel=6, mtime=0)
    # Compressed as the tar is made: the whole tar is never held (at 20,000 components, it and its one-shot
    # compression were a build's peak of memory). zlib's output does not depend on how its input is cut.
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    out = [packer.compress(chunk) for chunk in _tar_chunks(tree, mtime)]
    out.append(packer.flush())
    return b"".join(out)


def _tar_chunks(tree: OlxTree, mtime: int):
    """The ustar archive of `tree`, piece by piece."""
    yield _ustar_header(TOP + "/", mtime, True, 0)
    size = BLOCK
    for name, entry in _members(tree):
        if entry is None:
            yield _ustar_header(f"{TOP}/{name}/", mtime, True, 0)
            size += BLOCK
            continue
        if entry in tree.files:
            data = tree.files[entry]
        else:
            with open(tree.assets[entry], "rb") as fh:
                data = fh.read()
        yield _ustar_header(f"{TOP}/{name}", mtime, False, len(data))
        yield data
        size += BLOCK + len(data)
        if len(data) % BLOCK:
            yield NUL * (BLOCK - len(data) % BLOCK)
            size += BLOCK - len(data) % BLOCK
    yield NUL * (2 * BLOCK)
    size += 2 * BLOCK
    if size % RECORD:
        yield NUL * (RECORD - size % RECORD)


# gzip.compress(data, mtime=0) is zlib's own gzip format (wbits 31) on the Pythons olxkit supports; should one
# write another header, the archive is made in one piece as before, so its bytes never depend on the streaming.
_STREAMS_AS_GZIP = gzip.compress(b"olxkit", compresslevel=6, mtime=0) == zlib.compress(b"olxkit", 6, wbits=31)


BLOCK, RECORD, NUL = 512, 20 * 512, b"\0"


def _octal(value: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, value)


def _ustar_header(name: str, mtime: int, is_dir: bool, size: int) -> bytes:
    split = ustar_split(name.encode("utf-8"))
    if split is None:
        raise ValueError(f"path too long for an archive member: {name}")
    prefix, raw = split
    header = b"".join((
        raw.ljust(100, NUL),
        _octal(0o755 if is_dir else 0o644, 8),
        _octal(0, 8),
        _octal(0, 8),
        _octal(size, 12),
        _octal(mtime, 12),
        b" " * 8,
        b"5" if is_dir else b"0",
        NUL * 100,
        b"ustar\x0000",
        NUL * 32,
        NUL * 32,
        NUL * 16,  # devmajor, devminor: empty for files and folders, as tarfile writes them
        prefix.ljust(155, NUL),
        NUL * 12,
    ))
    checksum = b"%06o\0 " % sum(header)
    return header[:148] + checksum + header[156:]


def _members(tree: OlxTree) -> list[tuple[str, str | None]]:
    entries = tree.paths()
    return sorted([(d, None) for d in _dirs_of(entries)] + [(e, e) for e in entries], key=lambda m: m[0])


def write_archive(tree: OlxTree, path: str | os.PathLike) -> int:
    """Write the reproducible archive of `tree` to `path`, atomically; returns its size in bytes."""
    return write_atomic(path, archive_bytes(tree))


def archive_bytes_tarfile(tree: OlxTree) -> bytes:
    """The same archive written with Python's tarfile (the reference the fast writer is tested against)."""
    mtime = source_date_epoch()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        tar.addfile(_info(TOP, mtime, True))
        for name, entry in _members(tree):
            if entry is None:
                tar.addfile(_info(f"{TOP}/{name}", mtime, True))
            elif entry in tree.files:
                data = tree.files[entry]
                tar.addfile(_info(f"{TOP}/{name}", mtime, False, len(data)), io.BytesIO(data))
            else:
                src = tree.assets[entry]
                with open(src, "rb") as fh:
                    tar.addfile(_info(f"{TOP}/{name}", mtime, False, os.path.getsize(src)), fh)
    return gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0)


def write_tree(tree: OlxTree, folder: str | os.PathLike) -> None:
    """Write the OLX files under `folder`, replacing what was there only once the new tree is complete."""
    folder = Path(folder)
    staging = stage_folder(folder)
    try:
        write_files(tree, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_folder(staging, folder)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)  # what write_bytes opens with


def write_files(tree: OlxTree, root: Path) -> None:
    """Write the files of `tree` (all, or a share of them) under `root`.

    Plain `os.open`/`os.write` on string paths: a build writes thousands of small files, and a Path and a
    buffered file object per file (whose opening asks the kernel twice more) cost more than the writing."""
    made: set[str] = set()
    top = os.fspath(root)
    for name in tree.paths():
        folder = name.rpartition("/")[0]
        if folder not in made:
            os.makedirs(os.path.join(top, folder), exist_ok=True)
            made.add(folder)
        target = f"{top}/{name}"
        if name not in tree.files:
            shutil.copyfile(tree.assets[name], target)
            continue
        fd = os.open(target, _CREATE, 0o666)
        try:
            view = memoryview(tree.files[name])
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
