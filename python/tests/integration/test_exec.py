"""exec / exec_stream / shell: options, argument checks, handles, cancellation, concurrency."""

from __future__ import annotations

import asyncio
import gc
import signal
import time

import pytest

import microsandbox as msb
from integration_support import SLOW, guest_pids, wait_gone
from microsandbox import ExecEventType, Rlimit, Stdin

T = 60 * SLOW  # a generous per-exec timeout


async def test_plain_exec_and_outputs(shared):
    out = await shared.exec("sh", ["-c", "echo out; echo err >&2; exit 3"], timeout=T)
    assert out.exit_code == 3  # a non-zero exit does not raise
    assert out.success is False
    assert out.stdout_text == "out\n" and out.stdout_bytes == b"out\n"
    assert out.stderr_text == "err\n" and out.stderr_bytes == b"err\n"
    ok = await shared.exec("true")
    assert ok.exit_code == 0 and ok.success is True and ok.stdout_bytes == b""


async def test_cwd_env_user(shared):
    assert (await shared.exec("pwd", cwd="/tmp", timeout=T)).stdout_text == "/tmp\n"
    out = await shared.exec("sh", ["-c", "echo $FOO-$BAR"], env={"FOO": "a b", "BAR": "2"},
                            timeout=T)
    assert out.stdout_text == "a b-2\n"
    assert (await shared.exec("id", ["-u"], user="1000", timeout=T)).stdout_text == "1000\n"
    assert (await shared.exec("id", ["-u"], timeout=T)).stdout_text == "0\n"


async def test_timeout_raises_exec_timeout(shared):
    started = time.monotonic()
    with pytest.raises(msb.ExecTimeoutError):
        await shared.exec("sleep", ["30"], timeout=0.5)
    assert time.monotonic() - started < 10 * SLOW
    assert await wait_gone(shared, "sleep 30", 5 * SLOW) == []


async def test_tty(shared):
    out = await shared.exec("sh", ["-c", "[ -t 0 ] && [ -t 1 ] && echo tty; stty size"],
                            tty=True, timeout=T)
    assert out.stdout_text.replace("\r\n", "\n") == "tty\n24 80\n"
    plain = await shared.exec("sh", ["-c", "[ -t 1 ] && echo tty || echo notty"], timeout=T)
    assert plain.stdout_text == "notty\n"


async def test_stdin_forms(shared):
    assert (await shared.exec("cat", stdin=b"raw bytes", timeout=T)).stdout_bytes == b"raw bytes"
    out = await shared.exec("cat", stdin=Stdin.bytes(b"\x00\x01bin"), timeout=T)
    assert out.stdout_bytes == b"\x00\x01bin"
    assert (await shared.exec("cat", stdin=Stdin.null(), timeout=T)).stdout_bytes == b""
    assert (await shared.exec("cat", timeout=T)).stdout_bytes == b""  # None: no stdin


async def test_stdin_pipe(shared):
    handle = await shared.exec_stream("cat", stdin=Stdin.pipe(), timeout=T)
    sink = handle.take_stdin()
    assert sink is not None
    assert handle.take_stdin() is None  # only once
    await sink.write(b"hello ")
    await sink.write(b"pipe\n")
    await sink.close()
    out = await handle.collect()
    assert out.exit_code == 0 and out.stdout_bytes == b"hello pipe\n"
    with pytest.raises(RuntimeError, match="write stream closed"):
        await sink.write(b"late")
    no_pipe = await shared.exec_stream("true")
    assert no_pipe.take_stdin() is None
    await no_pipe.wait()


async def test_rlimits(shared):
    out = await shared.exec("sh", ["-c", "ulimit -n"], rlimits=[Rlimit.nofile(64)], timeout=T)
    assert out.stdout_text == "64\n"


async def test_args_as_exec_options_dict(shared):
    out = await shared.exec("sh", {"args": ["-c", "pwd; echo $K; cat"], "cwd": "/tmp",
                                   "env": {"K": "v"}, "stdin_data": b"in", "timeout": T},
                            cwd="/")  # dict values override keyword arguments
    assert out.stdout_text == "/tmp\nv\nin"
    out = await shared.exec("id", {"args": ["-u"], "user": "1000"})
    assert out.stdout_text == "1000\n"


