"""Parsed lessons kept between loads of one project (the preview re-reads the course on every save)."""

from __future__ import annotations

from ..model import Lesson


class LessonCache:
    """Parsed lessons by content, kept between loads of one project.

    Only the lessons of the last load are kept, so the cache never holds more than one course's worth. Lessons
    are shared between loads: the pipeline's later stages copy what they change and never mutate the model.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple] = {}
        self._next: dict[tuple, tuple] = {}
        self._assets: str | None = None
        self.parsed: list[str] = []
        """The lesson files the last load parsed (the others came from the cache)."""
        self.reused = 0

    def assets_key(self, assets: dict[str, str]) -> str:
        # Videos check their transcripts against the assets: a new or removed file re-reads the lessons.
        if self._assets is None:
            self._assets = "\n".join(sorted(assets))
        return self._assets

    def start(self) -> None:
        self._next, self.parsed, self.reused, self._assets = {}, [], 0, None

    def get(self, key: tuple):
        hit = self._entries.get(key)
        if hit is not None:
            self._next[key] = hit
            self.reused += 1
        return hit

    def put(self, key: tuple, lesson: Lesson, warnings: list) -> None:
        self._next[key] = (lesson, list(warnings))
        self.parsed.append(key[0])

    def finish(self) -> None:
        # A load that failed before reaching the lessons keeps the previous entries for the next one.
        if self._next:
            self._entries = self._next
