"""Sandbox lifecycle: create, get, list, stop, start, kill, remove, detach, cancel."""

from __future__ import annotations

import asyncio

import pytest

import microsandbox as msb
from integration_support import ENGINE, SLOW, create_kwargs, our_processes, unique
from microsandbox import PullEventType, Sandbox, SandboxStatus


async def test_create_get_list_and_name(sandboxes):
    sb = await sandboxes.create("life", labels={"suite": "py", "role": "a"})
    name = await sb.name
    assert isinstance(name, str) and name.startswith("life-")
    assert str(sb.name) == name
    assert await sb.owns_lifecycle is True
    assert sb.backend_kind == "local"

    handle = await Sandbox.get(name)
    assert handle.name == name
    assert handle.status is SandboxStatus.RUNNING
    assert handle.labels == {"suite": "py", "role": "a"}
    assert handle.image == "base"
    assert handle.created_at > 1.6e12  # ms since the epoch

    names = [h.name for h in (await Sandbox.list()).sandboxes]
    assert name in names


async def test_list_with_labels_is_anded(sandboxes):
    tag = unique("lbl")
    a = await sandboxes.create("la", labels={"grp": tag, "x": "1"})
    b = await sandboxes.create("lb", labels={"grp": tag, "x": "2"})
    both = {h.name for h in (await Sandbox.list_with(labels={"grp": tag})).sandboxes}
    assert both == {await a.name, await b.name}
    only_b = [h.name for h in (await Sandbox.list_with(labels={"grp": tag, "x": "2"})).sandboxes]
    assert only_b == [await b.name]
    assert (await Sandbox.list_with(labels={"grp": tag, "x": "3"})).sandboxes == []


async def test_stop_start_kill_remove(sandboxes):
    sb = await sandboxes.create("ssk")
    name = await sb.name
    await sb.fs.write("/root/kept.txt", b"persisted")
    await sb.stop(timeout=30 * SLOW)
    assert (await Sandbox.get(name)).status is SandboxStatus.STOPPED

    started = await Sandbox.start(name)
    assert await started.owns_lifecycle is True
    assert (await Sandbox.get(name)).status is SandboxStatus.RUNNING
    assert await started.fs.read("/root/kept.txt") == b"persisted"
    assert (await started.exec("echo", ["again"])).stdout_text == "again\n"

    with pytest.raises(msb.SandboxStillRunningError):
        await Sandbox.remove(name)

    await started.kill(timeout=30 * SLOW)
    assert (await Sandbox.get(name)).status in (SandboxStatus.STOPPED, SandboxStatus.CRASHED)
    await Sandbox.remove(name)
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.get(name)


async def test_unknown_sandbox_raises_not_found():
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.get(unique("nope"))
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.remove(unique("nope"))
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.start(unique("nope"))


async def test_async_with_kills_and_removes(sandboxes):
    name = sandboxes.name("ctx")
    with pytest.raises(ZeroDivisionError):  # the exception is not suppressed
        async with await Sandbox.create(name, **create_kwargs()) as sb:
            assert (await sb.exec("echo", ["in"])).stdout_text == "in\n"
            1 / 0
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.get(name)


async def test_duplicate_name_and_replace(sandboxes):
    first = await sandboxes.create("dup")
    name = await first.name
    await first.fs.write("/root/marker", b"first")
    with pytest.raises(msb.SandboxAlreadyExistsError):
        await Sandbox.create(name, **create_kwargs())
    # The failed create left the running one alone.
    assert await first.fs.read("/root/marker") == b"first"

    second = await Sandbox.create(name, **create_kwargs(replace=True))
    assert (await Sandbox.get(name)).status is SandboxStatus.RUNNING
    assert not await second.fs.exists("/root/marker")
    assert (await second.exec("echo", ["second"])).stdout_text == "second\n"


async def test_detach_consumes_the_object(sandboxes):
    sb = await sandboxes.create("det")
    name = await sb.name
    await sb.detach()
    assert await sb.owns_lifecycle is False
    with pytest.raises(RuntimeError, match="sandbox has been consumed"):
        await sb.exec("true")
    with pytest.raises(RuntimeError, match="sandbox has been consumed"):
        sb.fs  # noqa: B018
    with pytest.raises(RuntimeError, match="sandbox has been consumed"):
        await sb.stop()

    # Still running; reachable again through a handle, which does not own it.
    handle = await Sandbox.get(name)
    assert handle.status is SandboxStatus.RUNNING
    again = await handle.connect()
    assert await again.owns_lifecycle is False
    assert (await again.exec("echo", ["back"])).stdout_text == "back\n"
    await handle.kill(timeout=30 * SLOW)
    await handle.remove()
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.get(name)


