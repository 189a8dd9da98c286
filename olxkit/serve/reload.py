"""Live reload: watchfiles watches the sources, the course is re-read, open pages are told by server-sent events."""

from __future__ import annotations

import asyncio
import json
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


async def watch(preview: Preview, news: Broadcaster, stop: asyncio.Event) -> None:
    """Re-read the course whenever a watched file changes, until `stop` is set."""
    from watchfiles import awatch

    paths = [str(preview.root / name) for name in WATCHED if (preview.root / name).is_dir()]
    if not paths:
        return
    async for _changes in awatch(*paths, stop_event=stop, debounce=400, step=20, recursive=True):
        await asyncio.to_thread(preview.reload)
        await news.publish()


def watched_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).is_dir()]