async def test_argument_errors_raise_before_any_await(shared):
    # The calls are not awaited: the checks happen when the method is called.
    cases = [
        (lambda: shared.exec("echo", "hi"), TypeError, "args must be a list of strings, not a string"),
        (lambda: shared.exec("echo", b"hi"), TypeError, "args must be a list of strings, not a string"),
        (lambda: shared.exec("echo", ("a",)), TypeError, "args must be a list of strings"),
        (lambda: shared.exec("echo", {"bogus": 1}), TypeError, "unknown exec option: bogus"),
        (lambda: shared.exec("echo", {1: 1}), TypeError, "exec option keys must be strings"),
        (lambda: shared.exec("echo", stdin="text"), TypeError, "stdin must be Stdin, got str"),
        (lambda: shared.exec("echo", rlimits=5), TypeError, "rlimits must be a sequence"),
        (lambda: shared.exec("echo", rlimits=[5]), TypeError, "rlimit must be Rlimit, got int"),
        (lambda: shared.exec("echo", timeout=-1), ValueError, "timeout must be non-negative"),
        (lambda: shared.exec_stream("echo", "hi"), TypeError, "not a string"),
        (lambda: shared.shell("echo", timeout=-1), ValueError, "timeout must be non-negative"),
    ]
    for make, error, message in cases:
        with pytest.raises(error, match=message):
            make()


async def test_missing_command_raises(shared):
    with pytest.raises(msb.MicrosandboxError):
        await shared.exec("/no/such/command", ["x"], timeout=T)
    # The sandbox still works afterwards.
    assert (await shared.exec("echo", ["fine"])).stdout_text == "fine\n"


async def test_stream_events_recv_and_async_for(shared):
    handle = await shared.exec_stream("sh", ["-c", "echo one; echo two >&2; exit 4"], timeout=T)
    first = await handle.recv()
    assert first.event_type is ExecEventType.STARTED and first.pid and first.pid > 0
    assert handle.id == str(first.pid)
    events = [event async for event in handle]
    out = b"".join(e.data for e in events if e.event_type is ExecEventType.STDOUT)
    err = b"".join(e.data for e in events if e.event_type is ExecEventType.STDERR)
    assert (out, err) == (b"one\n", b"two\n")
    assert events[-1].event_type is ExecEventType.EXITED and events[-1].code == 4
    assert await handle.recv() is None

    again = await shared.exec_stream("sh", ["-c", "echo a; exit 2"], timeout=T)
    assert await again.wait() == (2, False)
    collected = await (await shared.exec_stream("echo", ["c"], timeout=T)).collect()
    assert collected.stdout_text == "c\n" and collected.exit_code == 0


async def test_stream_signal_and_kill(shared):
    handle = await shared.exec_stream("sleep", ["63"])
    assert (await handle.recv()).event_type is ExecEventType.STARTED
    recv = asyncio.ensure_future(handle.recv())  # signal() must work while recv() waits
    await asyncio.sleep(0.05)
    await handle.signal(signal.SIGTERM)
    event = await asyncio.wait_for(recv, 10 * SLOW)
    assert event.event_type is ExecEventType.EXITED and event.code == 128 + signal.SIGTERM
    assert await handle.recv() is None



async def test_stream_kill_ends_the_guest_process_within_a_second(shared):
    killed = await shared.exec_stream("sleep", ["64"])
    assert (await killed.recv()).event_type is ExecEventType.STARTED
    assert await guest_pids(shared, "sleep 64")
    started = time.monotonic()
    await killed.kill()
    assert await wait_gone(shared, "sleep 64", 1.0) == []
    assert time.monotonic() - started < 1.0 + 0.5 * SLOW  # the last ps round trip
    code, success = await asyncio.wait_for(killed.wait(), 10 * SLOW)
    assert (code, success) == (128 + signal.SIGKILL, False)


async def test_dropping_an_unfinished_handle_kills_the_process(shared):
    handle = await shared.exec_stream("sleep", ["65"])
    assert (await handle.recv()).event_type is ExecEventType.STARTED
    del handle
    gc.collect()
    assert await wait_gone(shared, "sleep 65", 5 * SLOW) == []


