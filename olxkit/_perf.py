"""Keeping Python's cyclic garbage collector out of the way of large, cycle-free data."""

from __future__ import annotations

import functools
import gc


def without_gc(func):
    """Run `func` with the cyclic GC paused.

    The course model holds every lesson's tokens and catalogs hold thousands of entries; the collector would
    rescan that growing heap again and again (a tenth of a large build) and find nothing to free: these
    structures have no cycles to drop. Reference counting still frees everything as usual.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return wrapper
