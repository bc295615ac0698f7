"""Where msb-runtime and the guest kit are, for the native module and the `msb` script.

Pure Python (no native import): the `msb` script uses it too.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from typing import Optional

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
BUNDLED = PACKAGE_DIR / "_bundled"


def msb_home() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MSB_HOME") or pathlib.Path.home() / ".microsandbox")


def _candidates() -> list[pathlib.Path]:
    """Directories that may hold msb-runtime, most specific first."""
    found: list[pathlib.Path] = []
    msb_path = os.environ.get("MSB_PATH")
    if msb_path:
        path = pathlib.Path(msb_path).expanduser()
        found.append(path if path.is_dir() else path.parent)
    found.append(BUNDLED / "bin")
    on_path = shutil.which("msb-runtime")
    if on_path:
        found.append(pathlib.Path(on_path).parent)
    return found


def configure() -> Optional[pathlib.Path]:
    """Points the C++ SDK (and msb) at msb-runtime and the guest kit, unless MSB_RUNTIME /
    MSB_KIT_DIR are set already. Returns the runtime's directory, or None if none was found.
    """
    for bin_dir in _candidates():
        runtime = bin_dir / "msb-runtime"
        if not (runtime.is_file() and os.access(runtime, os.X_OK)):
            continue
        os.environ.setdefault("MSB_RUNTIME", str(runtime))
        kit = bin_dir.parent / "share" / "microsandbox"
        # A bundled kit holds the base tree as base.tar: msb-runtime unpacks it itself.
        if "MSB_KIT_DIR" not in os.environ and kit.is_dir():
            os.environ["MSB_KIT_DIR"] = str(kit)
        return bin_dir
    return None


def missing_runtime_hint() -> str:
    return (
        "microsandbox: msb-runtime was not found (looked in $MSB_PATH, the package's "
        f"_bundled/bin at {BUNDLED / 'bin'}, and $PATH). Reinstall the package with "
        "scripts/setup.sh, or set MSB_PATH to the msb binary of a build "
        "(e.g. MSB_PATH=/path/to/build/bin/msb)."
    )