async def test_stream_failures(shared):
    missing = await shared.exec_stream("/no/such/command")
    event = await missing.recv()
    assert event.event_type is ExecEventType.FAILED
    assert event.data and b"/no/such/command" in event.data and event.code
    assert await missing.recv() is None
    with pytest.raises(msb.MicrosandboxError):
        await (await shared.exec_stream("/no/such/command")).collect()

    slow = await shared.exec_stream("sleep", ["66"], timeout=0.3)
    with pytest.raises(msb.ExecTimeoutError):
        await asyncio.wait_for(slow.collect(), 20 * SLOW)
    assert await wait_gone(shared, "sleep 66", 5 * SLOW) == []


async def test_bad_cwd_and_user_raise(shared):
    with pytest.raises(msb.MicrosandboxError, match="/nonexistent"):
        await shared.exec("pwd", cwd="/nonexistent", timeout=T)
    with pytest.raises(msb.MicrosandboxError, match="nosuchuser"):
        await shared.exec("id", user="nosuchuser", timeout=T)
    assert (await shared.exec("id", ["-u"], user="nobody", timeout=T)).stdout_text == "65534\n"


async def test_logs_capture_exec_output(shared):
    marker = f"log-marker-{time.monotonic_ns()}"
    await shared.exec("sh", ["-c", f"echo {marker}; echo {marker}-err >&2"], timeout=T)
    entries = await shared.logs()
    stdout = b"".join(e.data for e in entries if e.source is msb.LogSource.STDOUT)
    stderr = b"".join(e.data for e in entries if e.source is msb.LogSource.STDERR)
    assert f"{marker}\n".encode() in stdout
    assert f"{marker}-err\n".encode() in stderr
    assert (await shared.logs(tail=1)) == entries[-1:]


async def test_resize_tty(shared):
    handle = await shared.exec_stream(
        "sh", ["-c", "stty size; read line; stty size"], tty=True, timeout=T)
    sink = handle.take_stdin()
    assert sink is not None
    output = b""
    async def read_until(count: int) -> None:
        nonlocal output
        while output.count(b"\n") < count:
            event = await handle.recv()
            assert event is not None, output
            if event.event_type is ExecEventType.STDOUT:
                output += event.data
    await asyncio.wait_for(read_until(1), 10 * SLOW)
    assert b"24 80" in output
    await handle.resize(40, 120)
    await sink.write(b"go\n")
    await asyncio.wait_for(read_until(3), 10 * SLOW)  # the echoed "go", then the new size
    rest = await handle.collect()
    assert rest.exit_code == 0
    assert output.replace(b"\r\n", b"\n").splitlines()[-1] == b"40 120"


async def test_cancelled_exec_kills_the_guest_process(shared):
    task = asyncio.ensure_future(shared.exec("sleep", ["61"]))
    deadline = time.monotonic() + 10 * SLOW
    while not await guest_pids(shared, "sleep 61"):
        assert time.monotonic() < deadline, "sleep 61 never started"
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_gone(shared, "sleep 61", 1.0) == []


async def test_fifty_concurrent_execs(shared):
    outs = await asyncio.wait_for(
        asyncio.gather(*(shared.exec("sh", ["-c", f"echo {i}; echo e{i} >&2"])
                         for i in range(50))),
        60 * SLOW)
    assert [o.stdout_text for o in outs] == [f"{i}\n" for i in range(50)]
    assert [o.stderr_text for o in outs] == [f"e{i}\n" for i in range(50)]
    assert all(o.exit_code == 0 for o in outs)


async def test_shell_runs_scripts(shared):
    out = await shared.shell("for i in 1 2 3; do printf $i; done; echo; cd /tmp && pwd",
                             timeout=T)
    assert out.stdout_text == "123\n/tmp\n"
    out = await shared.shell("cat; echo $X", stdin=b"piped ", env={"X": "y"}, timeout=T)
    assert out.stdout_text == "piped y\n"


async def test_unread_stream_output_holds_the_process_back(shared):
    # 8 MiB to stdout, not read for a while: the pump stops reading past 1 MiB, so the
    # writer blocks in the guest instead of the output piling up in this process.
    handle = await shared.exec_stream(
        "sh", ["-c", "head -c 8388608 /dev/zero; echo done-writing >&2"], timeout=T)
    await asyncio.sleep(1.5 * SLOW)
    assert await guest_pids(shared, "head -c 8388608") != []
    total, stderr = 0, b""
    async for event in handle:
        if event.event_type is ExecEventType.STDOUT:
            total += len(event.data)
        elif event.event_type is ExecEventType.STDERR:
            stderr += event.data
    assert total == 8388608
    assert stderr == b"done-writing\n"
