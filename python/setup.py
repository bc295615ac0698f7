"""Builds the package from the C++ build tree: the native module (CMake target
_microsandbox) and a bundled runtime (msb, msb-runtime and the guest kit) that the package
finds next to itself.

The C++ tree must be configured first (scripts/setup.sh does it); MSB_BUILD_DIR names the
build directory (default: ../build beside this file).
"""

import os
import pathlib
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
BUILD_DIR = pathlib.Path(os.environ.get("MSB_BUILD_DIR", HERE.parent / "build")).resolve()


class CMakeBuild(build_ext):
    """Builds _microsandbox with the tree's CMake build and copies it with the runtime."""

    def build_extension(self, ext: Extension) -> None:
        if not (BUILD_DIR / "build.ninja").exists() and not (BUILD_DIR / "Makefile").exists():
            raise RuntimeError(
                f"no C++ build in {BUILD_DIR}: run scripts/setup.sh first "
                "(or set MSB_BUILD_DIR to a configured build directory)")
        subprocess.run(["cmake", "--build", str(BUILD_DIR), "--target", "_microsandbox",
                        "msb", "msb-server", "msb-runtime"], check=True)
        built = next((BUILD_DIR / "python" / "microsandbox").glob("_microsandbox*.so"))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
        self._bundle(target.parent / "_bundled")

    @staticmethod
    def _bundle(bundled: pathlib.Path) -> None:
        # bin/ and share/microsandbox/ side by side, as in the build tree, so msb-runtime
        # finds its kit the way it does there.
        if bundled.exists():
            shutil.rmtree(bundled)
        (bundled / "bin").mkdir(parents=True)
        kit = bundled / "share" / "microsandbox"
        kit.mkdir(parents=True)
        # msb-server: what `msb server` runs (the python -m microsandbox CLI included).
        copies = [bundled / "bin" / name for name in ("msb", "msb-server", "msb-runtime")]
        for copy in copies:
            shutil.copy2(BUILD_DIR / "bin" / copy.name, copy)
        copies.append(kit / "msb-agentd")
        for entry in (BUILD_DIR / "share" / "microsandbox").iterdir():
            if entry.name != "base":
                shutil.copy2(entry, kit / entry.name)
        # Without debug sections the wheel is a third of the size and installs faster.
        if shutil.which("strip"):
            subprocess.run(["strip", "--strip-debug", *map(str, copies)], check=True)
        # The base image's tree (busybox under ~300 names) travels as the build's base.tar,
        # copied above: msb-runtime unpacks it at first use (src/engine/ns/base_tree.h).

setup(
    ext_modules=[Extension("microsandbox._microsandbox", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    package_data={"microsandbox": ["py.typed", "*.pyi"]},
)
