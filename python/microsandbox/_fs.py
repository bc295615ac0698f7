"""sandbox.fs: files inside a running sandbox, by absolute guest path.

One native Fs is one agent connection serving one call at a time, so calls borrow one from
a small pool: concurrent calls run side by side, and a long read_stream does not hold up a
stat. Failures raise FilesystemError.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, AsyncIterator, Callable, Optional, TypeVar

from . import errors
from ._native import _POOL, native, translate
from .types import FsEntry, FsEntryKind, FsMetadata

T = TypeVar("T")

# Most chunks a read_stream keeps ahead of its reader (each up to the agent's chunk size).
_READ_AHEAD_CHUNKS = 16


def _kind(name: str) -> FsEntryKind:
    return {
        "file": FsEntryKind.FILE,
        "directory": FsEntryKind.DIRECTORY,
        "symlink": FsEntryKind.SYMLINK,
    }.get(name, FsEntryKind.OTHER)


def _check_path(path: object) -> str:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"path must be str, got {type(path).__name__}")
    return path


class _FsPool:
    def __init__(self, sandbox: Any) -> None:
        self._sandbox = sandbox
        self._idle: list[native.Fs] = []
        self._lock = threading.Lock()

    def run(self, fn: Callable[[native.Fs], T]) -> T:
        """On a pool thread: borrows a connection, calls fn(fs), returns it."""
        with self._lock:
            fs = self._idle.pop() if self._idle else None
        if fs is None:
            fs = self._sandbox.fs()
        result = fn(fs)  # a connection whose call raised is not given back
        with self._lock:
            if len(self._idle) < 4:
                self._idle.append(fs)
        return result


class FsReadStream:
    """A guest file in chunks: `async for chunk in stream`, or `await stream.collect()`."""

    def __init__(self, pool: _FsPool, path: str) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._room = threading.Semaphore(_READ_AHEAD_CHUNKS)
        self._stopped = False
        self._finished = False

        def sink(chunk: bytes) -> None:
            self._room.acquire()
            if self._stopped:
                raise errors.FilesystemError("read cancelled")
            self._post(("chunk", chunk))

        def read(fs: native.Fs) -> None:
            fs.read_stream(path, sink)

        def run() -> None:
            try:
                pool.run(read)
                self._post(("end", None))
            except BaseException as exc:  # posted to the reader, raised there
                self._post(("error", translate(exc, "fs")))

        _POOL.submit(run)

    def _post(self, item: tuple[str, Any]) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:
            pass

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        if self._finished:
            raise StopAsyncIteration
        kind, value = await self._queue.get()
        if kind == "chunk":
            self._room.release()
            return bytes(value)
        self._finished = True
        if kind == "error" and not self._stopped:
            raise value
        raise StopAsyncIteration

    async def collect(self) -> bytes:
        return b"".join([chunk async for chunk in self])

    def close(self) -> None:
        """Stops reading; the sandbox's read is cancelled."""
        self._stopped = True
        self._room.release()

    def __del__(self) -> None:
        if not getattr(self, "_finished", True):
            self._stopped = True
            self._room.release()


class FsWriteSink:
    """A guest file written in chunks; close() makes it durable and reports errors."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self._closed = False

    async def write(self, data: bytes) -> None:
        if self._closed:
            raise RuntimeError("write stream closed")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(data).__name__}")
        await _call(self._writer.write, bytes(data))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await _call(self._writer.close)

    async def __aenter__(self) -> "FsWriteSink":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def _call(fn: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_POOL, fn, *args)
    except native.NativeError as exc:
        raise translate(exc, "fs") from None


def _metadata(stat: dict[str, Any]) -> FsMetadata:
    return FsMetadata(
        kind=_kind(stat["kind"]),
        size=stat["size"],
        mode=stat["mode"],
        readonly=not (stat["mode"] & 0o222),
        modified=stat["mtime"],
        created=None,
    )


class SandboxFsOps:
    """Files inside the sandbox (absolute guest paths). Every method is awaitable."""

    def __init__(self, sandbox: Any) -> None:
        self._pool = _FsPool(sandbox)

    async def _run(self, fn: Callable[[native.Fs], T]) -> T:
        return await _call(self._pool.run, fn)

    async def read(self, path: str) -> bytes:
        p = _check_path(path)
        return bytes(await self._run(lambda fs: fs.read(p)))

    async def read_text(self, path: str) -> str:
        return (await self.read(path)).decode("utf-8")

    async def read_stream(self, path: str) -> FsReadStream:
        return FsReadStream(self._pool, _check_path(path))

    async def write(self, path: str, data: bytes | str) -> None:
        p = _check_path(path)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes, got {type(data).__name__}")
        payload = bytes(data)
        await self._run(lambda fs: fs.write(p, payload))

    async def write_stream(self, path: str) -> FsWriteSink:
        p = _check_path(path)
        return FsWriteSink(await self._run(lambda fs: fs.open_write(p)))

    async def list(self, path: str) -> list[FsEntry]:
        p = _check_path(path)
        entries = await self._run(lambda fs: fs.list(p))
        base = p.rstrip("/")
        return [
            FsEntry(
                path=f"{base}/{entry['name']}",
                kind=_kind(entry["kind"]),
                size=entry["size"],
                mode=entry["mode"],
                modified=entry["mtime"],
            )
            for entry in entries
        ]

    async def mkdir(self, path: str) -> None:
        p = _check_path(path)
        await self._run(lambda fs: fs.mkdir(p, True))

    async def remove(self, path: str) -> None:
        p = _check_path(path)
        await self._run(lambda fs: fs.remove(p))

    async def remove_dir(self, path: str) -> None:
        p = _check_path(path)
        await self._run(lambda fs: fs.remove_dir(p, True))

    async def copy(self, src: str, dst: str) -> None:
        s, d = _check_path(src), _check_path(dst)
        await self._run(lambda fs: fs.copy(s, d, True))

    async def rename(self, src: str, dst: str) -> None:
        s, d = _check_path(src), _check_path(dst)
        await self._run(lambda fs: fs.rename(s, d))

    async def stat(self, path: str) -> FsMetadata:
        p = _check_path(path)
        stat = await self._run(lambda fs: fs.stat(p))
        if not stat["exists"]:
            raise errors.FilesystemError(f"stat {p}: no such file or directory", kind="not-found")
        return _metadata(stat)

    async def exists(self, path: str) -> bool:
        p = _check_path(path)
        return bool(await self._run(lambda fs: fs.exists(p)))

    async def copy_from_host(self, host_path: str, guest_path: str) -> None:
        h, g = os.path.abspath(_check_path(host_path)), _check_path(guest_path)
        if not os.path.lexists(h):
            raise FileNotFoundError(h)
        await self._run(lambda fs: fs.copy_from_host(h, g))

    async def copy_to_host(self, guest_path: str, host_path: str) -> None:
        g, h = _check_path(guest_path), os.path.abspath(_check_path(host_path))
        await self._run(lambda fs: fs.copy_to_host(g, h))
