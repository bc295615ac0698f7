"""Image sources and root-disk configurations for `Sandbox.create(image=...)`.

The factories `oci`, `bind` and `disk` become `Image.oci/bind/disk` in the async layer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from microsandbox._checks import expect_enum
from microsandbox.errors import not_supported_yet
from microsandbox.types import (
    DiskImageFormat,
    FlatClone,
    ImageSourceKind,
    MiB,
    RootDiskKind,
    Size,
    size_to_mib,
)


@dataclass(frozen=True, slots=True)
class RootDiskConfig:
    """The sandbox's writable root layer. Sizes are MiB."""

    kind: RootDiskKind
    size_mib: int | None = None
    path: str | None = None
    format: DiskImageFormat | None = None
    fstype: str | None = None
    clone: FlatClone | None = None

    def _to_spec(self) -> dict[str, Any]:
        kind = expect_enum(self.kind, RootDiskKind)
        if kind is RootDiskKind.DISK_IMAGE:
            raise not_supported_yet("RootDisk.disk")
        if kind is RootDiskKind.FLAT:
            raise not_supported_yet("RootDisk.flat")
        size = _mib(self.size_mib if self.size_mib is not None else 0, "size")
        return {"kind": kind.value, "size_bytes": size * MiB}


def _mib(value: int | Size, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Size)):
        raise TypeError(f"{what} must be int (MiB) or Size, got {type(value).__name__}")
    mib = size_to_mib(value)
    if mib < 0:
        raise ValueError(f"{what} must be non-negative")
    return mib


class RootDisk:
    """Factory of RootDiskConfig values; sizes are MiB ints or Size."""

    @staticmethod
    def managed(size: int | Size) -> RootDiskConfig:
        return RootDiskConfig(RootDiskKind.MANAGED, size_mib=_mib(size, "size"))

    @staticmethod
    def tmpfs(size: int | Size) -> RootDiskConfig:
        return RootDiskConfig(RootDiskKind.TMPFS, size_mib=_mib(size, "size"))

    @staticmethod
    def disk(path: str | os.PathLike[str], *, format: DiskImageFormat = DiskImageFormat.RAW,
             fstype: str = "ext4") -> RootDiskConfig:
        return RootDiskConfig(RootDiskKind.DISK_IMAGE, path=os.fspath(path),
                              format=expect_enum(format, DiskImageFormat), fstype=fstype)

    @staticmethod
    def flat(size: int | Size, *, fstype: str = "ext4",
             clone: FlatClone = FlatClone.AUTO) -> RootDiskConfig:
        return RootDiskConfig(RootDiskKind.FLAT, size_mib=_mib(size, "size"), fstype=fstype,
                              clone=expect_enum(clone, FlatClone))


@dataclass(frozen=True, slots=True)
class ImageSource:
    """Where the root filesystem comes from: an OCI `reference`, a host directory or a
    disk image at `path` (with `fstype`)."""

    kind: ImageSourceKind
    reference: str | None = None
    path: str | None = None
    fstype: str | None = None
    root_disk: RootDiskConfig | None = None
    upper_size_mib: int | None = None


def oci(ref: str, *, root_disk: RootDiskConfig | None = None,
        upper_size_mib: int | Size | None = None) -> ImageSource:
    if not isinstance(ref, str):
        raise TypeError(f"ref must be str, got {type(ref).__name__}")
    if root_disk is not None and not isinstance(root_disk, RootDiskConfig):
        raise TypeError(f"expected RootDiskConfig, got {type(root_disk).__name__}")
    upper = None if upper_size_mib is None else _mib(upper_size_mib, "upper_size_mib")
    return ImageSource(ImageSourceKind.OCI, reference=ref, root_disk=root_disk,
                       upper_size_mib=upper)


def bind(path: str | os.PathLike[str]) -> ImageSource:
    return ImageSource(ImageSourceKind.BIND, path=os.fspath(path))


def disk(path: str | os.PathLike[str], *, fstype: str = "ext4") -> ImageSource:
    return ImageSource(ImageSourceKind.DISK, path=os.fspath(path), fstype=fstype)


def _source_spec(source: ImageSource) -> dict[str, Any]:
    """The create-spec keys for `source`: image / rootfs_dir / rootfs_image / root_disk."""
    kind = expect_enum(source.kind, ImageSourceKind)
    spec: dict[str, Any]
    if kind is ImageSourceKind.OCI:
        spec = {"image": source.reference}
    elif kind is ImageSourceKind.BIND:
        spec = {"rootfs_dir": os.path.abspath(_path(source))}
    else:
        spec = {"rootfs_image": {"path": os.path.abspath(_path(source)),
                                 "fstype": source.fstype or "ext4"}}
    if source.root_disk is not None and source.upper_size_mib is not None:
        raise ValueError("pass either root_disk= or upper_size_mib=, not both")
    if source.root_disk is not None:
        spec["root_disk"] = source.root_disk._to_spec()
    elif source.upper_size_mib is not None:
        # The upper (writable) layer is our managed root disk.
        spec["root_disk"] = {"kind": "managed", "size_bytes": source.upper_size_mib * MiB}
    return spec


def _path(source: ImageSource) -> str:
    if source.path is None:
        raise ValueError(f"{source.kind.value} image source needs a path")
    return source.path


__all__ = ["ImageSource", "RootDisk", "RootDiskConfig", "oci", "bind", "disk"]
