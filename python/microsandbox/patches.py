"""Rootfs patches for `Sandbox.create(patches=...)` and their patch specs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PatchKind(StrEnum):
    TEXT = "text"
    FILE = "file"
    MKDIR = "mkdir"
    APPEND = "append"
    COPY_FILE = "copy_file"
    COPY_DIR = "copy_dir"
    SYMLINK = "symlink"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class PatchConfig:
    """One patch. `path` is the guest path (the link for SYMLINK); `content` is the text or
    bytes written; `source` the host path copied; `target` the symlink's target."""

    kind: PatchKind
    path: str
    content: str | bytes | None = None
    source: str | None = None
    target: str | None = None
    mode: int | None = None
    replace: bool | None = None

    def _to_spec(self) -> dict[str, Any]:
        """The patch spec of docs/design/python-sdk.md."""
        spec: dict[str, Any] = {"kind": self.kind.value, "path": self.path}
        if self.kind in (PatchKind.TEXT, PatchKind.FILE, PatchKind.APPEND):
            content = self.content if self.content is not None else b""
            spec["content"] = content.encode("utf-8") if isinstance(content, str) else content
        elif self.kind in (PatchKind.COPY_FILE, PatchKind.COPY_DIR):
            spec["source"] = os.path.abspath(self.source or "")
        elif self.kind is PatchKind.SYMLINK:
            spec["target"] = self.target
        if self.mode is not None:
            spec["mode"] = self.mode
        if self.replace is not None:
            spec["replace"] = self.replace
        return spec


def _str_path(value: str | os.PathLike[str], what: str) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what} must be str or os.PathLike, got {type(value).__name__}")
    return os.fspath(value)


class Patch:
    """Factory of PatchConfig values."""

    @staticmethod
    def text(path: str, content: str, *, mode: int | None = None,
             replace: bool | None = None) -> PatchConfig:
        if not isinstance(content, str):
            raise TypeError(f"content must be str, got {type(content).__name__}")
        return PatchConfig(PatchKind.TEXT, _str_path(path, "path"), content, mode=mode,
                           replace=replace)

    @staticmethod
    def file(path: str, content: bytes, *, mode: int | None = None,
             replace: bool | None = None) -> PatchConfig:
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise TypeError(f"content must be bytes, got {type(content).__name__}")
        return PatchConfig(PatchKind.FILE, _str_path(path, "path"), bytes(content), mode=mode,
                           replace=replace)

    @staticmethod
    def mkdir(path: str, *, mode: int | None = None) -> PatchConfig:
        return PatchConfig(PatchKind.MKDIR, _str_path(path, "path"), mode=mode)

    @staticmethod
    def append(path: str, content: str | bytes) -> PatchConfig:
        if not isinstance(content, (str, bytes)):
            raise TypeError(f"content must be str or bytes, got {type(content).__name__}")
        return PatchConfig(PatchKind.APPEND, _str_path(path, "path"), content)

    @staticmethod
    def copy_file(src: str | os.PathLike[str], dst: str, *, mode: int | None = None,
                  replace: bool | None = None) -> PatchConfig:
        return PatchConfig(PatchKind.COPY_FILE, _str_path(dst, "dst"),
                           source=_str_path(src, "src"), mode=mode, replace=replace)

    @staticmethod
    def copy_dir(src: str | os.PathLike[str], dst: str, *,
                 replace: bool | None = None) -> PatchConfig:
        return PatchConfig(PatchKind.COPY_DIR, _str_path(dst, "dst"),
                           source=_str_path(src, "src"), replace=replace)

    @staticmethod
    def symlink(target: str, link: str, *, replace: bool | None = None) -> PatchConfig:
        return PatchConfig(PatchKind.SYMLINK, _str_path(link, "link"),
                           target=_str_path(target, "target"), replace=replace)

    @staticmethod
    def remove(path: str) -> PatchConfig:
        return PatchConfig(PatchKind.REMOVE, _str_path(path, "path"))


__all__ = ["Patch", "PatchConfig", "PatchKind"]
