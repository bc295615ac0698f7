"""The `msb` script of the package: runs the bundled msb (or $MSB_PATH's)."""

from __future__ import annotations

import os
import sys

from ._runtime import configure


def main() -> None:
    bin_dir = configure()
    msb = None if bin_dir is None else bin_dir / "msb"
    if msb is None or not msb.is_file():
        print(f"msb: not found (set MSB_PATH or reinstall the package)", file=sys.stderr)
        sys.exit(127)
    os.execv(str(msb), [str(msb), *sys.argv[1:]])
