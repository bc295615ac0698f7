"""Volume: named volumes in the local store, and the mount factories for create(volumes=)."""

from __future__ import annotations

import builtins

import os
import shutil
from dataclasses import dataclass
from typing import Any, Awaitable, Mapping, Optional

from . import errors, volumes_config
from ._native import call, native
from .types import DiskImageFormat, FsEntry, FsEntryKind, FsMetadata, VolumeKind


def _kind(path: str) -> FsEntryKind:
    if os.path.islink(path):
        return FsEntryKind.SYMLINK
    if os.path.isdir(path):
        return FsEntryKind.DIRECTORY
    if os.path.isfile(path):
        return FsEntryKind.FILE
    return FsEntryKind.OTHER


class VolumeFs:
    """A directory volume's files, by path relative to its root, read on the host.

    Paths may not leave the volume: absolute paths, `..` and symlinks that point outside are
    refused (FilesystemError).
    """

    def __init__(self, root: str) -> None:
        self._root = os.path.realpath(root)

    def _path(self, relative: str) -> str:
        if not isinstance(relative, str):
            raise TypeError(f"path must be str, got {type(relative).__name__}")
        joined = os.path.realpath(os.path.join(self._root, relative.lstrip("/")))
        if joined != self._root and not joined.startswith(self._root + os.sep):
            raise errors.FilesystemError(f"{relative}: outside the volume")
        return joined

    async def read(self, path: str) -> bytes:
        with open(self._path(path), "rb") as f:
            return f.read()

    async def read_text(self, path: str) -> str:
        return (await self.read(path)).decode("utf-8")

    async def write(self, path: str, data: bytes | str) -> None:
        target = self._path(path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else bytes(data))

    async def list(self, path: str = "") -> builtins.list[FsEntry]:
        base = self._path(path)
        entries = []
        for name in sorted(os.listdir(base)):
            full = os.path.join(base, name)
            st = os.lstat(full)
            entries.append(FsEntry(path=os.path.relpath(full, self._root), kind=_kind(full),
                                   size=st.st_size, mode=st.st_mode & 0o7777,
                                   modified=st.st_mtime * 1000.0))
        return entries

    async def mkdir(self, path: str) -> None:
        os.makedirs(self._path(path), exist_ok=True)

    async def remove_file(self, path: str) -> None:
        os.unlink(self._path(path))

    async def remove_dir(self, path: str) -> None:
        shutil.rmtree(self._path(path))

    async def copy(self, src: str, dst: str) -> None:
        source, target = self._path(src), self._path(dst)
        if os.path.isdir(source):
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)

    async def rename(self, src: str, dst: str) -> None:
        os.rename(self._path(src), self._path(dst))

    async def stat(self, path: str) -> FsMetadata:
        full = self._path(path)
        st = os.lstat(full)
        return FsMetadata(kind=_kind(full), size=st.st_size, mode=st.st_mode & 0o7777,
                          readonly=not os.access(full, os.W_OK), modified=st.st_mtime * 1000.0,
                          created=None)

    async def exists(self, path: str) -> bool:
        return os.path.lexists(self._path(path))


@dataclass(frozen=True, slots=True)
class Volume:
    """A named volume as created. Static methods reach the store."""

    name: str
    path: str

    bind = staticmethod(volumes_config.bind)
    named = staticmethod(volumes_config.named)
    tmpfs = staticmethod(volumes_config.tmpfs)
    disk = staticmethod(volumes_config.disk)

    @staticmethod
    def create(name: str, *, kind: VolumeKind = VolumeKind.DIRECTORY,
               size_mib: Optional[int] = None, quota_mib: Optional[int] = None,
               labels: Optional[Mapping[str, str]] = None) -> Awaitable["Volume"]:
        if not isinstance(name, str):
            raise TypeError(f"name must be str, got {type(name).__name__}")
        if not isinstance(kind, VolumeKind):
            raise TypeError(f"expected VolumeKind, got {type(kind).__name__}")
        if labels is not None and not isinstance(labels, Mapping):
            raise TypeError("labels must be a Mapping")
        if kind is VolumeKind.DISK and not size_mib:
            raise errors.InvalidConfigError("a disk volume needs size_mib")
        if kind is VolumeKind.DIRECTORY and size_mib is not None:
            raise errors.InvalidConfigError("a directory volume takes no size_mib (use quota_mib)")
        size_bytes = (size_mib or 0) * 1024 * 1024
        label_map = {str(k): str(v) for k, v in (labels or {}).items()}

        async def create() -> Volume:
            info = await call("volume", native.volume_create, name, kind.value, size_bytes,
                              quota_mib or 0, label_map)
            return Volume(info["name"], info["path"])

        return create()

    @staticmethod
    def get(name: str) -> Awaitable["VolumeHandle"]:
        async def get() -> VolumeHandle:
            return VolumeHandle(await call("volume", native.volume_get, name))

        return get()

    @staticmethod
    async def list() -> builtins.list["VolumeHandle"]:
        return [VolumeHandle(info) for info in await call("volume", native.volume_list)]

    @staticmethod
    def remove(name: str, *, force: bool = False) -> Awaitable[None]:
        return call("volume", native.volume_remove, name, bool(force))

    @staticmethod
    async def get_default() -> Any:
        raise errors.not_supported_yet("default volume")


class VolumeHandle:
    """A volume as read from the store."""

    def __init__(self, info: dict[str, Any]) -> None:
        self._info = info

    @property
    def name(self) -> str:
        return str(self._info["name"])

    @property
    def path(self) -> str:
        return str(self._info["path"])

    @property
    def is_default(self) -> bool:
        return False

    @property
    def kind(self) -> VolumeKind:
        return VolumeKind(self._info["kind"])

    @property
    def quota_mib(self) -> Optional[int]:
        return int(self._info["quota_mib"]) or None

    @property
    def capacity_bytes(self) -> Optional[int]:
        return int(self._info["size_bytes"]) or None

    @property
    def used_bytes(self) -> int:
        if self.kind is VolumeKind.DISK:
            return os.stat(self.path).st_blocks * 512 if os.path.exists(self.path) else 0
        total = 0
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass
        return total

    @property
    def disk_format(self) -> Optional[DiskImageFormat]:
        return DiskImageFormat.RAW if self.kind is VolumeKind.DISK else None

    @property
    def disk_fstype(self) -> Optional[str]:
        return "ext4" if self.kind is VolumeKind.DISK else None

    @property
    def labels(self) -> dict[str, str]:
        return dict(self._info["labels"])

    @property
    def used_by(self) -> builtins.list[str]:
        return list(self._info["used_by"])

    @property
    def created_at(self) -> float:
        return float(self._info["created_at"])

    @property
    def fs(self) -> VolumeFs:
        if self.kind is not VolumeKind.DIRECTORY:
            raise errors.not_supported_yet("fs on a disk volume")
        return VolumeFs(self.path)

    def remove(self, *, force: bool = False) -> Awaitable[None]:
        return Volume.remove(self.name, force=force)

    def __repr__(self) -> str:
        return f"VolumeHandle(name={self.name!r}, kind={self.kind.value!r})"
