"""Work shared with forked processes (`parallel_map`, `pull_map`, and their serial twin `serial_map`), and the cyclic
garbage collector kept out of the way (`without_gc`).

Workers get what they need from the function they run: a closure or `functools.partial` over the caller's
data, inherited through fork, never pickled on the way in and never kept in a module-level variable. Only the
results travel back, pickled through a pipe.
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import signal
import struct
from collections.abc import Iterator


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


class Forked:
    """`func()` computed in a forked child process, started at once; `result()` waits for its value.

    The child inherits everything the caller holds (nothing is pickled on the way in) and sends its value back
    pickled through a pipe; an exception it raises is raised by `result()`. Only the process that made it may
    call `result()` or `cancel()`. Callers check `can_fork()` first.
    """

    def __init__(self, func):
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_end)
            die_with_parent(parent)
            _child(func, write_end)
        os.close(write_end)
        self.pid: int | None = pid
        self._pipe = read_end

    def result(self):
        pipe, self._pipe = os.fdopen(self._pipe, "rb"), None
        with pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        pid, self.pid = self.pid, None
        if not data:
            raise RuntimeError(f"a worker process ({pid}) died without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def ready(self) -> bool:
        """Whether the child is done working (it has begun sending its value, or died): `result()` will not
        wait for its work."""
        if self._pipe is None:
            return True
        import select

        return bool(select.select([self._pipe], [], [], 0)[0])

    def cancel(self) -> None:
        """Stop the child if it is still running (after an error in the caller); a no-op once `result()` ran."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when `parent` (the process that forked it) dies, however it dies.

    Linux's prctl(PR_SET_PDEATHSIG, SIGKILL); a parent that died before that was set is caught by its pid.
    Without it, a killed build's workers would go on for minutes, writing into its staging folders.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when they find the pipe to the parent closed
        pass
    if os.getppid() != parent:
        os._exit(1)


def can_fork() -> bool:
    return hasattr(os, "fork")


def serial_map(func, items) -> Iterator:
    """`func(item)` for each item, in order, in this process: the twin of `parallel_map` (and its fallback)."""
    return (func(item) for item in items)


def parallel_map(func, items, jobs: int | None = None) -> Iterator:
    """`func(item)` for each item, in order, computed by `jobs` processes (default: one per CPU).

    The items are dealt out in turn: this process computes items 0, jobs, 2·jobs… while forked children compute
    the others (a child returns its share all at once, when done); results come in order, this process working
    ahead through its own share while the child whose item is next has not finished. Doing a share here saves a
    process and the transfer of that share's results; a plain fork (`Forked`) costs a tenth of a multiprocessing
    pool's start.
    An exception in a child is raised here; the children are stopped when the caller stops early or fails.
    With one job, one item or no fork (Windows), this is `serial_map`.
    """
    items = list(items)
    jobs = min(len(items), jobs if jobs is not None else (os.cpu_count() or 1))
    if jobs <= 1 or not can_fork():
        yield from serial_map(func, items)
        return
    children = []
    try:
        for k in range(1, jobs):
            children.append(Forked(functools.partial(_share, func, items[k::jobs])))
        results: list[list | None] = [None] * jobs
        own = items[0::jobs]  # this process's share
        ahead: dict[int, object] = {}  # its results computed before their turn, by place in `own`
        next_own = 0
        for i, item in enumerate(items):
            k = i % jobs
            if k == 0:
                p = i // jobs
                value = ahead.pop(p) if p in ahead else func(item)
                next_own = max(next_own, p + 1)
                yield value
                continue
            # While that child still works, this process goes on with its own share instead of waiting idle
            # (waiting there made a 2-process map almost serial: only item 0 overlapped the child's share).
            while results[k] is None and next_own < len(own) and not children[k - 1].ready():
                ahead[next_own] = func(own[next_own])
                next_own += 1
            if results[k] is None:
                results[k] = children[k - 1].result()
            yield results[k][i // jobs]
    finally:
        for child in children:
            child.cancel()


_TASK = struct.Struct("<I")
_PIPE_TASKS = 4096 // _TASK.size  # item numbers a pipe surely holds at once (POSIX: at least 4 KiB)


def pull_map(func, items, jobs: int | None = None) -> Iterator:
    """`func(item)` for each item, in order, computed by `jobs` processes that each take the next item nobody
    has taken yet: for items of unequal cost (a build's variants), where dealing them out in turn leaves one
    process idle while another still has a long share.

    This process takes item 0 and forks the children as it starts it, so the first item can be one only this
    process can start at once (the others may wait inside `func` for something being prepared). The item numbers
    wait in a pipe (each 4-byte read takes exactly one); each child sends its results back when the pipe is
    empty. Results come in order: item 0's at once, the others as soon as they and every one before are known.
    An exception in a child is raised here; the children are stopped when the caller stops early or fails.
    With one job, one item, no fork (Windows) or more items than a pipe surely holds, this is `parallel_map`.
    """
    items = list(items)
    jobs = min(len(items), jobs if jobs is not None else (os.cpu_count() or 1))
    if jobs <= 1 or not can_fork() or len(items) > _PIPE_TASKS:
        yield from parallel_map(func, items, jobs)
        return
    tasks, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(_TASK.pack(i) for i in range(1, len(items))))
    finally:
        os.close(write_end)  # an empty pipe with no writer reads as its end: no more items
    children: list[Forked] = []
    try:
        children = [Forked(functools.partial(_pull, func, items, tasks)) for _ in range(1, jobs)]
        done = {0: func(items[0])}
        next_out = 0
        while True:
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            task = _take(tasks)
            if task is None:
                break
            done[task] = func(items[task])
        for child in children:
            done.update(child.result())
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
    finally:
        os.close(tasks)
        for child in children:
            child.cancel()


def _take(tasks: int) -> int | None:
    data = os.read(tasks, _TASK.size)
    return _TASK.unpack(data)[0] if data else None


def _pull(func, items: list, tasks: int) -> dict:
    done = {}
    while (task := _take(tasks)) is not None:
        done[task] = func(items[task])
    return done


def _share(func, items: list) -> list:
    return [func(item) for item in items]


def _child(func, write_end: int) -> None:
    """Run in a forked child: compute, send the pickled outcome, and leave without Python's shutdown."""
    status = 0
    try:
        try:
            data = pickle.dumps((True, func()), protocol=pickle.HIGHEST_PROTOCOL)
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
