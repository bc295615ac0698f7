"""A Python process that exits with work still running in its sandboxes exits promptly and
leaves nothing behind: its exec pumps are killed at exit, even one stuck in a stdin write to
a process that never reads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from integration_support import ENGINE, HOME, SLOW, our_processes

SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from microsandbox import Sandbox, Stdin

    async def main():
        sb = await Sandbox.create(sys.argv[1], image="base", isolation=sys.argv[2],
                                  ephemeral=True)
        handle = await sb.exec_stream("sleep", ["600"], stdin=Stdin.pipe())
        sink = handle.take_stdin()
        # 8 MiB to a process that never reads: the write waits for stdin credit forever.
        write = asyncio.ensure_future(sink.write(b"x" * (8 << 20)))
        await asyncio.sleep(1)
        assert not write.done()
        # Kept alive until the interpreter exits, so the pump is still stuck in the write
        # when the exit handlers run (and the sandbox still runs).
        globals()["kept"] = (sb, handle, write)
        print("leaving", flush=True)  # then a normal exit: atexit handlers run

    asyncio.run(main())
""")


def test_exit_with_a_stuck_stdin_write_is_prompt_and_clean(tmp_path):
    name = f"exit-{os.getpid()}"
    env = dict(os.environ, MSB_HOME=HOME)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SCRIPT, name, ENGINE], env=env,
                          capture_output=True, text=True, timeout=120 * SLOW)
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr  # an abort at exit would be -6
    assert "leaving" in done.stdout
    # Boot + 1 s + at most the pumps' 2 s grace at exit.
    assert elapsed < 10 * SLOW, f"exit took {elapsed:.1f} s"
    # The attached, ephemeral sandbox stops with its owner and is removed.
    deadline = time.monotonic() + 30 * SLOW
    while any(name in cmd for _, cmd in our_processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [cmd for _, cmd in our_processes() if name in cmd]
