"""Names of archive members: what the archive's ustar headers can hold (the exporter checks its paths here)."""

from __future__ import annotations

TOP = "course"
"""The one top folder of every archive."""


def ustar_split(raw: bytes) -> tuple[bytes, bytes] | None:
    """(prefix, name) of a ustar member name, or None when it cannot be stored.

    ustar keeps long names as prefix/name; like tarfile, take the shortest prefix that makes both fit.
    """
    if len(raw) <= 100:
        return b"", raw
    parts = raw.split(b"/")
    for i in range(1, len(parts)):
        prefix, rest = b"/".join(parts[:i]), b"/".join(parts[i:])
        if len(prefix) <= 155 and len(rest) <= 100:
            return prefix, rest
    return None


def member_name_fits(path: str) -> bool:
    """Whether the OLX file `path` can be a member of the archive (its file name at most 100 bytes)."""
    return ustar_split(f"{TOP}/{path}".encode()) is not None
