"""Mount configurations for `Sandbox.create(volumes=...)` and their mount specs.

The factories here become `Volume.bind/named/tmpfs/disk` in the async layer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from microsandbox._checks import expect_enum, expect_optional_enum
from microsandbox.errors import not_supported_yet
from microsandbox.types import (
    DiskImageFormat,
    HostPermissions,
    MountKind,
    NamedVolumeMode,
    StatVirtualization,
    VolumeKind,
)

_DISK_FSTYPES = ("ext4", "ext3", "ext2")


@dataclass(frozen=True, slots=True)
class MountConfig:
    """One mount; which fields apply depends on `kind` (bind: `bind`; named: `named` and
    `named_*`; tmpfs: `size_mib`; disk: `disk`, `format`, `fstype`)."""

    kind: MountKind
    bind: str | None = None
    named: str | None = None
    named_mode: NamedVolumeMode | None = None
    named_kind: VolumeKind | None = None
    quota_mib: int | None = None
    size_mib: int | None = None
    readonly: bool = False
    noexec: bool = False
    nosuid: bool = True
    nodev: bool = True
    disk: str | None = None
    format: DiskImageFormat | None = None
    fstype: str | None = None
    stat_virtualization: StatVirtualization | None = None
    host_permissions: HostPermissions | None = None

    def _to_spec(self) -> dict[str, Any]:
        """The mount spec of docs/design/python-sdk.md."""
        kind = expect_enum(self.kind, MountKind)
        # Our runtime always mounts nosuid,nodev and has one ownership/stat model.
        if not self.nosuid:
            raise not_supported_yet("nosuid=False")
        if not self.nodev:
            raise not_supported_yet("nodev=False")
        if self.stat_virtualization is not None:
            raise not_supported_yet("stat_virtualization")
        if self.host_permissions is not None:
            raise not_supported_yet("host_permissions")
        spec: dict[str, Any]
        if kind is MountKind.BIND:
            spec = {"kind": "bind", "path": os.path.abspath(_required(self.bind, "bind"))}
        elif kind is MountKind.NAMED:
            spec = self._named_spec()
        elif kind is MountKind.TMPFS:
            spec = {"kind": "tmpfs", "size_mib": _non_negative(self.size_mib or 0, "size_mib")}
        else:
            spec = self._disk_spec()
        if self.readonly:
            spec["readonly"] = True
        if self.noexec:
            spec["noexec"] = True
        return spec

    def _named_spec(self) -> dict[str, Any]:
        # Our named volumes are directories made on first mount, i.e. ENSURE_EXISTS.
        if self.named_mode not in (None, NamedVolumeMode.ENSURE_EXISTS):
            raise not_supported_yet(f"named volume mode {self.named_mode}")
        if self.named_kind not in (None, VolumeKind.DIRECTORY):
            raise not_supported_yet(f"named volume kind {self.named_kind}")
        if self.size_mib is not None:
            raise not_supported_yet("named volume size_mib")
        if self.quota_mib is not None:
            raise not_supported_yet("named volume quota_mib")
        return {"kind": "named", "name": _required(self.named, "named")}

    def _disk_spec(self) -> dict[str, Any]:
        fmt = expect_enum(self.format or DiskImageFormat.RAW, DiskImageFormat)
        if fmt is DiskImageFormat.VMDK:
            raise not_supported_yet("vmdk disk images")
        fstype = self.fstype or "ext4"
        if fstype not in _DISK_FSTYPES:
            raise not_supported_yet(f"disk fstype {fstype}")
        return {"kind": "disk", "path": os.path.abspath(_required(self.disk, "disk")),
                "format": fmt.value, "fstype": fstype}


def _required(value: str | None, what: str) -> str:
    if value is None:
        raise ValueError(f"{what} mount needs a {what}")
    return os.fspath(value)


def _non_negative(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must be non-negative")
    return value


def bind(
    path: str | os.PathLike[str],
    *,
    readonly: bool = False,
    noexec: bool = False,
    nosuid: bool = True,
    nodev: bool = True,
    stat_virtualization: StatVirtualization | None = None,
    host_permissions: HostPermissions | None = None,
) -> MountConfig:
    return MountConfig(
        MountKind.BIND, bind=os.fspath(path), readonly=readonly, noexec=noexec,
        nosuid=nosuid, nodev=nodev,
        stat_virtualization=expect_optional_enum(stat_virtualization, StatVirtualization),
        host_permissions=expect_optional_enum(host_permissions, HostPermissions))


def named(
    name: str,
    *,
    mode: NamedVolumeMode | None = None,
    kind: VolumeKind | None = None,
    size_mib: int | None = None,
    quota_mib: int | None = None,
    readonly: bool = False,
    noexec: bool = False,
    nosuid: bool = True,
    nodev: bool = True,
    stat_virtualization: StatVirtualization | None = None,
    host_permissions: HostPermissions | None = None,
) -> MountConfig:
    return MountConfig(
        MountKind.NAMED, named=name, named_mode=expect_optional_enum(mode, NamedVolumeMode),
        named_kind=expect_optional_enum(kind, VolumeKind), size_mib=size_mib,
        quota_mib=quota_mib, readonly=readonly, noexec=noexec, nosuid=nosuid, nodev=nodev,
        stat_virtualization=expect_optional_enum(stat_virtualization, StatVirtualization),
        host_permissions=expect_optional_enum(host_permissions, HostPermissions))


def tmpfs(
    *,
    size_mib: int | None = None,
    readonly: bool = False,
    noexec: bool = False,
    nosuid: bool = True,
    nodev: bool = True,
) -> MountConfig:
    return MountConfig(MountKind.TMPFS, size_mib=size_mib, readonly=readonly, noexec=noexec,
                       nosuid=nosuid, nodev=nodev)


def disk(
    path: str | os.PathLike[str],
    *,
    format: DiskImageFormat = DiskImageFormat.RAW,
    fstype: str = "ext4",
    readonly: bool = False,
    noexec: bool = False,
    nosuid: bool = True,
    nodev: bool = True,
) -> MountConfig:
    return MountConfig(MountKind.DISK, disk=os.fspath(path),
                       format=expect_enum(format, DiskImageFormat), fstype=fstype,
                       readonly=readonly, noexec=noexec, nosuid=nosuid, nodev=nodev)


__all__ = ["MountConfig", "bind", "named", "tmpfs", "disk"]
