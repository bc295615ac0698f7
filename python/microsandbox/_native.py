"""The native module, where the runtime lives, and how blocking calls leave the event loop.

Every blocking call of the C++ SDK runs on this package's own thread pool with the GIL
released. asyncio's default executor has only ``cpus + 4`` threads, so fifty concurrent
creates or file reads would queue behind each other there.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
from typing import Any, Callable, Optional, TypeVar

from . import errors
from ._runtime import configure, missing_runtime_hint

try:
    from . import _microsandbox
except ImportError as exc:  # pragma: no cover - a broken install
    raise ImportError(
        "microsandbox: the native module _microsandbox is missing or does not load "
        f"({exc}). Build and install the package with scripts/setup.sh (or "
        "`pip install --no-build-isolation ./python` after the C++ build)."
    ) from exc

native = _microsandbox

T = TypeVar("T")


RUNTIME_DIR = configure()


_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="microsandbox")


def _shutdown() -> None:
    native._shutdown()
    _POOL.shutdown(wait=False, cancel_futures=True)


atexit.register(_shutdown)


def translate(exc: BaseException, context: str) -> BaseException:
    """A NativeError as the package's exception class for `context`; others unchanged."""
    if isinstance(exc, native.NativeError) and len(exc.args) == 3:
        kind, message, errno = exc.args
        if kind == "not-found" and "msb-runtime" in message and RUNTIME_DIR is None:
            message = f"{message}. {missing_runtime_hint()}"
        return errors.translate(kind, message, errno, context)
    return exc


def error_from_tuple(error: tuple[str, str, int], context: str) -> errors.MicrosandboxError:
    kind, message, errno = error
    return errors.translate(kind, message, errno, context)


def call_sync(context: str, fn: Callable[..., T], *args: Any) -> T:
    """Calls a native function here and now, translating its errors."""
    try:
        return fn(*args)
    except native.NativeError as exc:
        raise translate(exc, context) from None


async def call(context: str, fn: Callable[..., T], *args: Any) -> T:
    """Runs a blocking native call on the pool and awaits it, translating its errors."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_POOL, fn, *args)
    except native.NativeError as exc:
        raise translate(exc, context) from None


def submit(fn: Callable[..., T], *args: Any) -> "concurrent.futures.Future[T]":
    """Starts a blocking call on the pool without awaiting it."""
    return _POOL.submit(fn, *args)
