"""SandboxHandle: a sandbox as recorded (Sandbox.get / Sandbox.list), and SandboxPage."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Optional, Sequence

from . import errors
from ._lifecycle import (SandboxStopResult, check_log_args, check_timeout, read_logs, status_of,
                         stop_result, wait_stopped)
from ._native import call, native, submit
from .types import LogEntry, LogReadSource, SandboxStatus

if TYPE_CHECKING:
    from ._sandbox import Sandbox


@dataclass(frozen=True, slots=True)
class SandboxPage:
    sandboxes: builtins.list["SandboxHandle"]
    next_cursor: Optional[str]


class SandboxHandle:
    """A sandbox as recorded when it was read (Sandbox.get / Sandbox.list)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self._info = info

    @property
    def name(self) -> str:
        return str(self._info["name"])

    @property
    def status(self) -> SandboxStatus:
        return status_of(self._info["status"])

    @property
    def config_json(self) -> str:
        return str(self._info["config_json"])

    def config(self) -> dict[str, Any]:
        return dict(json.loads(self._info["config_json"]))

    @property
    def created_at(self) -> float:
        return float(self._info["created_at"])

    @property
    def updated_at(self) -> float:
        return float(self._info["updated_at"])

    @property
    def backend_kind(self) -> str:
        return "local"

    @property
    def labels(self) -> dict[str, str]:
        return dict(self._info["labels"])

    @property
    def image(self) -> str:
        return str(self._info["image"])

    @property
    def isolation(self) -> str:
        return str(self._info["isolation"])

    @property
    def last_error(self) -> str:
        return str(self._info["last_error"])

    async def refresh(self) -> None:
        self._info = await call("sandbox", native.get_sandbox, self.name)

    def connect(self, timeout: Optional[float] = None) -> Awaitable[Sandbox]:
        check_timeout(timeout)

        from ._sandbox import Sandbox

        async def connect() -> Sandbox:
            return Sandbox._wrap(await call("sandbox", native.connect, self.name))

        return connect()

    def start(self, *, detached: bool = False) -> Awaitable[Sandbox]:
        from ._sandbox import Sandbox

        return Sandbox.start(self.name, detached=detached)

    def stop(self, timeout: Optional[float] = None) -> Awaitable[None]:
        seconds = check_timeout(timeout)

        async def stop() -> None:
            handle = await call("sandbox", native.connect, self.name)
            await call("sandbox", handle.stop_and_wait, int((seconds or 10.0) * 1000))

        return stop()

    def kill(self, timeout: Optional[float] = None) -> Awaitable[None]:
        seconds = check_timeout(timeout)

        async def kill() -> None:
            handle = await call("sandbox", native.connect, self.name)
            await call("sandbox", handle.kill)
            await wait_stopped(self.name, seconds)

        return kill()

    async def request_stop(self) -> None:
        handle = await call("sandbox", native.connect, self.name)
        await call("sandbox", handle.stop)

    async def request_kill(self) -> None:
        handle = await call("sandbox", native.connect, self.name)
        submit(handle.kill)

    async def request_drain(self) -> None:
        handle = await call("sandbox", native.connect, self.name)
        await call("sandbox", handle.drain)

    async def wait_until_stopped(self) -> SandboxStopResult:
        return stop_result(await wait_stopped(self.name, None), "poll")

    async def remove(self) -> None:
        await call("sandbox", native.remove_sandbox, self.name)

    def snapshot(self, name: str) -> Awaitable[Any]:
        from ._snapshot import Snapshot

        return Snapshot.create(name, from_sandbox=self.name)

    def logs(self, tail: Optional[int] = None, since_ms: Optional[float] = None,
             until_ms: Optional[float] = None,
             sources: Optional[Sequence[LogReadSource]] = None) -> Awaitable[builtins.list[LogEntry]]:
        wanted = check_log_args(tail, since_ms, until_ms, sources)
        return read_logs(self.name, tail, since_ms, until_ms, wanted)

    async def ping(self) -> Any:
        raise errors.not_supported_yet("ping")

    async def touch(self) -> Any:
        raise errors.not_supported_yet("touch")

    async def metrics(self) -> Any:
        raise errors.not_supported_yet("metrics")

    async def modify(self, **kwargs: Any) -> Any:
        raise errors.not_supported_yet("modify")

    async def log_stream(self, **kwargs: Any) -> Any:
        raise errors.not_supported_yet("log_stream")

    def __repr__(self) -> str:
        return f"SandboxHandle(name={self.name!r}, status={self.status.value!r})"
