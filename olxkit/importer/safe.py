"""Reading an import source (a Studio `.tar.gz` export or an OLX folder) into memory, refusing anything unsafe.

Nothing is extracted: every member is checked (name, type, size, compression ratio) and read into memory, and
the text files are checked for encoding and XML declarations before anything is written anywhere.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import OlxkitError, error

MAX_MEMBERS = 100_000
MAX_BYTES = 2 << 30
"""Default limit for one member and for the whole course, unpacked (--max-size changes it)."""
BOMB_RATIO = 100
BOMB_FLOOR = 16 << 20
"""Unpacked data past this size and past BOMB_RATIO times the archive's size is a decompression bomb."""
IGNORED = re.compile(r"(^|/)(__MACOSX/|\._[^/]*$|\.DS_Store$|[^/]*~$)")
_TEXT_SUFFIXES = (".xml", ".html", ".json", ".htm")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(OlxkitError):
    """The source is unsafe or not a course; nothing was written."""


def refuse(where: str, message: str, line: int = 0) -> Refused:
    return Refused(error(where, line, message, code="IMP001").diagnostics)


@dataclass
class SourceFiles:
    """Every file of one course, keyed by its path inside the course folder (the one holding course.xml)."""

    label: str
    files: dict[str, bytes]
    ignored: list[str] = field(default_factory=list)
    """Members skipped as system debris (__MACOSX/, ._*, .DS_Store, backups ending in ~)."""


def _unsafe_name(name: str) -> bool:
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts or "\0" in name


def read_source(path: str | os.PathLike, max_bytes: int = MAX_BYTES, progress=None) -> SourceFiles:
    """Read a Studio export (.tar.gz) or an OLX folder; raise Refused (one clear message) on anything unsafe."""
    path = Path(path)
    if path.is_symlink():
        raise refuse(str(path), "the source is a symbolic link; name the archive or folder itself")
    if path.is_dir():
        files = _read_folder(path, max_bytes)
    elif path.is_file():
        files = _read_archive(path, max_bytes, progress)
    else:
        raise refuse(str(path), "no such archive or folder")
    return _course_root(path, files)


def _read_archive(path: Path, max_bytes: int, progress) -> dict[str, bytes]:
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        raise refuse(str(path), "this is a zip file; olxkit imports the .tar.gz that Studio's Tools > Export writes")
    if not magic.startswith(b"\x1f\x8b"):
        raise refuse(str(path), "not a .tar.gz archive (no gzip header); export the course from Studio "
                                "(Tools > Export) or name an OLX folder")
    size = max(path.stat().st_size, 1)
    try:
        buffer = _gunzip(path, size, max_bytes)
        files: dict[str, bytes] = {}
        for count, (name, kind, start, length) in enumerate(_members(buffer), 1):
            if count > MAX_MEMBERS:
                raise refuse(str(path), f"more than {MAX_MEMBERS} members; this is not a course export")
            if _unsafe_name(name):
                raise refuse(str(path), f"unsafe member `{name}`: an absolute path or `..`")
            if kind in (b"1", b"2"):
                link = "symbolic link" if kind == b"2" else "hard link"
                raise refuse(str(path), f"unsafe member `{name}`: a {link} (a course export holds only files and "
                                        "folders)")
            if kind == b"5":
                continue
            if kind not in (b"0", b"\0", b"7"):
                raise refuse(str(path), f"unsafe member `{name}`: a device, FIFO or other special file")
            name = name.removeprefix("./")
            if length > max_bytes:
                raise refuse(str(path), f"member `{name}` is {length >> 20} MB unpacked, past the limit "
                                        f"of {max_bytes >> 20} MB (--max-size)")
            if name in files:
                raise refuse(str(path), f"member `{name}` appears twice; refusing an ambiguous archive")
            files[name] = buffer[start:start + length]
            if progress and count % 2000 == 0:
                progress(f"read {count} members")
    except (EOFError, OSError, ValueError, zlib.error) as exc:
        if isinstance(exc, Refused):
            raise
        raise refuse(str(path), f"not a readable .tar.gz archive ({exc})") from None
    return files


def _gunzip(path: Path, size: int, max_bytes: int) -> bytes:
    """The archive's tar, unpacked in memory, stopping at the size limit or at a bomb's compression ratio."""
    chunks = []
    total = 0
    with gzip.open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > max_bytes + (64 << 20):  # the tar's own headers come on top of the files
                raise refuse(str(path), f"more than {max_bytes >> 20} MB unpacked, past the limit (--max-size)")
            if total > BOMB_FLOOR and total > BOMB_RATIO * size:
                raise refuse(str(path), f"the archive unpacks to more than {BOMB_RATIO} times its size: a "
                                        "decompression bomb, not a course")
            chunks.append(chunk)
    return b"".join(chunks)


