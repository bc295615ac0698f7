"""Pull progress: the C++ SDK's PullProgress tuples as the reference's PullEvents, and
PullSession (Sandbox.create_with_progress)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

from .types import PullEvent, PullEventType

# (stage, reference, manifest_digest, layer, layer_count, bytes, total_bytes).
ProgressTuple = tuple[str, str, str, int, int, int, int]

_STAGES = {
    "resolving": PullEventType.RESOLVING,
    "resolved": PullEventType.RESOLVED,
    "layer-bytes": PullEventType.LAYER_DOWNLOAD_PROGRESS,
    "layer-cached": PullEventType.LAYER_DOWNLOAD_COMPLETE,
    "extracting": PullEventType.LAYER_MATERIALIZE_STARTED,
    "layer-done": PullEventType.LAYER_MATERIALIZE_COMPLETE,
    "complete": PullEventType.COMPLETE,
}


def pull_event(progress: ProgressTuple) -> PullEvent:
    stage, reference, digest, layer, layer_count, done, total = progress
    event_type = _STAGES.get(stage, PullEventType.LAYER_DOWNLOAD_PROGRESS)
    if event_type is PullEventType.RESOLVED:
        return PullEvent(
            event_type,
            reference=reference,
            manifest_digest=digest,
            layer_count=layer_count,
            total_download_bytes=total,
        )
    if event_type is PullEventType.COMPLETE:
        return PullEvent(event_type, reference=reference, manifest_digest=digest,
                         layer_count=layer_count)
    if event_type is PullEventType.RESOLVING:
        return PullEvent(event_type, reference=reference)
    return PullEvent(
        event_type,
        reference=reference,
        manifest_digest=digest or None,
        layer_count=layer_count,
        layer_index=layer,
        downloaded_bytes=done,
        total_bytes=total or None,
    )


class ProgressFeed:
    """Pull events posted from the pulling threads to an asyncio queue; ends with None."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.queue: asyncio.Queue[Optional[PullEvent]] = asyncio.Queue()
        self.seen: set[PullEventType] = set()

    def post(self, event: Optional[PullEvent]) -> None:
        if event is not None:
            self.seen.add(event.event_type)
        try:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, event)
        except RuntimeError:
            pass

    def on_progress(self, progress: ProgressTuple) -> None:
        self.post(pull_event(progress))


class PullSession:
    """A create running in the background: its pull events, then its result."""

    def __init__(self, start: Callable[[ProgressFeed], Awaitable[Any]]) -> None:
        self._feed = ProgressFeed(asyncio.get_running_loop())
        self._task: asyncio.Task[Any] = asyncio.ensure_future(self._run(start))
        self._consumed = False

    async def _run(self, start: Callable[[ProgressFeed], Awaitable[Any]]) -> Any:
        try:
            return await start(self._feed)
        finally:
            self._feed.post(None)

    @property
    def progress(self) -> AsyncIterator[PullEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[PullEvent]:
        while True:
            event = await self._feed.queue.get()
            if event is None:
                return
            yield event

    async def result(self) -> Any:
        if self._consumed:
            raise RuntimeError("result() already consumed")
        self._consumed = True
        return await self._task

    async def __aenter__(self) -> "PullSession":
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._task.done():
            try:
                await self._task
            except Exception:
                pass