async def test_cancelled_create_removes_its_sandbox(sandboxes):
    name = sandboxes.name("cancel")
    task = asyncio.ensure_future(Sandbox.create(name, **create_kwargs()))
    await asyncio.sleep(0.01)  # the create is under way on a pool thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(msb.SandboxNotFoundError):
        await Sandbox.get(name)


async def test_create_with_progress_on_cached_base(sandboxes):
    name = sandboxes.name("prog")
    session = Sandbox.create_with_progress(name, **create_kwargs())
    events = [event async for event in session.progress]
    kinds = [event.event_type for event in events]
    assert kinds[0] is PullEventType.RESOLVING
    assert PullEventType.RESOLVED in kinds
    assert kinds[-1] is PullEventType.COMPLETE
    assert kinds.index(PullEventType.RESOLVED) < len(kinds) - 1
    sb = await session.result()
    assert await sb.name == name
    assert (await sb.exec("echo", ["made"])).stdout_text == "made\n"
    with pytest.raises(RuntimeError, match="result\\(\\) already consumed"):
        await session.result()


async def test_create_argument_errors_before_any_await():
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        Sandbox.create("x", image="base", bogus=1)
    with pytest.raises(ValueError, match="image= or from_snapshot= is required"):
        Sandbox.create("x")
    with pytest.raises(ValueError, match="not both"):
        Sandbox.create("x", image="base", from_snapshot="s")
    with pytest.raises(TypeError, match="labels must be a Mapping"):
        Sandbox.create("x", image="base", labels=[("a", "b")])


async def test_wait_until_stopped_after_stop(sandboxes):
    sb = await sandboxes.create("waitstop")
    await sb.stop(timeout=30 * SLOW)
    result = await sb.wait_until_stopped()
    assert result.status is SandboxStatus.STOPPED and result.name == await sb.name


async def test_exec_on_stopped_sandbox_raises_not_running(sandboxes):
    sb = await sandboxes.create("stopped")
    await sb.stop(timeout=30 * SLOW)
    for call in (lambda: sb.exec("true"), lambda: sb.shell("true"),
                 lambda: sb.exec_stream("true")):
        with pytest.raises(msb.SandboxNotRunningError):
            await call()


async def test_list_pagination(sandboxes):
    tag = unique("page")
    made = {await (await sandboxes.create("pg", labels={"page": tag})).name for _ in range(3)}
    seen, cursor = [], None
    for _ in range(5):
        page = await Sandbox.list_with(labels={"page": tag}, limit=1, cursor=cursor)
        assert len(page.sandboxes) <= 1
        seen += [h.name for h in page.sandboxes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)


async def test_start_detached_does_not_own(sandboxes):
    sb = await sandboxes.create("sdet")
    name = await sb.name
    await sb.stop(timeout=30 * SLOW)
    again = await Sandbox.start(name, detached=True)
    assert await again.owns_lifecycle is False
    assert (await again.exec("echo", ["up"])).stdout_text == "up\n"
    await again.kill(timeout=30 * SLOW)


async def test_sandbox_defaults_apply_to_execs(sandboxes):
    sb = await sandboxes.create("defs", env={"SBENV": "from-create"}, workdir="/tmp",
                                hostname="pyhost", user="1000")
    out = await sb.exec("sh", ["-c", "pwd; echo $SBENV-$EXTRA; hostname; id -u"],
                        env={"EXTRA": "from-exec"})
    assert out.stdout_text == "/tmp\nfrom-create-from-exec\npyhost\n1000\n"
    assert (await sb.exec("id", ["-u"], user="0")).stdout_text == "0\n"
    assert (await sb.exec("pwd", cwd="/")).stdout_text == "/\n"


async def test_shell_uses_the_sandbox_shell(sandboxes):
    sb = await sandboxes.create("shell", shell="/bin/ash")
    out = await sb.shell("echo $0; echo $((6 * 7))")
    assert out.stdout_text == "/bin/ash\n42\n"
    stream = await sb.shell_stream("echo streamed")
    assert (await stream.collect()).stdout_text == "streamed\n"


async def test_unsupported_names_raise_unsupported(shared):
    for call in (shared.metrics, shared.ping, shared.touch):
        with pytest.raises(msb.UnsupportedError, match="not supported yet"):
            await call()
    handle = await Sandbox.get(await shared.name)
    with pytest.raises(msb.UnsupportedError, match="not supported yet"):
        await handle.metrics()


async def test_handle_reports_engine(shared):
    handle = await Sandbox.get(await shared.name)
    assert handle.isolation == ENGINE
    await handle.refresh()
    assert handle.status is SandboxStatus.RUNNING
    # The session-end leak check finds live runtimes (it is not vacuous).
    assert any("msb-runtime" in cmd for _pid, cmd in our_processes())
