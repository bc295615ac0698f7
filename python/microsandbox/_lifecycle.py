"""Helpers of Sandbox and SandboxHandle: waiting for a stop, stop results, logs, and the
awaitable name and flag the reference's properties return."""

from __future__ import annotations

import asyncio
import builtins
import math
import time
from dataclasses import dataclass
from typing import Any, Generator, Optional, Sequence

from . import errors
from ._native import call, native
from .types import LogEntry, LogReadSource, LogSource, SandboxStatus


class AwaitableName(str):
    """The sandbox name: a str that can also be awaited (`await sb.name`, as the reference)."""

    def __await__(self) -> Generator[Any, None, str]:
        if False:  # pragma: no cover - makes this a generator
            yield None
        return str(self)


class AwaitableBool:
    def __init__(self, value: bool) -> None:
        self._value = value

    def __await__(self) -> Generator[Any, None, bool]:
        if False:  # pragma: no cover
            yield None
        return self._value

    def __bool__(self) -> bool:
        return self._value


def check_timeout(timeout: object, what: str = "timeout") -> Optional[float]:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{what} must be a number of seconds")
    if not math.isfinite(timeout) or timeout < 0:
        raise ValueError(f"{what} must be finite and non-negative")
    return float(timeout)


def status_of(name: str) -> SandboxStatus:
    try:
        return SandboxStatus(name)
    except ValueError:
        return SandboxStatus.CRASHED


@dataclass(frozen=True, slots=True)
class SandboxStopResult:
    name: str
    status: SandboxStatus
    exit_code: Optional[int]
    signal: Optional[int]
    observed_at: float
    source: Optional[str] = None




async def wait_stopped(name: str, timeout: Optional[float]) -> dict[str, Any]:
    """Polls the record until the sandbox is no longer running (or `timeout` passes)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            info = await call("sandbox", native.get_sandbox, name)
        except errors.SandboxNotFoundError:
            # An ephemeral sandbox is removed as it stops.
            return {"name": name, "status": "stopped"}
        if info["status"] in ("stopped", "crashed"):
            return info
        if deadline is not None and time.monotonic() >= deadline:
            raise errors.MicrosandboxError(f"sandbox {name!r} did not stop within {timeout} s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.25)


def stop_result(info: dict[str, Any], source: Optional[str] = None) -> SandboxStopResult:
    status = status_of(info["status"])
    return SandboxStopResult(
        name=info["name"],
        status=status,
        exit_code=None if status is SandboxStatus.CRASHED else 0,
        signal=None,
        observed_at=time.time() * 1000.0,
        source=source,
    )


def _log_entries(raw: builtins.list[tuple[float, str, str, int, bytes]],
                 sources: Sequence[LogReadSource]) -> builtins.list[LogEntry]:
    wanted = set(sources)
    every = LogReadSource.ALL in wanted
    entries = []
    for index, (at, origin, stream, session, data) in enumerate(raw):
        if origin == "exec" and stream in ("stdout", "stderr"):
            source = LogSource(stream)
        else:
            source = LogSource.SYSTEM
        if not every and LogReadSource(source.value) not in wanted:
            continue
        entries.append(LogEntry(timestamp_ms=at, source=source, cursor=str(index), data=data,
                                session_id=str(session) if session else None))
    return entries


def check_log_args(tail: object, since_ms: object, until_ms: object,
                    sources: object) -> builtins.list[LogReadSource]:
    if tail is not None and (isinstance(tail, bool) or not isinstance(tail, int) or tail < 0):
        raise ValueError("tail must be a non-negative int")
    for value, what in ((since_ms, "since_ms"), (until_ms, "until_ms")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TypeError(f"{what} must be a number of milliseconds")
    if sources is None:
        return [LogReadSource.STDOUT, LogReadSource.STDERR]
    checked = []
    for source in sources:  # type: ignore[attr-defined]
        if not isinstance(source, LogReadSource):
            raise TypeError(f"expected LogReadSource, got {type(source).__name__}")
        checked.append(source)
    return checked


async def read_logs(name: str, tail: Optional[int], since_ms: Optional[float],
                     until_ms: Optional[float], sources: builtins.list[LogReadSource]) -> builtins.list[LogEntry]:
    def read() -> Any:
        handle = native.connect(name)
        return handle.logs(None, since_ms, until_ms, [])

    raw = await call("sandbox", read)
    entries = _log_entries(raw, sources)
    if tail is None:
        return entries
    return entries[len(entries) - tail:] if tail else []
