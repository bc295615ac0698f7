"""Snapshot: disk snapshots of stopped sandboxes in the local store."""

from __future__ import annotations

import builtins

import functools
import os
from typing import Any, Awaitable, Mapping, Optional

from . import errors
from ._native import call, native
from .types import SnapshotFormat, SnapshotScope, SnapshotStateKind


class _StaticOrBound:
    """`Snapshot.remove(name)` on the class, `snapshot.remove()` on an instance (the
    reference has both spellings under one name)."""

    def __init__(self, static: Any, bound: Any) -> None:
        self._static = static
        self._bound = bound

    def __get__(self, obj: Any, owner: Any) -> Any:
        return self._static if obj is None else functools.partial(self._bound, obj)


class Snapshot:
    """A stored snapshot, as read. The static methods reach the store."""

    def __init__(self, info: dict[str, Any]) -> None:
        self._info = info

    @property
    def name(self) -> str:
        return str(self._info["name"])

    @property
    def path(self) -> str:
        return str(self._info["path"])

    @property
    def digest(self) -> str:
        return str(self._info["digest"])

    @property
    def size_bytes(self) -> int:
        return int(self._info["size_bytes"])

    @property
    def image_ref(self) -> str:
        return str(self._info["image"])

    @property
    def engine(self) -> str:
        return str(self._info["engine"])

    @property
    def state_kind(self) -> SnapshotStateKind:
        return SnapshotStateKind.FILE

    @property
    def format(self) -> SnapshotFormat:
        return SnapshotFormat.RAW

    @property
    def scope(self) -> SnapshotScope:
        return SnapshotScope.DISK

    @property
    def source_sandbox(self) -> str:
        return str(self._info["source_sandbox"])

    @property
    def labels(self) -> dict[str, str]:
        return {}

    @property
    def created_at(self) -> float:
        return float(self._info["created_at"])

    async def verify(self) -> dict[str, Any]:
        expected, actual, ok = await call("snapshot", native.snapshot_verify, self.name)
        return {"ok": ok, "expected": expected, "actual": actual}

    def _open_self(self) -> Awaitable["Snapshot"]:
        return Snapshot.get(self.name)

    def _remove_self(self, *, force: bool = False) -> Awaitable[None]:
        return Snapshot._remove_named(self.name, force=force)

    def save_to(self, output_path: str, *, with_image: bool = False) -> Awaitable[None]:
        return call("snapshot", native.snapshot_save, self.name, os.path.abspath(output_path),
                    bool(with_image))

    @staticmethod
    def create(name: str, *, from_sandbox: str, dest_dir: Optional[str] = None,
               labels: Optional[Mapping[str, str]] = None, force: bool = False,
               record_integrity: bool = True, resumable: bool = False) -> Awaitable["Snapshot"]:
        if not isinstance(name, str) or not isinstance(from_sandbox, str):
            raise TypeError("name and from_sandbox must be str")
        for value, what in ((dest_dir, "dest_dir"), (labels, "labels"),
                            (force or None, "force"), (resumable or None, "resumable")):
            if value:
                raise errors.not_supported_yet(f"snapshot {what}")

        async def create() -> Snapshot:
            return Snapshot(await call("snapshot", native.snapshot_create, name, from_sandbox))

        return create()

    @staticmethod
    def get(name: str) -> Awaitable["Snapshot"]:
        async def get() -> Snapshot:
            return Snapshot(await call("snapshot", native.snapshot_get, name))

        return get()

    @staticmethod
    def _open_named(path_or_name: str) -> Awaitable["Snapshot"]:
        return Snapshot.get(os.path.basename(os.path.normpath(path_or_name)))

    @staticmethod
    async def list() -> builtins.list["Snapshot"]:
        return [Snapshot(info) for info in await call("snapshot", native.snapshot_list)]

    @staticmethod
    def _remove_named(path_or_name: str, *, force: bool = False) -> Awaitable[None]:
        name = os.path.basename(os.path.normpath(path_or_name))
        return call("snapshot", native.snapshot_remove, name)

    open = _StaticOrBound(_open_named, _open_self)
    remove = _StaticOrBound(_remove_named, _remove_self)

    @staticmethod
    def save(name: str, output_path: str, *, with_image: bool = False) -> Awaitable[None]:
        return call("snapshot", native.snapshot_save, name, os.path.abspath(output_path),
                    bool(with_image))

    @staticmethod
    def load(archive_path: str) -> Awaitable["Snapshot"]:
        path = os.path.abspath(archive_path)
        if not os.path.exists(path):
            raise FileNotFoundError(path)

        async def load() -> Snapshot:
            return Snapshot(await call("snapshot", native.snapshot_load, path))

        return load()

    def __repr__(self) -> str:
        return f"Snapshot(name={self.name!r}, digest={self.digest!r})"


SnapshotHandle = Snapshot
