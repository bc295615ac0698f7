#!/usr/bin/env python3
"""bench/python: the round trip of `exec /bin/true` in a running sandbox through the Python
SDK, next to the same through the C++ SDK (build/bin/exec_bench), measured in the same run.

Target (docs/targets.md): Python ≤ 1.3 × C++ on the namespace engine.

  .venv/bin/python bench/python_exec.py [RUNS] [namespace|vm]

Each side runs its own sandbox; they alternate in rounds (C++, then Python, RUNS/ROUNDS
execs each) so that a change in the host's load hits both alike. Prints the medians, the
ratio, the engine and accelerator, and whether the target is met.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("MSB_BUILD_DIR", REPO / "build"))
ROUNDS = 5
TARGET = 1.3


def cxx_median(runs: int, engine: str) -> float:
    """One exec_bench run: its `exec /bin/true, one connection` median in ms."""
    out = subprocess.run([str(BUILD / "bin" / "exec_bench"), str(runs), "1", engine],
                         check=True, capture_output=True, text=True).stdout
    match = re.search(r"exec /bin/true, one connection\s+median\s+([\d.]+) ms", out)
    if not match:
        raise SystemExit(f"bench/python: unexpected exec_bench output:\n{out}")
    return float(match.group(1))


async def python_samples(sandbox: object, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = await sandbox.exec("/bin/true")  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) * 1000.0)
        if out.exit_code != 0:
            raise SystemExit("bench/python: /bin/true failed")
    return samples


async def main() -> None:
    runs = max(10, int(sys.argv[1])) if len(sys.argv) > 1 else 100
    engine = sys.argv[2] if len(sys.argv) > 2 else "namespace"
    os.environ.setdefault("MSB_PATH", str(BUILD / "bin" / "msb"))
    from microsandbox import Sandbox

    sandbox = await Sandbox.create("bench-python-exec", image="base", isolation=engine,
                                   replace=True, ephemeral=True)
    try:
        await sandbox.exec("/bin/true")  # the first exec of a binary is cold
        python: list[float] = []
        cxx: list[float] = []
        per_round = max(5, runs // ROUNDS)
        for _ in range(ROUNDS):
            cxx.append(cxx_median(per_round, engine))
            python.append(statistics.median(await python_samples(sandbox, per_round)))
        config = (await Sandbox.get("bench-python-exec")).config()
    finally:
        await sandbox.kill()
    py_ms, cxx_ms = statistics.median(python), statistics.median(cxx)
    ratio = py_ms / cxx_ms
    accel = "none (host kernel)" if engine == "namespace" else (config.get("accel") or "detected")
    print(f"bench/python: exec /bin/true round trip, {ROUNDS} rounds of {per_round} each, "
          f"engine {engine}, accelerator {accel}")
    print(f"  Python SDK  median {py_ms:7.3f} ms   (round medians {', '.join(f'{x:.3f}' for x in python)})")
    print(f"  C++ SDK     median {cxx_ms:7.3f} ms   (round medians {', '.join(f'{x:.3f}' for x in cxx)})")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"  ratio Python / C++ = {ratio:.2f}   target <= {TARGET} ({'namespace engine' if engine == 'namespace' else 'namespace engine; this run is vm'}): {verdict}")


asyncio.run(main())
