"""The network from Python: the reference's Network / NetworkPolicy / Rule values reach the
runtime's policy, and published ports carry traffic.

The suite runs inside a network namespace of its own with only a loopback interface
(python/CMakeLists.txt starts it under `unshare --net`), so nothing here can leave the
machine: the "host" a sandbox reaches is that namespace's loopback."""

from __future__ import annotations

import asyncio
import http.server
import json
import socket
import threading
import urllib.request

import pytest

from integration_support import SLOW

import microsandbox as msb
from microsandbox import (Destination, DestGroup, Network, NetworkPolicy, PortBinding, Protocol,
                          Rule)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = b"hello from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def host_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


async def guest_wget(sb: msb.Sandbox, url: str) -> msb.ExecOutput:
    # (busybox wget -T crashes in this busybox build: the exec timeout bounds it instead.)
    return await sb.exec("busybox", ["wget", "-q", "-O", "-", url],
                         timeout=30 * SLOW)


async def test_default_policy_keeps_the_host_out(sandboxes, host_server):
    sb = await sandboxes.create("net-default")
    out = await guest_wget(sb, f"http://host.microsandbox.internal:{host_server}/")
    assert not out.success
    assert "hello from the host" not in out.stdout_text


async def test_rule_lets_the_host_in_on_one_port(sandboxes, host_server):
    policy = NetworkPolicy(rules=(Rule.allow(destination=Destination.group(DestGroup.HOST),
                                             protocol=Protocol.TCP, port=host_server),))
    sb = await sandboxes.create("net-host", network=Network(policy=policy))
    out = await guest_wget(sb, f"http://host.microsandbox.internal:{host_server}/")
    assert out.stdout_text == "hello from the host\n", out.stderr_text
    # The rule is recorded as the runtime's own rule text.
    rules = json.dumps((await msb.Sandbox.get(str(sb.name))).config()["network"])
    assert f"allow@host:tcp:{host_server}" in rules


async def test_published_port_reaches_a_guest_server(sandboxes):
    port = free_port()
    sb = await sandboxes.create("net-port", ports={port: 8080})
    await sb.fs.mkdir("/www")
    await sb.fs.write("/www/index.html", b"hello from the guest\n")
    server = await sb.exec_stream("busybox", ["httpd", "-f", "-p", "8080", "-h", "/www"])

    def fetch() -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
            return bytes(reply.read())

    body = b""
    for _ in range(int(50 * SLOW)):
        try:
            body = await asyncio.to_thread(fetch)
            break
        except OSError:
            await asyncio.sleep(0.2)
    await server.kill()
    assert body == b"hello from the guest\n"


async def test_port_binding_under_a_policy_that_denies_ingress_is_refused(sandboxes):
    network = Network(policy=NetworkPolicy.none(), ports=(PortBinding.tcp(free_port(), 80),))
    with pytest.raises(msb.InvalidConfigError, match="published port"):
        await sandboxes.create("net-refused", network=network)


def test_unsupported_network_fields_raise_before_create():
    with pytest.raises(msb.UnsupportedError, match="not supported yet"):
        msb.Sandbox.create("never", image="base", network=Network(ipv4_pool="10.9.0.0/16"))
