"""Moves files in and out of a sandbox and runs a script on them."""

import asyncio
import pathlib
import tempfile

from microsandbox import Sandbox


async def main() -> None:
    async with await Sandbox.create("files-example", image="base", replace=True) as sb:
        await sb.fs.mkdir("/work")
        await sb.fs.write("/work/numbers.txt", b"3\n1\n2\n")
        result = await sb.shell("sort -n /work/numbers.txt > /work/sorted.txt && wc -l < /work/sorted.txt")
        print("lines sorted:", result.stdout_text.strip())
        print("files:", [entry.path for entry in await sb.fs.list("/work")])
        with tempfile.TemporaryDirectory() as host_dir:
            target = pathlib.Path(host_dir) / "sorted.txt"
            await sb.fs.copy_to_host("/work/sorted.txt", str(target))
            print("on the host:", target.read_text().split())


asyncio.run(main())
