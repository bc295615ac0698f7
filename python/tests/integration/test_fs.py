"""sb.fs: files inside the sandbox by absolute guest path."""

from __future__ import annotations

import hashlib
import os

import pytest

import microsandbox as msb
from integration_support import unique
from microsandbox import FsEntryKind


@pytest.fixture
async def workdir(shared):
    """A fresh directory in the shared sandbox, removed afterwards."""
    path = f"/tmp/{unique('fs')}"
    await shared.fs.mkdir(path)
    yield path
    try:
        await shared.fs.remove_dir(path)
    except msb.FilesystemError:
        pass


async def test_write_read_and_guest_sees_it(shared, workdir):
    path = f"{workdir}/a.txt"
    await shared.fs.write(path, b"hello\nworld\n")
    assert await shared.fs.read(path) == b"hello\nworld\n"
    assert await shared.fs.read_text(path) == "hello\nworld\n"
    assert (await shared.exec("cat", [path])).stdout_bytes == b"hello\nworld\n"
    await shared.exec("sh", ["-c", f"printf 'from guest' > {workdir}/g.txt"])
    assert await shared.fs.read(f"{workdir}/g.txt") == b"from guest"
    await shared.fs.write(path, b"\x00\xff")  # overwrite, binary
    assert await shared.fs.read(path) == b"\x00\xff"


async def test_mkdir_list_stat_exists(shared, workdir):
    await shared.fs.mkdir(f"{workdir}/d1/d2/d3")  # with parents
    await shared.fs.write(f"{workdir}/d1/f", b"12345")
    entries = {e.path: e for e in await shared.fs.list(f"{workdir}/d1")}
    assert set(entries) == {f"{workdir}/d1/d2", f"{workdir}/d1/f"}
    assert entries[f"{workdir}/d1/d2"].kind is FsEntryKind.DIRECTORY
    assert entries[f"{workdir}/d1/f"].kind is FsEntryKind.FILE
    assert entries[f"{workdir}/d1/f"].size == 5

    meta = await shared.fs.stat(f"{workdir}/d1/f")
    assert meta.kind is FsEntryKind.FILE and meta.size == 5
    assert meta.modified is not None and meta.modified > 1.6e12  # ms since the epoch
    assert (await shared.fs.stat(f"{workdir}/d1/d2/d3")).kind is FsEntryKind.DIRECTORY
    await shared.exec("chmod", ["0640", f"{workdir}/d1/f"])
    assert (await shared.fs.stat(f"{workdir}/d1/f")).mode & 0o777 == 0o640

    assert await shared.fs.exists(f"{workdir}/d1/d2/d3") is True
    assert await shared.fs.exists(f"{workdir}/nothing") is False


async def test_remove_and_remove_dir(shared, workdir):
    await shared.fs.write(f"{workdir}/f", b"x")
    await shared.fs.remove(f"{workdir}/f")
    assert not await shared.fs.exists(f"{workdir}/f")
    await shared.fs.mkdir(f"{workdir}/tree/sub")
    await shared.fs.write(f"{workdir}/tree/sub/leaf", b"x")
    await shared.fs.remove_dir(f"{workdir}/tree")  # recursive
    assert not await shared.fs.exists(f"{workdir}/tree")


async def test_copy_and_rename(shared, workdir):
    await shared.fs.write(f"{workdir}/src", b"payload")
    await shared.fs.copy(f"{workdir}/src", f"{workdir}/dst")
    assert await shared.fs.read(f"{workdir}/dst") == b"payload"
    assert await shared.fs.read(f"{workdir}/src") == b"payload"
    await shared.fs.rename(f"{workdir}/dst", f"{workdir}/moved")
    assert not await shared.fs.exists(f"{workdir}/dst")
    assert await shared.fs.read(f"{workdir}/moved") == b"payload"


async def test_read_stream_large_file(shared, workdir):
    data = os.urandom(3 * 1024 * 1024 + 12345)
    await shared.fs.write(f"{workdir}/big", data)
    stream = await shared.fs.read_stream(f"{workdir}/big")
    chunks = [chunk async for chunk in stream]
    assert len(chunks) > 1, "a few MiB should arrive in several chunks"
    assert all(isinstance(c, bytes) and c for c in chunks)
    assert b"".join(chunks) == data
    assert await (await shared.fs.read_stream(f"{workdir}/big")).collect() == data
    sha = (await shared.exec("sha256sum", [f"{workdir}/big"])).stdout_text.split()[0]

    assert sha == hashlib.sha256(data).hexdigest()


async def test_write_stream(shared, workdir):
    path = f"{workdir}/streamed"
    parts = [os.urandom(256 * 1024) for _ in range(6)]
    async with await shared.fs.write_stream(path) as sink:
        for part in parts:
            await sink.write(part)
    assert await shared.fs.read(path) == b"".join(parts)
    with pytest.raises(RuntimeError, match="write stream closed"):
        await sink.write(b"late")


async def test_copy_from_and_to_host(shared, workdir, tmp_path):
    host_src = tmp_path / "in.bin"
    host_src.write_bytes(b"from the host\n" * 1000)
    await shared.fs.copy_from_host(str(host_src), f"{workdir}/in.bin")
    assert await shared.fs.read(f"{workdir}/in.bin") == host_src.read_bytes()

    await shared.exec("sh", ["-c", f"echo guest-made > {workdir}/out.txt"])
    host_dst = tmp_path / "out.txt"
    await shared.fs.copy_to_host(f"{workdir}/out.txt", str(host_dst))
    assert host_dst.read_bytes() == b"guest-made\n"

    with pytest.raises(FileNotFoundError):
        await shared.fs.copy_from_host(str(tmp_path / "missing"), f"{workdir}/x")


async def test_errors_raise_filesystem_error(shared, workdir):
    missing = f"{workdir}/missing"
    for call in (
        lambda: shared.fs.read(missing),
        lambda: shared.fs.read_text(missing),
        lambda: shared.fs.stat(missing),
        lambda: shared.fs.remove(missing),
        lambda: shared.fs.list(missing),
        lambda: shared.fs.copy(missing, f"{workdir}/c"),
        lambda: shared.fs.rename(missing, f"{workdir}/r"),
        lambda: shared.fs.write(f"{missing}/deeper/file", b"x"),
    ):
        with pytest.raises(msb.FilesystemError):
            await call()
    with pytest.raises(msb.FilesystemError):
        await (await shared.fs.read_stream(missing)).collect()
    with pytest.raises(msb.FilesystemError):
        await shared.fs.copy_to_host(missing, "/tmp/never-written")
