"""Shared by every Python suite: skipped tests are listed with their reasons in
$MSB_TEST_SKIP_DIR/skipped.txt, as the C++ test binaries do (tests/support/skip_report.cc),
so that scripts/test.sh can name them: a skip is not a pass."""

from __future__ import annotations

import os

import pytest


def _suite_name() -> str:
    engine = os.environ.get("MSB_TEST_ISOLATION")
    return "python" + (f".{engine}" if engine else ".unit")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    directory = os.environ.get("MSB_TEST_SKIP_DIR")
    if not directory or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    line = f"{_suite_name()} {report.nodeid}: {' '.join(reason.split())}\n"
    os.makedirs(directory, exist_ok=True)
    # One write per line with O_APPEND: concurrent suites never interleave lines.
    fd = os.open(os.path.join(directory, "skipped.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
