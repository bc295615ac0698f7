"""Many commands at once from one event loop, with a timeout and a cancellation."""

import asyncio

from microsandbox import ExecTimeoutError, Sandbox


async def main() -> None:
    async with await Sandbox.create("concurrent-example", image="base", replace=True) as sb:
        outputs = await asyncio.gather(*(sb.shell(f"echo $(({i} * {i}))") for i in range(20)))
        print("squares:", [int(out.stdout_text) for out in outputs])
        try:
            await sb.exec("sleep", ["30"], timeout=0.5)
        except ExecTimeoutError as error:
            print("timed out:", error)
        task = asyncio.ensure_future(sb.exec("sleep", ["60"]))
        await asyncio.sleep(0.5)
        task.cancel()  # kills the process in the sandbox
        try:
            await task
        except asyncio.CancelledError:
            pass
        # The kill is on its way as the cancellation returns: give it up to a second.
        left = ""
        for _ in range(20):
            left = (await sb.shell("ps -o args | grep -c '^sleep 60' || true")).stdout_text.strip()
            if left == "0":
                break
            await asyncio.sleep(0.05)
        print("cancelled; sleeping processes left:", left)


asyncio.run(main())
