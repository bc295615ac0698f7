"""How the package finds msb-runtime and the guest kit (microsandbox/_runtime.py)."""

from __future__ import annotations

import os
import pathlib

import pytest

from microsandbox import _runtime


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pathlib.Path:
    for name in ("MSB_PATH", "MSB_RUNTIME", "MSB_KIT_DIR"):
        # setenv first: monkeypatch then restores the variable even if configure() sets it.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("MSB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setattr(_runtime, "BUNDLED", tmp_path / "no-bundle")
    return tmp_path


def make_build(root: pathlib.Path, with_base_dir: bool) -> pathlib.Path:
    """A build-tree-like layout: bin/msb, bin/msb-runtime, share/microsandbox/."""
    (root / "bin").mkdir(parents=True)
    for name in ("msb", "msb-runtime"):
        binary = root / "bin" / name
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
    kit = root / "share" / "microsandbox"
    kit.mkdir(parents=True)
    (kit / "vmlinux").write_bytes(b"kernel")
    if with_base_dir:
        (kit / "base" / "bin").mkdir(parents=True)
        (kit / "base" / "bin" / "busybox").write_bytes(b"bb")
    else:
        (kit / "base.tar").write_bytes(b"an archive")
    return root


def test_nothing_found_says_how_to_fix_it(clean_env: pathlib.Path) -> None:
    assert _runtime.configure() is None
    assert "MSB_RUNTIME" not in os.environ
    hint = _runtime.missing_runtime_hint()
    assert "MSB_PATH" in hint and "scripts/setup.sh" in hint


def test_msb_path_names_a_build(clean_env: pathlib.Path) -> None:
    build = make_build(clean_env / "build", with_base_dir=True)
    os.environ["MSB_PATH"] = str(build / "bin" / "msb")
    assert _runtime.configure() == build / "bin"
    assert os.environ["MSB_RUNTIME"] == str(build / "bin" / "msb-runtime")
    assert os.environ["MSB_KIT_DIR"] == str(build / "share" / "microsandbox")


def test_msb_path_may_name_the_bin_directory(clean_env: pathlib.Path) -> None:
    build = make_build(clean_env / "build", with_base_dir=True)
    os.environ["MSB_PATH"] = str(build / "bin")
    assert _runtime.configure() == build / "bin"


def test_explicit_settings_win(clean_env: pathlib.Path) -> None:
    build = make_build(clean_env / "build", with_base_dir=True)
    os.environ["MSB_PATH"] = str(build / "bin" / "msb")
    os.environ["MSB_RUNTIME"] = "/opt/mine/msb-runtime"
    os.environ["MSB_KIT_DIR"] = "/opt/mine/kit"
    _runtime.configure()
    assert os.environ["MSB_RUNTIME"] == "/opt/mine/msb-runtime"
    assert os.environ["MSB_KIT_DIR"] == "/opt/mine/kit"


def test_bundled_kit_is_used_as_it_is(clean_env: pathlib.Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Its base tree is base.tar, which msb-runtime unpacks (src/engine/ns/base_tree.h).
    bundle = make_build(clean_env / "bundle", with_base_dir=False)
    monkeypatch.setattr(_runtime, "BUNDLED", bundle)
    assert _runtime.configure() == bundle / "bin"
    assert os.environ["MSB_KIT_DIR"] == str(bundle / "share" / "microsandbox")
    assert not (clean_env / "home").exists()  # nothing written at import time
