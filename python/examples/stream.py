"""Streams a process's output as it happens, feeds it stdin, and reads its exit."""

import asyncio

from microsandbox import ExecEventType, Sandbox, Stdin


async def main() -> None:
    async with await Sandbox.create("stream-example", image="base", replace=True) as sb:
        handle = await sb.exec_stream(
            "sh", ["-c", "while read line; do echo \"got $line\"; done; echo done >&2"],
            stdin=Stdin.pipe())
        stdin = handle.take_stdin()
        assert stdin is not None
        for word in ("one", "two", "three"):
            await stdin.write(f"{word}\n".encode())
        await stdin.close()
        async for event in handle:
            # Output comes in chunks as the process writes them, not line by line.
            if event.event_type in (ExecEventType.STDOUT, ExecEventType.STDERR) and event.data:
                for line in event.data.decode().splitlines():
                    print(f"{event.event_type.value}:", line)
            elif event.event_type is ExecEventType.EXITED:
                print("exit code:", event.code)


asyncio.run(main())
