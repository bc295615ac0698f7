"""Volumes: the named-volume store, and bind / named mounts seen from the guest."""

from __future__ import annotations

import pytest

import microsandbox as msb
from integration_support import SLOW, unique
from microsandbox import Volume, VolumeKind


async def test_create_get_list_remove():
    name = unique("vol")
    created = await Volume.create(name, labels={"team": "py"})
    assert created.name == name and created.path

    handle = await Volume.get(name)
    assert handle.name == name
    assert handle.kind is VolumeKind.DIRECTORY
    assert handle.labels == {"team": "py"}
    assert handle.disk_format is None
    assert handle.created_at > 1.6e12
    assert name in [v.name for v in await Volume.list()]

    await Volume.remove(name)
    with pytest.raises(msb.VolumeNotFoundError):
        await Volume.get(name)
    assert name not in [v.name for v in await Volume.list()]


async def test_unknown_volume_not_found():
    with pytest.raises(msb.VolumeNotFoundError):
        await Volume.get(unique("missing"))


async def test_directory_volume_with_size_is_invalid():
    with pytest.raises(msb.InvalidConfigError):
        Volume.create(unique("bad"), size_mib=10)


async def test_bind_and_named_mounts(sandboxes, tmp_path):
    host_dir = tmp_path / "bound"
    host_dir.mkdir()
    (host_dir / "from-host.txt").write_text("host says hi\n")
    named = unique("v1")
    try:
        sb = await sandboxes.create(
            "vols", volumes={"/data": Volume.bind(str(host_dir)), "/cache": Volume.named(named)})

        # The bind mount: the guest sees the host's file, and the host sees the guest's.
        out = await sb.exec("cat", ["/data/from-host.txt"], timeout=60 * SLOW)
        assert out.stdout_text == "host says hi\n"
        await sb.exec("sh", ["-c", "echo guest wrote > /data/from-guest.txt"])
        assert (host_dir / "from-guest.txt").read_text() == "guest wrote\n"

        # The named volume: made on first use, written by the guest, read on the host.
        await sb.exec("sh", ["-c", "mkdir -p /cache/sub && echo cached > /cache/sub/c.txt"])
        await sb.fs.write("/cache/via-fs.bin", b"\x01\x02")
        handle = await Volume.get(named)
        assert handle.kind is VolumeKind.DIRECTORY
        assert await handle.fs.read_text("sub/c.txt") == "cached\n"
        assert await handle.fs.read("via-fs.bin") == b"\x01\x02"
        assert await handle.fs.exists("sub/c.txt") is True
        assert {e.path for e in await handle.fs.list("")} == {"sub", "via-fs.bin"}

        # And the other way: the host writes through VolumeHandle.fs, the guest reads.
        await handle.fs.write("from-host-fs.txt", "hello guest")
        assert await sb.fs.read_text("/cache/from-host-fs.txt") == "hello guest"
        with pytest.raises(msb.FilesystemError):
            await handle.fs.read("../escape")

        name = await sb.name
        await sb.kill(timeout=30 * SLOW)
        await msb.Sandbox.remove(name)
        # The named volume outlives the sandbox.
        assert await (await Volume.get(named)).fs.read_text("sub/c.txt") == "cached\n"
    finally:
        await sandboxes.cleanup()
        try:
            await Volume.remove(named)
        except msb.MicrosandboxError:
            pass
