"""The HTTP API of `msb server` from Python's standard library alone (no SDK): create a
sandbox, run a command, stream another, read a file back, remove the sandbox.

    msb server &        # then:
    python3 api_client.py [http://127.0.0.1:7878]

The token is read from $MSB_HOME/server/token (default ~/.microsandbox).
"""

import http.client
import json
import os
import pathlib
import sys
import urllib.parse
from typing import Any, Iterator

URL = urllib.parse.urlparse(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7878")
HOST, PORT = URL.hostname or "127.0.0.1", URL.port or 80
HOME = pathlib.Path(os.environ.get("MSB_HOME") or pathlib.Path.home() / ".microsandbox")
TOKEN = (HOME / "server" / "token").read_text().strip()


def call(method: str, path: str, body: object = None) -> Any:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=300)
    data = None if body is None else json.dumps(body).encode()
    connection.request(method, path, body=data, headers={"Authorization": f"Bearer {TOKEN}",
                                                         "Content-Type": "application/json"})
    reply = connection.getresponse()
    payload = reply.read()
    if reply.status >= 400:
        raise RuntimeError(f"{method} {path}: {reply.status} {payload.decode()}")
    return json.loads(payload) if payload else None


def stream_events(path: str) -> Iterator[tuple[str, Any]]:
    """Yields (event, data) from a Server-Sent Events stream."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=300)
    connection.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    reply = connection.getresponse()
    event = ""
    for raw in reply:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: ") and event:
            yield event, json.loads(line[len("data: "):])


def main() -> None:
    engine = os.environ.get("MSB_EXAMPLE_ISOLATION", "vm")
    call("POST", "/v1/sandboxes", {"name": "api-example", "image": "base", "replace": True,
                                   "isolation": engine})
    try:
        ran = call("POST", "/v1/sandboxes/api-example/exec", {"cmd": "uname", "args": ["-s"]})
        print("uname:", ran["stdout"].strip(), "exit", ran["exit_code"])
        started = call("POST", "/v1/sandboxes/api-example/execs",
                       {"cmd": "sh", "args": ["-c", "for i in 1 2 3; do echo line $i; done"],
                        "stdin": "null"})
        output = ""
        for event, data in stream_events(f"/v1/execs/{started['id']}/events"):
            if event == "stdout":
                output += data["data"]  # chunks as the process wrote them, not lines
            elif event == "exit":
                print("streamed:", " | ".join(output.splitlines()))
                print("stream exit:", data["exit_code"])
                break
        connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        connection.request("PUT", "/v1/sandboxes/api-example/files?path=/tmp/note.txt",
                           body=b"written over HTTP\n",
                           headers={"Authorization": f"Bearer {TOKEN}"})
        connection.getresponse().read()
        connection.request("GET", "/v1/sandboxes/api-example/files?path=/tmp/note.txt",
                           headers={"Authorization": f"Bearer {TOKEN}"})
        print("file:", connection.getresponse().read().decode().strip())
    finally:
        call("POST", "/v1/sandboxes/api-example/kill")
        call("DELETE", "/v1/sandboxes/api-example")
    print("removed")


main()
