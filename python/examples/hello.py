import asyncio
from microsandbox import Sandbox

async def main() -> None:
    async with await Sandbox.create("hello", image="base", replace=True) as sb:
        print((await sb.exec("echo", ["hello from a sandbox"])).stdout_text, end="")

asyncio.run(main())