def _field(raw: bytes) -> bytes:
    return raw.split(b"\0", 1)[0]


def _number(raw: bytes) -> int:
    if raw[:1] and raw[0] & 0x80:  # GNU base-256 for large sizes
        return int.from_bytes(raw[1:], "big")
    text = _field(raw).strip()
    return int(text, 8) if text else 0


def _members(buffer: bytes):
    """(name, type flag, data offset, size) of every member of an uncompressed tar (ustar, GNU or pax).

    Read directly rather than with tarfile, whose per-member cost was a large share of an import; every header's
    checksum is verified, and pax and GNU long names apply to the member that follows them.
    """
    pos, end = 0, len(buffer)
    pax: dict[str, str] = {}
    long_name = None
    while pos + 512 <= end:
        header = buffer[pos:pos + 512]
        if header.count(0) == 512:
            return
        if _number(header[148:156]) != sum(header[:148]) + 256 + sum(header[156:]):
            raise ValueError(f"a damaged header at byte {pos}")
        kind = header[156:157]
        size = _number(header[124:136])
        if "size" in pax:
            size = int(pax["size"])
        start = pos + 512
        pos = start + (size + 511) // 512 * 512
        if pos > end:
            raise ValueError("the archive ends inside a member")
        data = buffer[start:start + size]
        if kind in (b"x", b"g"):
            if kind == b"x":
                pax = _pax(data)
            continue
        if kind == b"L":
            long_name = _field(data).decode("utf-8")
            continue
        if kind == b"K":
            continue  # a GNU long link name: links are refused anyway
        name = _field(header[:100]).decode("utf-8")
        if header[257:262] == b"ustar" and _field(header[345:500]):
            name = _field(header[345:500]).decode("utf-8") + "/" + name
        name = pax.get("path") or long_name or name
        long_name = None
        pax = {}
        yield name, kind, start, size


def _pax(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        length = int(data[pos:space])
        key, _, value = data[space + 1:pos + length - 1].partition(b"=")
        records[key.decode("utf-8")] = value.decode("utf-8")
        pos += length
    return records


def _read_folder(root: Path, max_bytes: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                raise refuse(str(full), f"`{rel}` is a symbolic link; an OLX folder holds only files and folders")
            if stat.S_ISDIR(info.st_mode):
                continue
            if not stat.S_ISREG(info.st_mode):
                raise refuse(str(full), f"`{rel}` is a device, FIFO or other special file")
            if info.st_nlink > 1:
                raise refuse(str(full), f"`{rel}` is a hard link (it has {info.st_nlink} names); copy the file")
            if info.st_size > max_bytes:
                raise refuse(str(full), f"`{rel}` is {info.st_size >> 20} MB, past the limit of "
                                        f"{max_bytes >> 20} MB (--max-size)")
            total += info.st_size
            if total > max_bytes:
                raise refuse(str(root), f"more than {max_bytes >> 20} MB in the folder, past the limit (--max-size)")
            files[rel] = full.read_bytes()
    return files


def _course_root(path: Path, files: dict[str, bytes]) -> SourceFiles:
    roots = [n for n in files if (n == "course.xml" or n.endswith("/course.xml")) and not IGNORED.search(n)]
    if not roots:
        raise refuse(str(path), "no course.xml: not an Open edX course export or OLX folder")
    depth = min(n.count("/") for n in roots)
    top = sorted(n for n in roots if n.count("/") == depth)
    if len(top) > 1:
        raise refuse(str(path), f"more than one course.xml at the top ({', '.join(top)}); import one course at a time")
    prefix = top[0][: -len("course.xml")]
    out = SourceFiles(str(path), {})
    for name, data in files.items():
        if not name.startswith(prefix):
            out.ignored.append(name)
            continue
        rel = name[len(prefix):]
        if IGNORED.search(rel):
            out.ignored.append(name)
            continue
        out.files[rel] = data
        if not rel.startswith("static/") and rel.endswith(_TEXT_SUFFIXES):
            _check_text(path, name, rel, data)
    return out


def _check_text(path: Path, name: str, rel: str, data: bytes) -> None:
    where = f"{path}!{name}" if path.is_file() else str(path / name)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise refuse(where, f"not UTF-8 (byte 0x{data[exc.start]:02x}); Open edX reads course files as UTF-8",
                     line) from None
    match = _DECLARATION.search(data)
    if match and (rel.endswith(".xml") or match.group(1).upper() == b"ENTITY"):
        line = data.count(b"\n", 0, match.start()) + 1
        raise refuse(where, "an XML DTD or entity declaration; olxkit never expands entities (nor does Studio "
                            "need them): remove it", line)
