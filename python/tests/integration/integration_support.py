"""Helpers of the integration suite: a private MSB_HOME, the engine, names, cleanup.

The engine comes from MSB_TEST_ISOLATION (vm or namespace, default namespace); every
sandbox the suite creates passes isolation=ENGINE. Run once per engine:

    cd python && PYTHONPATH=$PWD MSB_PATH=../build/bin/msb MSB_TEST_ISOLATION=vm \
        /usr/bin/python3 -m pytest -q tests/integration
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import time

import pytest

# conftest.py imports this module first: MSB_HOME is this session's own state root
# before microsandbox is imported or anything is created.
HOME = tempfile.mkdtemp(prefix="msb-pytest-")
os.environ["MSB_HOME"] = HOME

import microsandbox as msb  # noqa: E402

ENGINE = os.environ.get("MSB_TEST_ISOLATION", "namespace")
if ENGINE not in ("vm", "namespace"):
    raise pytest.UsageError(f"MSB_TEST_ISOLATION must be vm or namespace, not {ENGINE!r}")

# Exec round trips and boots are much slower under QEMU TCG: scale every deadline.
SLOW = 4.0 if ENGINE == "vm" else 1.0

_counter = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_counter)}"


def create_kwargs(**kwargs):
    """Sandbox.create keywords for this engine (image "base" unless given or from_snapshot)."""
    if "from_snapshot" not in kwargs:
        kwargs.setdefault("image", "base")
    kwargs["isolation"] = ENGINE
    if ENGINE == "vm":
        kwargs.setdefault("cpus", 1)
        kwargs.setdefault("memory", 512)
    return kwargs


def our_processes() -> list[tuple[int, str]]:
    """Processes started under this session's MSB_HOME (runtimes, QEMU, guests' helpers)."""
    marker = f"MSB_HOME={HOME}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            if marker not in environ:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if cmdline:  # zombies have none
            found.append((int(entry), cmdline))
    return found


async def remove_everything() -> None:
    """Kills and removes every sandbox in this MSB_HOME; errors are ignored."""
    try:
        page = await msb.Sandbox.list()
    except Exception:
        return
    for handle in page.sandboxes:
        try:
            if handle.status in (msb.SandboxStatus.RUNNING, msb.SandboxStatus.STARTING,
                                 msb.SandboxStatus.DRAINING, msb.SandboxStatus.PAUSED):
                await asyncio.wait_for(handle.kill(), 30)
        except Exception:
            pass
        try:
            await asyncio.wait_for(msb.Sandbox.remove(handle.name), 30)
        except Exception:
            pass


class Factory:
    """Makes fresh sandboxes for one test and kills and removes them afterwards."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def name(self, prefix: str = "t") -> str:
        name = unique(prefix)
        self.names.append(name)
        return name

    async def create(self, prefix: str = "t", **kwargs) -> msb.Sandbox:
        return await msb.Sandbox.create(self.name(prefix), **create_kwargs(**kwargs))

    async def cleanup(self) -> None:
        for name in self.names:
            try:
                handle = await msb.Sandbox.get(name)
            except msb.SandboxNotFoundError:
                continue
            except Exception:
                continue
            try:
                if handle.status is not msb.SandboxStatus.STOPPED:
                    await asyncio.wait_for(handle.kill(), 30)
            except Exception:
                pass
            try:
                await asyncio.wait_for(msb.Sandbox.remove(name), 30)
            except Exception:
                pass


async def guest_pids(sb: msb.Sandbox, needle: str) -> list[str]:
    """PIDs in the guest whose command line contains `needle` (not the ps itself)."""
    out = await sb.exec("ps", ["-o", "pid,args"], timeout=30 * SLOW)
    pids = []
    for line in out.stdout_text.splitlines()[1:]:
        pid, _, args = line.strip().partition(" ")
        if needle in args and "ps -o" not in args:
            pids.append(pid)
    return pids


async def wait_gone(sb: msb.Sandbox, needle: str, within: float) -> list[str]:
    """Polls the guest's process list until nothing matches `needle` or `within` passes."""
    deadline = time.monotonic() + within
    while True:
        left = await guest_pids(sb, needle)
        if not left or time.monotonic() >= deadline:
            return left
        await asyncio.sleep(0.05)
