"""Running processes: ExecHandle (a live process), ExecOutput and ExecSink (its stdin).

Each process is driven by a native pump thread (python/src/exec_pump.h) that posts its
events to the event loop; commands (stdin, signal, resize, kill) are queued to the same
pump, so they work while a recv() waits.
"""

from __future__ import annotations

import asyncio
import signal as signals
from typing import Any, AsyncIterator, Optional

from . import errors
from ._native import call_sync, error_from_tuple
from .types import ExecEvent, ExecEventType

# (kind, pid, data, exit_code, signal, timed_out, error), see exec_pump.h.
_RawEvent = tuple[str, int, Any, int, int, bool, Optional[tuple[str, str, int]]]


def _exit_code(code: int, signal: int) -> int:
    """As a shell reports it: the exit code, or 128 + the signal that killed the process."""
    return 128 + signal if signal else code


class ExecOutput:
    """The result of a finished process. A non-zero exit is not an error."""

    __slots__ = ("_code", "_signal", "_stdout", "_stderr")

    def __init__(self, exit_code: int, stdout: bytes, stderr: bytes, signal: int = 0) -> None:
        self._code = exit_code
        self._signal = signal
        self._stdout = stdout
        self._stderr = stderr

    @property
    def exit_code(self) -> int:
        return self._code

    @property
    def signal(self) -> int:
        """The signal that killed the process, or 0."""
        return self._signal

    @property
    def success(self) -> bool:
        return self._code == 0 and self._signal == 0

    @property
    def stdout_bytes(self) -> bytes:
        return self._stdout

    @property
    def stderr_bytes(self) -> bytes:
        return self._stderr

    @property
    def stdout_text(self) -> str:
        return self._stdout.decode("utf-8", errors="replace")

    @property
    def stderr_text(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"ExecOutput(exit_code={self._code}, stdout={self._stdout[:60]!r}, stderr={self._stderr[:60]!r})"


class _Pumped:
    """What a pump posts: events in a queue, commands settled through futures."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[_RawEvent] = asyncio.Queue()
        self.pump: Any = None

    def on_event(self, event: _RawEvent) -> None:
        # Called on the pump thread; a closed loop means nobody listens any more.
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)
        except RuntimeError:
            pass

    def command(self, method: Any, *args: Any) -> "asyncio.Future[None]":
        future: asyncio.Future[None] = self.loop.create_future()

        def settle(error: Optional[tuple[str, str, int]]) -> None:
            if future.done():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error_from_tuple(error, "exec"))

        def done(error: Optional[tuple[str, str, int]]) -> None:
            try:
                self.loop.call_soon_threadsafe(settle, error)
            except RuntimeError:
                pass

        method(*args, done)
        return future


def start_pump(sandbox: Any, spec: dict[str, Any], collect: bool) -> _Pumped:
    """Starts the process: returns at once, the pump's own thread connects and sends."""
    pumped = _Pumped(asyncio.get_running_loop())
    pumped.pump = call_sync("exec", sandbox.exec_start, spec, pumped.on_event, collect)
    return pumped


def _kill_quietly(pumped: _Pumped) -> None:
    if pumped.pump is not None and not pumped.pump.finished:
        pumped.pump.signal(signals.SIGKILL, None)


async def run_collected(sandbox: Any, spec: dict[str, Any]) -> ExecOutput:
    """Sandbox.exec: the whole output at once. Cancelling it kills the process."""
    pumped = start_pump(sandbox, spec, collect=True)
    try:
        # Collect mode posts exactly one event: "collected" or "failed".
        kind, _pid, data, code, sig, timed_out, error = await pumped.queue.get()
    except BaseException:
        _kill_quietly(pumped)
        raise
    if kind == "failed" and error is not None:
        raise error_from_tuple(error, "exec")
    if timed_out:
        raise errors.ExecTimeoutError(
            f"command {spec['cmd']!r} timed out after {spec.get('timeout_ms')} ms")
    return ExecOutput(_exit_code(code, sig), data[0], data[1], sig)


class ExecSink:
    """A process's stdin. write() waits until the sandbox has taken the bytes."""

    def __init__(self, pumped: _Pumped) -> None:
        self._pumped = pumped
        self._closed = False

    async def write(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(data).__name__}")
        if self._closed:
            raise RuntimeError("write stream closed")
        await self._pumped.command(self._pumped.pump.write_stdin, bytes(data))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._pumped.command(self._pumped.pump.close_stdin)


class ExecHandle:
    """A running process: its events in order, and control over it.

    Dropping an unfinished handle kills the process (as the C++ ExecStream does).
    """

    def __init__(self, pumped: _Pumped, cmd: str, has_stdin: bool) -> None:
        self._pumped = pumped
        self._cmd = cmd
        self._stdin: Optional[ExecSink] = ExecSink(pumped) if has_stdin else None
        self._ended = False
        self._exit: Optional[tuple[int, int, bool]] = None  # (code, signal, timed_out)
        self._failure: Optional[BaseException] = None
        self._stdout = bytearray()
        self._stderr = bytearray()

    def __del__(self) -> None:
        pumped = getattr(self, "_pumped", None)
        if pumped is not None and not getattr(self, "_ended", True):
            try:
                _kill_quietly(pumped)
            except Exception:
                pass

    @property
    def id(self) -> str:
        """The process id in the sandbox, once it has started (else "")."""
        pid = self._pumped.pump.pid
        return str(pid) if pid else ""

    def take_stdin(self) -> Optional[ExecSink]:
        sink, self._stdin = self._stdin, None
        return sink

    async def recv(self) -> Optional[ExecEvent]:
        """The next event, or None once the process has ended."""
        while not self._ended:
            kind, pid, data, code, sig, timed_out, error = await self._pumped.queue.get()
            if kind == "started":
                return ExecEvent(ExecEventType.STARTED, pid=pid)
            if kind in ("stdout", "stderr"):
                # Room for more output in the pump (it holds the process back past 1 MiB).
                self._pumped.pump.consumed(len(data))
                if kind == "stdout":
                    self._stdout += data
                    return ExecEvent(ExecEventType.STDOUT, data=data)
                self._stderr += data
                return ExecEvent(ExecEventType.STDERR, data=data)
            if kind == "exited":
                self._exit = (_exit_code(code, sig), sig, timed_out)
                return ExecEvent(ExecEventType.EXITED, code=_exit_code(code, sig))
            if kind == "failed" and error is not None:
                self._failure = error_from_tuple(error, "exec")
                return ExecEvent(ExecEventType.FAILED, data=error[1].encode(), code=error[2])
            if kind == "end":
                self._ended = True
            # "stdin_closed" is not an event of the reference's API.
        return None

    def __aiter__(self) -> AsyncIterator[ExecEvent]:
        return self

    async def __anext__(self) -> ExecEvent:
        event = await self.recv()
        if event is None:
            raise StopAsyncIteration
        return event

    async def _drain(self) -> tuple[int, int]:
        try:
            while await self.recv() is not None:
                pass
        except BaseException:
            _kill_quietly(self._pumped)
            raise
        if self._failure is not None:
            raise self._failure
        if self._exit is None:
            raise errors.MicrosandboxError(f"command {self._cmd!r} ended without an exit status")
        code, sig, timed_out = self._exit
        if timed_out:
            raise errors.ExecTimeoutError(f"command {self._cmd!r} timed out")
        return code, sig

    async def wait(self) -> tuple[int, bool]:
        """Waits for the exit: (exit code, success). Output not read yet is dropped."""
        code, sig = await self._drain()
        return code, code == 0 and sig == 0

    async def collect(self) -> ExecOutput:
        """Reads every remaining event; the output includes what recv() already returned."""
        code, sig = await self._drain()
        return ExecOutput(code, bytes(self._stdout), bytes(self._stderr), sig)

    async def signal(self, sig: int) -> None:
        """Sends `sig` to the process group."""
        if not isinstance(sig, int):
            raise TypeError(f"expected int, got {type(sig).__name__}")
        await self._pumped.command(self._pumped.pump.signal, int(sig))

    async def kill(self) -> None:
        await self.signal(signals.SIGKILL)

    async def resize(self, rows: int, cols: int) -> None:
        """The terminal size of a TTY process."""
        if rows <= 0 or cols <= 0:
            raise ValueError("rows and cols must be positive")
        await self._pumped.command(self._pumped.pump.resize, rows, cols)


async def start_stream(sandbox: Any, spec: dict[str, Any]) -> ExecHandle:
    """Returns once the request is sent; a sandbox that does not run raises here."""
    pumped = start_pump(sandbox, spec, collect=False)
    try:
        kind, _pid, _data, _code, _sig, _timed_out, error = await pumped.queue.get()
    except BaseException:
        _kill_quietly(pumped)
        raise
    if kind == "failed" and error is not None:
        raise error_from_tuple(error, "exec")
    has_stdin = spec.get("stdin") == "pipe" or bool(spec.get("tty"))
    return ExecHandle(pumped, spec["cmd"], has_stdin)
