"""Integration fixtures: a private MSB_HOME, one shared sandbox, and a leak check.

The engine comes from MSB_TEST_ISOLATION (vm or namespace, default namespace); every
sandbox the suite creates passes isolation=ENGINE. Run once per engine:

    cd python && PYTHONPATH=$PWD MSB_PATH=../build/bin/msb MSB_TEST_ISOLATION=vm \
        /usr/bin/python3 -m pytest -q tests/integration

Helpers the tests import live in integration_support.py (a unique module name: the
parent tests/ has a conftest.py of its own).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time

import pytest

# First: sets MSB_HOME before microsandbox is imported or anything is created.
from integration_support import (ENGINE, HOME, Factory, create_kwargs, our_processes,
                                 remove_everything, unique)

import microsandbox as msb  # noqa: E402


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def engine() -> str:
    return ENGINE


@pytest.fixture(scope="session", autouse=True)
def _session_cleanup(event_loop):
    """At the very end: every sandbox killed and removed, no process of ours left."""
    yield
    event_loop.run_until_complete(remove_everything())
    deadline = time.monotonic() + 10
    left = our_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = our_processes()
    for pid, _ in left:  # ours: started under this session's MSB_HOME
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(HOME, ignore_errors=True)
    assert not left, f"processes left after the session: {left}"


@pytest.fixture(scope="session")
async def shared(_session_cleanup):
    """One running sandbox for the read-only exec and fs checks."""
    sb = await msb.Sandbox.create(unique("shared"), **create_kwargs(replace=True))
    try:
        yield sb
    finally:
        name = str(sb.name)
        try:
            await sb.kill()
        except Exception:
            pass
        try:
            await msb.Sandbox.remove(name)
        except Exception:
            pass


@pytest.fixture
async def sandboxes():
    factory = Factory()
    try:
        yield factory
    finally:
        await factory.cleanup()
