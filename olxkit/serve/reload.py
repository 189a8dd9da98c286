"""Live reload: watchfiles watches the sources, the course is re-read, open pages are told by server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

from .cache import WATCHED, Preview


class Broadcaster:
    """The latest news for every open page: a new version, or the findings of a broken save."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.changed = asyncio.Condition()
        self.serial = 0
        self.stopping = False

    async def publish(self) -> None:
        async with self.changed:
            self.serial += 1
            self.changed.notify_all()

    def message(self) -> str:
        p = self.preview
        if p.findings:
            data = {"version": p.version, "findings": [d.as_dict() | {"location": d.location()} for d in p.findings]}
            return f"event: broken\ndata: {json.dumps(data)}\n\n"
        return f"event: reload\ndata: {json.dumps({'version': p.version, 'reparsed': p.reparsed})}\n\n"

    async def stream(self, client_version: int | None) -> AsyncIterator[str]:
        """The events one page receives: first the state it may have missed, then every change."""
        seen = self.serial
        yield "retry: 500\n\n"
        if self.preview.findings or (client_version is not None and client_version != self.preview.version):
            yield self.message()
        while not self.stopping:
            async with self.changed:
                try:
                    await asyncio.wait_for(self.changed.wait_for(lambda seen=seen: self.serial != seen), timeout=1.0)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
            seen = self.serial
            yield self.message()


AFTER_FIRST_PAGE_S = 3.0
AT_LATEST_S = 10.0


async def watch(preview: Preview, news: Broadcaster, stop: asyncio.Event, wanted: asyncio.Event | None = None,
                shown: asyncio.Event | None = None, say=None) -> None:
    """Read the rest of a course read for its outline, then re-read it whenever a watched file changes, until
    `stop` is set.

    Both (the rest of the lessons; the watcher's import, thread and first walk of the folders) start when an open
    page first asks for news (`wanted`, set by the events stream), else a few seconds after the first page was
    served (`shown`) or the server started: the first page never waits for them. Errors in the lessons read then
    reach the open pages as a broken save's do (and `say`, once). What was saved before the watcher started is
    caught by the files' modification times, compared with when the course was read (and the open pages are told).
    """
    if wanted is not None and shown is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_first(wanted, shown), AT_LATEST_S)
        if not wanted.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wanted.wait(), AFTER_FIRST_PAGE_S)
    if preview.outlined and not await asyncio.to_thread(preview.complete):
        await news.publish()
        for finding in preview.findings if say is not None else ():
            say(finding.format(), err=True)
        if say is not None:
            say("The course has errors; the preview shows them and reloads when they are fixed.", err=True)
    from watchfiles import awatch

    paths = [str(preview.root / name) for name in WATCHED if (preview.root / name).is_dir()]
    if not paths:
        return
    catch_up = asyncio.create_task(_catch_up(preview, news, paths))
    try:
        async for _changes in awatch(*paths, stop_event=stop, debounce=400, step=20, recursive=True):
            await asyncio.to_thread(preview.reload)
            await news.publish()
    finally:
        catch_up.cancel()


async def _first(*events: asyncio.Event) -> None:
    """Until one of `events` is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _catch_up(preview: Preview, news: Broadcaster, paths: list[str]) -> None:
    """Re-read the course if a file changed after it was read and before the watcher was watching."""
    read_at = preview.read_at_ns
    await asyncio.sleep(0.2)  # the watcher watches by now: what changes later, it reports
    if await asyncio.to_thread(_changed_since, paths, read_at):
        await asyncio.to_thread(preview.reload)
        await news.publish()


def _changed_since(paths: list[str], since_ns: int) -> bool:
    for top in paths:
        for folder, _dirs, files in os.walk(top):
            for name in [".", *files]:
                try:
                    if os.stat(os.path.join(folder, name)).st_mtime_ns >= since_ns:
                        return True
                except OSError:
                    return True
    return False


def watched_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).is_dir()]
