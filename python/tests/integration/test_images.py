"""Images: pulls with progress from a local registry, the cache, images in use."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import microsandbox as msb
from integration_support import SLOW, create_kwargs, unique
from microsandbox import Image, PullEventType, Sandbox

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD_IMAGES = os.path.join(REPO, "tests", "fixtures", "images", "build_images.py")

LAYER_EVENTS = {
    PullEventType.LAYER_DOWNLOAD_PROGRESS, PullEventType.LAYER_DOWNLOAD_COMPLETE,
    PullEventType.LAYER_DOWNLOAD_VERIFYING, PullEventType.LAYER_MATERIALIZE_STARTED,
    PullEventType.LAYER_MATERIALIZE_PROGRESS, PullEventType.LAYER_MATERIALIZE_WRITING,
    PullEventType.LAYER_MATERIALIZE_COMPLETE,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(argv: list[str], log: str) -> None:
    with open(log, "ab") as out:
        result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=120)
    if result.returncode != 0:
        with open(log, "rb") as f:
            raise RuntimeError(f"{argv[0]} failed: {f.read()[-2000:].decode(errors='replace')}")


@pytest.fixture(scope="module")
def registry():
    """Debian's docker-registry on 127.0.0.1 with the busybox fixture image pushed.

    Yields "127.0.0.1:PORT"; the server is stopped and its storage removed afterwards.
    """
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (apt-get install docker-registry skopeo)")
    work = tempfile.mkdtemp(prefix="msb-pytest-registry-")
    server = None
    try:
        fixtures = os.path.join(work, "fixtures")
        _run(["/usr/bin/python3", BUILD_IMAGES, "--out", fixtures], f"{work}/build.log")
        log = f"{work}/registry.log"
        for _attempt in range(5):
            port = _free_port()
            config = f"{work}/registry.yml"
            with open(config, "w") as f:
                f.write("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                        f"    rootdirectory: {work}/storage\nhttp:\n  addr: 127.0.0.1:{port}\n")
            out = open(log, "ab")
            server = subprocess.Popen(["docker-registry", "serve", config], stdout=out,
                                      stderr=subprocess.STDOUT)
            out.close()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and server.poll() is None:
                with open(log, "rb") as f:
                    if f"listening on 127.0.0.1:{port}".encode() in f.read():
                        break
                time.sleep(0.02)
            else:
                server.kill()
                server.wait()
                server = None
                continue
            break
        if server is None:
            with open(log, "rb") as f:
                raise RuntimeError(f"docker-registry did not start: {f.read()[-2000:]!r}")
        host = f"127.0.0.1:{port}"
        _run(["skopeo", "--insecure-policy", "copy", "-q", "--dest-tls-verify=false",
              f"oci:{fixtures}/busybox:latest", f"docker://{host}/busybox:latest"],
             f"{work}/skopeo.log")
        yield host
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
async def pulled(registry):
    """The busybox image pulled with progress: (reference, events, handle)."""
    reference = f"{registry}/busybox:latest"
    session = Image.pull_with_progress(reference)
    events = [event async for event in session.progress]
    handle = await session.result()
    return reference, events, handle


async def test_pull_with_progress_events(pulled):
    reference, events, handle = pulled
    kinds = [event.event_type for event in events]
    assert kinds[0] is PullEventType.RESOLVING
    assert kinds[-1] is PullEventType.COMPLETE
    resolved = [e for e in events if e.event_type is PullEventType.RESOLVED]
    assert len(resolved) == 1
    assert resolved[0].layer_count > 0
    assert resolved[0].manifest_digest and resolved[0].manifest_digest.startswith("sha256:")
    assert kinds.index(PullEventType.RESOLVED) > 0
    layer_kinds = [k for k in kinds if k in LAYER_EVENTS]
    assert layer_kinds, f"no layer events in {kinds}"
    first_layer = kinds.index(layer_kinds[0])
    assert kinds.index(PullEventType.RESOLVED) < first_layer < len(kinds) - 1

    assert handle.layer_count == resolved[0].layer_count == 1
    assert handle.manifest_digest == resolved[0].manifest_digest
    assert handle.size_bytes > 0


async def test_get_list_inspect_pulled_image(pulled):
    reference, _events, handle = pulled
    got = await Image.get(reference)
    assert got.manifest_digest == handle.manifest_digest
    assert got.layer_count == 1
    assert any(img.manifest_digest == handle.manifest_digest for img in await Image.list())
    detail = await Image.inspect(reference)
    assert detail.handle.manifest_digest == handle.manifest_digest
    assert len(detail.layers) == 1
    assert detail.layers[0].diff_id.startswith("sha256:")
    assert detail.layers[0].blob_digest.startswith("sha256:")


async def test_sandbox_from_pulled_image_and_image_in_use(pulled, sandboxes):
    reference, _events, handle = pulled
    sb = await sandboxes.create("img", image=reference)
    out = await sb.exec("busybox", ["echo", "from", "the", "registry"], timeout=60 * SLOW)
    assert out.stdout_text == "from the registry\n"

    with pytest.raises(msb.ImageInUseError):
        await Image.remove(reference)
    assert (await Image.get(reference)).manifest_digest == handle.manifest_digest

    name = await sb.name
    await sb.kill(timeout=30 * SLOW)
    await Sandbox.remove(name)
    await Image.remove(reference)
    with pytest.raises(msb.ImageNotFoundError):
        await Image.get(reference)


async def test_unknown_image_not_found():
    with pytest.raises(msb.ImageNotFoundError):
        await Image.get(f"127.0.0.1:1/{unique('absent')}:latest")
    with pytest.raises(msb.ImageNotFoundError):
        await Image.inspect(f"{unique('absent')}:v1")


async def test_create_with_progress_pulls_from_registry(registry, sandboxes):
    reference = f"{registry}/busybox:latest"
    session = Sandbox.create_with_progress(sandboxes.name("pullcreate"),
                                           **create_kwargs(image=reference))
    events = [event async for event in session.progress]
    kinds = [event.event_type for event in events]
    assert kinds[0] is PullEventType.RESOLVING and kinds[-1] is PullEventType.COMPLETE
    resolved = [e for e in events if e.event_type is PullEventType.RESOLVED]
    assert resolved and resolved[0].layer_count > 0
    sb = await session.result()
    assert (await sb.exec("busybox", ["echo", "ok"])).stdout_text == "ok\n"
