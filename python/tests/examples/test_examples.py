"""The examples of python/examples/ and the README's Python example run, unchanged, and print
what they promise. Each runs as a user would run it: its own process, the default engine
(a microVM), a fresh $MSB_HOME."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
from typing import Iterator

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "python" / "examples"


def run_example(path: pathlib.Path, tmp_path: pathlib.Path) -> str:
    env = dict(os.environ, MSB_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, f"{path.name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_readme_example_is_hello_py() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert (EXAMPLES / "hello.py").read_text() in blocks


def test_hello(tmp_path: pathlib.Path) -> None:
    assert run_example(EXAMPLES / "hello.py", tmp_path) == "hello from a sandbox\n"


def test_stream(tmp_path: pathlib.Path) -> None:
    out = run_example(EXAMPLES / "stream.py", tmp_path)
    for line in ("stdout: got one", "stdout: got three", "stderr: done", "exit code: 0"):
        assert line in out


def test_files(tmp_path: pathlib.Path) -> None:
    out = run_example(EXAMPLES / "files.py", tmp_path)
    assert "lines sorted: 3" in out
    assert "on the host: ['1', '2', '3']" in out


def test_parallel_execs(tmp_path: pathlib.Path) -> None:
    out = run_example(EXAMPLES / "parallel_execs.py", tmp_path)
    assert f"squares: {[i * i for i in range(20)]}" in out
    assert "timed out:" in out
    assert "cancelled; sleeping processes left: 0" in out


@pytest.fixture(autouse=True)
def _no_sandboxes_left(tmp_path: pathlib.Path) -> Iterator[None]:
    yield
    # Every example removes its sandbox (`async with`): its $MSB_HOME records none.
    msb = pathlib.Path(sys.executable).parent / "msb"
    listed = subprocess.run([str(msb), "ls", "--format", "json"], capture_output=True,
                            text=True, env=dict(os.environ, MSB_HOME=str(tmp_path / "home")))
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_api_client_against_msb_server(tmp_path: pathlib.Path) -> None:
    """python/examples/api_client.py, standard library only, against a real `msb server`."""
    home = tmp_path / "home"
    env = dict(os.environ, MSB_HOME=str(home), MSB_EXAMPLE_ISOLATION="namespace")
    msb = pathlib.Path(sys.executable).parent / "msb"
    server = subprocess.Popen([str(msb), "server", "--listen", "127.0.0.1:0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        done = subprocess.run([sys.executable, str(EXAMPLES / "api_client.py"), url], env=env,
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "uname: Linux exit 0" in done.stdout
        assert "streamed: line 1 | line 2 | line 3" in done.stdout
        assert "file: written over HTTP" in done.stdout
        assert "removed" in done.stdout
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0
