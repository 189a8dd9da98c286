"""Performance helpers: keeping the cyclic garbage collector out of the way, and sharing work with forked
processes."""

from __future__ import annotations

import functools
import gc
import os
import pickle
import signal


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


def map_sharing(func, items: list) -> list:
    """`[func(i) for i in items]`, the first computed here while forked children compute the others.

    Children inherit everything the caller holds through fork, so nothing large is pickled on the way in; each
    sends its result back pickled through a pipe. The calling process would otherwise wait idle: doing a
    share itself saves a process and the transfer of that share's result. A plain fork costs a tenth of a
    multiprocessing pool's start (and its imports), which counts for a command that runs in a third of a
    second. Without fork (Windows), everything runs here, one after the other. An exception in a child is
    raised here.
    """
    if len(items) <= 1 or not hasattr(os, "fork"):
        return [func(i) for i in items]
    children = []
    try:
        for item in items[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_end)
                _child(func, item, write_end)
            os.close(write_end)
            children.append((pid, read_end))
        results = [func(items[0])]
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            children = [c for c in children if c[0] != pid]
            os.waitpid(pid, 0)
            if not data:
                raise RuntimeError(f"a worker process ({pid}) died without a result")
            ok, value = pickle.loads(data)
            if not ok:
                raise value
            results.append(value)
        return results
    finally:
        for pid, read_end in children:  # only after an error here: stop the others
            os.close(read_end)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _child(func, item, write_end: int) -> None:
    """Run in a forked child: compute, send the pickled outcome, and leave without Python's shutdown."""
    status = 0
    try:
        try:
            data = pickle.dumps((True, func(item)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            try:
                data = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001
        status = 1
    finally:
        # Skip atexit handlers, buffered output and freeing the heap: they belong to the parent.
        os._exit(status)
