"""Sandbox: the reference's lifecycle and exec API over the C++ SDK.

Arguments are checked when a method is called, before anything is awaited: the methods
that take arguments are plain functions that check them and return a coroutine.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import time
from typing import Any, Awaitable, Mapping, Optional, Sequence

from . import errors
from ._exec import ExecHandle, ExecOutput, run_collected, start_stream
from ._fs import SandboxFsOps
from ._lifecycle import (AwaitableBool, AwaitableName, SandboxStopResult, check_log_args,
                         check_timeout, read_logs, stop_result, wait_stopped)
from ._native import _POOL, call, native, submit, translate
from ._pull import ProgressFeed, PullSession
from ._sandbox_handle import SandboxHandle, SandboxPage
from ._specs import check_name, create_spec, exec_spec, shell_spec
from .types import LogEntry, LogReadSource, PullEvent, PullEventType, SandboxStatus


def _kill_and_remove(sandbox: Any) -> None:
    """What a cancelled create made: killed and removed (on a pool thread)."""
    name = sandbox.name
    try:
        sandbox.kill()
    except native.NativeError:
        pass
    deadline = time.monotonic() + 10
    while True:
        try:
            native.remove_sandbox(name)
            return
        except native.NativeError as exc:
            if exc.args[0] == "not-found" or time.monotonic() > deadline:
                return
            time.sleep(0.05)


def _image_reference(spec: Mapping[str, Any]) -> Optional[str]:
    image = spec.get("image")
    return image if isinstance(image, str) else None


def _synthesize_progress(feed: ProgressFeed, spec: Mapping[str, Any]) -> None:
    """A create that pulled nothing (a cached image) still reports resolving, resolved and
    complete, as the reference does: the image was resolved, locally."""
    if PullEventType.RESOLVING not in feed.seen:
        reference = _image_reference(spec) or spec.get("rootfs_dir") or spec.get("from_snapshot")
        feed.post(PullEvent(PullEventType.RESOLVING, reference=reference))
        info: Optional[dict[str, Any]] = None
        if _image_reference(spec):
            try:
                info = native.image_get(spec["image"])
            except native.NativeError:
                info = None
        feed.post(PullEvent(
            PullEventType.RESOLVED,
            reference=(info["references"][0] if info and info["references"] else reference),
            manifest_digest=info["manifest_digest"] if info else None,
            layer_count=info["layer_count"] if info else 0,
            total_download_bytes=0,
        ))
    if PullEventType.COMPLETE not in feed.seen:
        feed.post(PullEvent(PullEventType.COMPLETE, reference=_image_reference(spec)))


async def _create(name: str, spec: dict[str, Any], feed: Optional[ProgressFeed]) -> "Sandbox":
    loop = asyncio.get_running_loop()

    def create() -> Any:
        made = native.create(name, spec, feed.on_progress if feed else None)
        if feed is not None:
            _synthesize_progress(feed, spec)
        return made

    future = loop.run_in_executor(_POOL, create)
    try:
        made = await asyncio.shield(future)
    except asyncio.CancelledError:
        # The C++ create cannot be interrupted: let it finish, then undo it.
        try:
            made = await future
        except BaseException:
            raise asyncio.CancelledError() from None
        await loop.run_in_executor(_POOL, _kill_and_remove, made)
        raise
    except native.NativeError as exc:
        raise translate(exc, "sandbox") from None
    return Sandbox._wrap(made, spec.get("shell"))


class Sandbox:
    """A running sandbox. Create with `await Sandbox.create(name, image=...)`.

    `async with sandbox:` kills and removes it on exit.
    """

    def __init__(self) -> None:
        raise TypeError("use Sandbox.create(), Sandbox.start() or SandboxHandle.connect()")

    @classmethod
    def _wrap(cls, handle: Any, shell: Optional[str] = None) -> "Sandbox":
        sandbox = cls.__new__(cls)
        sandbox._native = handle
        sandbox._name = AwaitableName(handle.name)
        sandbox._shell = shell
        sandbox._consumed = False
        sandbox._fs = SandboxFsOps(handle)
        return sandbox

    _native: Any
    _name: AwaitableName
    _shell: Optional[str]
    _consumed: bool
    _fs: SandboxFsOps

    # --- static ---------------------------------------------------------------------------

    @staticmethod
    def create(name: str, **kwargs: Any) -> Awaitable["Sandbox"]:
        spec = create_spec(name, kwargs)
        return _create(check_name(name), spec, None)

    @staticmethod
    def create_with_progress(name: str, **kwargs: Any) -> PullSession:
        spec = create_spec(name, kwargs)
        checked = check_name(name)
        return PullSession(lambda feed: _create(checked, spec, feed))

    @staticmethod
    def start(name: str, *, detached: bool = False) -> Awaitable["Sandbox"]:
        checked = check_name(name)

        async def start() -> Sandbox:
            return Sandbox._wrap(await call("sandbox", native.start, checked, bool(detached)))

        return start()

    @staticmethod
    def get(name: str) -> Awaitable["SandboxHandle"]:
        checked = check_name(name)

        async def get() -> SandboxHandle:
            return SandboxHandle(await call("sandbox", native.get_sandbox, checked))

        return get()

    @staticmethod
    def list() -> Awaitable[SandboxPage]:
        return Sandbox.list_with()

    @staticmethod
    def list_with(*, cursor: Optional[str] = None, limit: Optional[int] = None,
                  labels: Optional[Mapping[str, str]] = None) -> Awaitable[SandboxPage]:
        if labels is not None and not isinstance(labels, Mapping):
            raise TypeError("labels must be a Mapping")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError("limit must be an int")
        label_map = {str(k): str(v) for k, v in (labels or {}).items()}

        async def list_page() -> SandboxPage:
            rows, next_cursor = await call("sandbox", native.list_sandboxes, label_map,
                                           limit if limit is not None else 100, cursor or "")
            return SandboxPage([SandboxHandle(row) for row in rows], next_cursor or None)

        return list_page()

    @staticmethod
    def remove(name: str) -> Awaitable[None]:
        checked = check_name(name)
        return call("sandbox", native.remove_sandbox, checked)

    # --- properties -----------------------------------------------------------------------

    def _check(self) -> Any:
        if self._consumed:
            raise RuntimeError("sandbox has been consumed")
        return self._native

    @property
    def name(self) -> AwaitableName:
        return self._name

    @property
    def owns_lifecycle(self) -> AwaitableBool:
        return AwaitableBool(not self._consumed and bool(self._native.owns_lifecycle()))

    @property
    def fs(self) -> SandboxFsOps:
        self._check()
        return self._fs

    @property
    def backend_kind(self) -> str:
        return "local"

    # --- exec -----------------------------------------------------------------------------

    @staticmethod
    def _options(cwd: Any, user: Any, env: Any, timeout: Any, stdin: Any, tty: Any,
                 rlimits: Any) -> dict[str, Any]:
        return {"cwd": cwd, "user": user, "env": env, "timeout": timeout, "stdin": stdin,
                "tty": tty, "rlimits": rlimits}

    def exec(self, cmd: str, args: Any = None, *, cwd: Optional[str] = None,
             user: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
             timeout: Optional[float] = None, stdin: Any = None, tty: bool = False,
             rlimits: Any = None) -> Awaitable[ExecOutput]:
        handle = self._check()
        spec = exec_spec(cmd, args, self._options(cwd, user, env, timeout, stdin, tty, rlimits))
        return run_collected(handle, spec)

    def exec_stream(self, cmd: str, args: Any = None, *, cwd: Optional[str] = None,
                    user: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
                    timeout: Optional[float] = None, stdin: Any = None, tty: bool = False,
                    rlimits: Any = None) -> Awaitable[ExecHandle]:
        handle = self._check()
        spec = exec_spec(cmd, args, self._options(cwd, user, env, timeout, stdin, tty, rlimits))
        return start_stream(handle, spec)

    async def _shell_path(self) -> str:
        if self._shell is None:
            info = await call("sandbox", native.get_sandbox, str(self._name))
            self._shell = json.loads(info["config_json"]).get("shell") or "/bin/sh"
        return self._shell or "/bin/sh"

    def shell(self, script: str, *, cwd: Optional[str] = None, user: Optional[str] = None,
              env: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None,
              stdin: Any = None, tty: bool = False, rlimits: Any = None) -> Awaitable[ExecOutput]:
        handle = self._check()
        options = self._options(cwd, user, env, timeout, stdin, tty, rlimits)
        shell_spec("/bin/sh", script, options)  # checks the arguments now

        async def run() -> ExecOutput:
            return await run_collected(handle, shell_spec(await self._shell_path(), script, options))

        return run()

    def shell_stream(self, script: str, *, cwd: Optional[str] = None,
                     user: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
                     timeout: Optional[float] = None, stdin: Any = None, tty: bool = False,
                     rlimits: Any = None) -> Awaitable[ExecHandle]:
        handle = self._check()
        options = self._options(cwd, user, env, timeout, stdin, tty, rlimits)
        shell_spec("/bin/sh", script, options)

        async def run() -> ExecHandle:
            return await start_stream(handle, shell_spec(await self._shell_path(), script, options))

        return run()

    async def _default_command(self) -> builtins.list[str]:
        info = await call("sandbox", native.get_sandbox, str(self._name))
        config = json.loads(info["config_json"])
        entrypoint = list(config.get("entrypoint") or [])
        cmd = list(config.get("cmd") or [])
        if not entrypoint and not cmd and info.get("image"):
            try:
                detail = await call("image", native.image_inspect, info["image"])
                entrypoint, cmd = list(detail["entrypoint"]), list(detail["cmd"])
            except errors.MicrosandboxError:
                pass
        argv = entrypoint + cmd
        if not argv:
            raise errors.NoDefaultCommandError(
                f"sandbox {str(self._name)!r} has no default command (no ENTRYPOINT or CMD)")
        return argv

    def exec_default(self, *, cwd: Optional[str] = None, user: Optional[str] = None,
                     env: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None,
                     stdin: Any = None, tty: bool = False,
                     rlimits: Any = None) -> Awaitable[ExecOutput]:
        handle = self._check()
        options = self._options(cwd, user, env, timeout, stdin, tty, rlimits)
        exec_spec("true", None, options)

        async def run() -> ExecOutput:
            argv = await self._default_command()
            return await run_collected(handle, exec_spec(argv[0], argv[1:], options))

        return run()

    def exec_default_stream(self, *, cwd: Optional[str] = None, user: Optional[str] = None,
                            env: Optional[Mapping[str, str]] = None,
                            timeout: Optional[float] = None, stdin: Any = None,
                            tty: bool = False, rlimits: Any = None) -> Awaitable[ExecHandle]:
        handle = self._check()
        options = self._options(cwd, user, env, timeout, stdin, tty, rlimits)
        exec_spec("true", None, options)

        async def run() -> ExecHandle:
            argv = await self._default_command()
            return await start_stream(handle, exec_spec(argv[0], argv[1:], options))

        return run()

    def attach(self, cmd: str, args: Optional[Sequence[str]] = None, *,
               cwd: Optional[str] = None, user: Optional[str] = None,
               env: Optional[Mapping[str, str]] = None,
               detach_keys: Optional[str] = None) -> Awaitable[int]:
        """Runs `cmd` on this process's terminal; returns its status (128 + signal)."""
        handle = self._check()
        spec = exec_spec(cmd, list(args) if args is not None else None,
                         self._options(cwd, user, env, None, None, False, None))
        options: dict[str, Any] = {"env": spec["env"], "cwd": spec["cwd"], "user": spec["user"]}
        if detach_keys is not None:
            options["detach_keys"] = detach_keys

        async def run() -> int:
            _detached, _code, _signal, status = await call(
                "exec", handle.attach, spec["cmd"], spec["args"], options)
            return int(status)

        return run()

    def attach_shell(self) -> Awaitable[int]:
        handle = self._check()

        async def run() -> int:
            *_, status = await call("exec", handle.attach, await self._shell_path(), [], {})
            return int(status)

        return run()

    def attach_default(self, *, cwd: Optional[str] = None, user: Optional[str] = None,
                       env: Optional[Mapping[str, str]] = None,
                       detach_keys: Optional[str] = None) -> Awaitable[int]:
        self._check()

        async def run() -> int:
            argv = await self._default_command()
            return await self.attach(argv[0], argv[1:], cwd=cwd, user=user, env=env,
                                     detach_keys=detach_keys)

        return run()

    # --- lifecycle ------------------------------------------------------------------------

    def stop(self, timeout: Optional[float] = None) -> Awaitable[None]:
        """Shuts the sandbox down and waits; SIGKILL after `timeout` seconds (default 10)."""
        handle = self._check()
        seconds = check_timeout(timeout)
        ms = int((10.0 if seconds is None else seconds) * 1000)
        return call("sandbox", handle.stop_and_wait, ms)

    def kill(self, timeout: Optional[float] = None) -> Awaitable[None]:
        handle = self._check()
        seconds = check_timeout(timeout)

        async def kill() -> None:
            await call("sandbox", handle.kill)
            await wait_stopped(str(self._name), seconds)

        return kill()

    async def request_stop(self) -> None:
        await call("sandbox", self._check().stop)

    async def request_kill(self) -> None:
        handle = self._check()
        submit(handle.kill)

    async def request_drain(self) -> None:
        await call("sandbox", self._check().drain)

    async def drain(self) -> None:
        await call("sandbox", self._check().drain)

    async def wait_until_stopped(self) -> SandboxStopResult:
        handle = self._check()
        if handle.owns_lifecycle():
            return stop_result(await call("sandbox", handle.wait), "wait")
        return stop_result(await wait_stopped(str(self._name), None), "poll")

    async def wait(self) -> tuple[int, bool]:
        result = await self.wait_until_stopped()
        return (0, True) if result.status is SandboxStatus.STOPPED else (1, False)

    async def stop_and_wait(self) -> tuple[int, bool]:
        await self.stop()
        info = await wait_stopped(str(self._name), None)
        ok = info["status"] == "stopped"
        return (0 if ok else 1), ok

    async def detach(self) -> None:
        handle = self._check()
        await call("sandbox", handle.detach)
        self._consumed = True

    async def remove_persisted(self) -> None:
        await call("sandbox", self._check().remove_persisted)

    # --- logs and what is not here yet ----------------------------------------------------

    def logs(self, tail: Optional[int] = None, since_ms: Optional[float] = None,
             until_ms: Optional[float] = None,
             sources: Optional[Sequence[LogReadSource]] = None) -> Awaitable[builtins.list[LogEntry]]:
        wanted = check_log_args(tail, since_ms, until_ms, sources)
        return read_logs(str(self._name), tail, since_ms, until_ms, wanted)

    async def ping(self) -> Any:
        raise errors.not_supported_yet("ping")

    async def touch(self) -> Any:
        raise errors.not_supported_yet("touch")

    async def metrics(self) -> Any:
        raise errors.not_supported_yet("metrics")

    async def metrics_stream(self, interval: float = 1.0) -> Any:
        raise errors.not_supported_yet("metrics")

    async def log_stream(self, sources: Any = None, since_ms: Any = None, from_cursor: Any = None,
                         until_ms: Any = None, follow: bool = False) -> Any:
        raise errors.not_supported_yet("log_stream")

    async def modify(self, **kwargs: Any) -> Any:
        raise errors.not_supported_yet("modify")

    def ssh(self) -> Any:
        raise errors.not_supported_yet("ssh")

    async def __aenter__(self) -> "Sandbox":
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._consumed:
            return
        name = str(self._name)
        try:
            await call("sandbox", self._native.kill)
        except errors.MicrosandboxError:
            pass
        try:
            await call("sandbox", native.remove_sandbox, name)
        except errors.SandboxNotFoundError:
            pass

    def __repr__(self) -> str:
        return f"Sandbox(name={str(self._name)!r})"
