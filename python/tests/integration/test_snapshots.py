"""Snapshots: disk snapshots of stopped sandboxes, and sandboxes booted from them."""

from __future__ import annotations

import pytest

import microsandbox as msb
from integration_support import SLOW, create_kwargs, unique
from microsandbox import Sandbox, Snapshot, SnapshotFormat, SnapshotScope, SnapshotStateKind


async def test_snapshot_of_stopped_sandbox_boots_a_copy(sandboxes):
    source = await sandboxes.create("snapsrc")
    source_name = await source.name
    await source.exec("sh", ["-c", "mkdir -p /srv && echo snapshotted > /srv/state.txt"],
                      timeout=60 * SLOW)
    await source.stop(timeout=30 * SLOW)

    snap_name = unique("snap")
    try:
        snap = await Snapshot.create(snap_name, from_sandbox=source_name)
        assert snap.name == snap_name
        assert snap.source_sandbox == source_name
        assert snap.digest
        assert snap.state_kind is SnapshotStateKind.FILE
        assert snap.format is SnapshotFormat.RAW
        assert snap.scope is SnapshotScope.DISK
        assert snap_name in [s.name for s in await Snapshot.list()]
        assert (await Snapshot.get(snap_name)).digest == snap.digest

        # A new sandbox from the snapshot sees the file; the source is untouched.
        copy = await Sandbox.create(sandboxes.name("fromsnap"),
                                    **create_kwargs(from_snapshot=snap_name))
        assert (await copy.fs.read_text("/srv/state.txt")) == "snapshotted\n"
        out = await copy.exec("cat", ["/srv/state.txt"], timeout=60 * SLOW)
        assert out.stdout_text == "snapshotted\n"
        await copy.fs.write("/srv/state.txt", b"changed in the copy\n")
        assert (await Sandbox.get(source_name)).status is msb.SandboxStatus.STOPPED

        copy_name = await copy.name
        await copy.kill(timeout=30 * SLOW)
        await Sandbox.remove(copy_name)

        await Snapshot.remove(snap_name)
        assert snap_name not in [s.name for s in await Snapshot.list()]
        with pytest.raises(msb.MicrosandboxError):
            await Snapshot.get(snap_name)
    finally:
        try:
            await Snapshot.remove(snap_name)
        except msb.MicrosandboxError:
            pass


async def test_snapshot_from_unknown_sandbox_fails():
    with pytest.raises(msb.MicrosandboxError):
        await Snapshot.create(unique("snap"), from_sandbox=unique("nosuch"))
