"""Image: image sources for Sandbox.create(image=...) and the local image cache."""

from __future__ import annotations

import builtins

import os
from dataclasses import dataclass, field
from typing import Any, Awaitable, Optional, Sequence

from . import images_config
from ._native import call, native
from ._pull import PullSession
from .types import ImageArchiveFormat


@dataclass(frozen=True, slots=True)
class ImageLayerDetail:
    diff_id: str
    blob_digest: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class ImageConfigDetail:
    env: builtins.list[str] = field(default_factory=list)
    entrypoint: builtins.list[str] = field(default_factory=list)
    cmd: builtins.list[str] = field(default_factory=list)
    working_dir: str = ""
    user: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    exposed_ports: builtins.list[str] = field(default_factory=list)
    raw_json: str = ""


@dataclass(frozen=True, slots=True)
class ImagePruneReport:
    manifests: builtins.list[str]
    layers_removed: int


class ImageHandle:
    """A stored image, as read."""

    def __init__(self, info: dict[str, Any], reference: Optional[str] = None) -> None:
        self._info = info
        refs = info["references"]
        self._reference = reference or (refs[0] if refs else info["manifest_digest"])

    @property
    def reference(self) -> str:
        return str(self._reference)

    @property
    def references(self) -> builtins.list[str]:
        return list(self._info["references"])

    @property
    def size_bytes(self) -> int:
        return int(self._info["size_bytes"])

    @property
    def manifest_digest(self) -> str:
        return str(self._info["manifest_digest"])

    @property
    def architecture(self) -> str:
        return str(self._info["architecture"])

    @property
    def os(self) -> str:
        return str(self._info["os"])

    @property
    def layer_count(self) -> int:
        return int(self._info["layer_count"])

    @property
    def created_at(self) -> float:
        return float(self._info["created_at"])

    @property
    def last_used_at(self) -> Optional[float]:
        return None  # not recorded by this runtime

    def inspect(self) -> Awaitable["ImageDetail"]:
        return Image.inspect(self.reference)

    def remove(self, *, force: bool = False) -> Awaitable[None]:
        return Image.remove(self.reference, force=force)

    def __repr__(self) -> str:
        return f"ImageHandle(reference={self.reference!r}, digest={self.manifest_digest!r})"


@dataclass(frozen=True, slots=True)
class ImageDetail:
    handle: ImageHandle
    config: ImageConfigDetail
    layers: builtins.list[ImageLayerDetail]


def _reference(ref: object) -> str:
    if isinstance(ref, os.PathLike):
        ref = os.fspath(ref)
    if not isinstance(ref, str):
        raise TypeError(f"reference must be str, got {type(ref).__name__}")
    if not ref:
        raise ValueError("reference must not be empty")
    return ref


class Image:
    """Image sources (sync factories) and the cache (async static methods)."""

    oci = staticmethod(images_config.oci)
    bind = staticmethod(images_config.bind)
    disk = staticmethod(images_config.disk)

    @staticmethod
    def pull(reference: str, *, insecure: bool = False) -> Awaitable[ImageHandle]:
        """Pulls `reference` (even when stored: a moved tag is picked up)."""
        ref = _reference(reference)

        async def pull() -> ImageHandle:
            return ImageHandle(await call("image", native.image_pull, ref, bool(insecure), None))

        return pull()

    @staticmethod
    def pull_with_progress(reference: str, *, insecure: bool = False) -> PullSession:
        """pull() with its PullEvents: `async for e in session.progress`, then `result()`."""
        ref = _reference(reference)

        async def pull(feed: Any) -> ImageHandle:
            info = await call("image", native.image_pull, ref, bool(insecure), feed.on_progress)
            return ImageHandle(info)

        return PullSession(pull)

    @staticmethod
    def get(reference: str) -> Awaitable[ImageHandle]:
        ref = _reference(reference)

        async def get() -> ImageHandle:
            return ImageHandle(await call("image", native.image_get, ref))

        return get()

    @staticmethod
    async def list() -> builtins.list[ImageHandle]:
        return [ImageHandle(info) for info in await call("image", native.image_list)]

    @staticmethod
    def inspect(reference: str) -> Awaitable[ImageDetail]:
        ref = _reference(reference)

        async def inspect() -> ImageDetail:
            detail = await call("image", native.image_inspect, ref)
            config = ImageConfigDetail(
                env=list(detail["env"]), entrypoint=list(detail["entrypoint"]),
                cmd=list(detail["cmd"]), working_dir=detail["working_dir"], user=detail["user"],
                labels=dict(detail["labels"]), exposed_ports=list(detail["exposed_ports"]),
                raw_json=detail["config_json"])
            layers = [
                ImageLayerDetail(diff_id=layer["diff_id"], blob_digest=layer["digest"],
                                 media_type=layer["media_type"], size_bytes=layer["size"])
                for layer in detail["layers"]
            ]
            return ImageDetail(ImageHandle(detail["info"]), config, layers)

        return inspect()

    @staticmethod
    def remove(reference: str, *, force: bool = False) -> Awaitable[None]:
        ref = _reference(reference)
        return call("image", native.image_remove, ref, bool(force))

    @staticmethod
    async def prune() -> ImagePruneReport:
        manifests, layers = await call("image", native.image_prune)
        return ImagePruneReport(list(manifests), int(layers))

    @staticmethod
    def load(input_path: str, *, tag: Optional[str] = None) -> Awaitable[builtins.list[ImageHandle]]:
        path = os.path.abspath(_reference(input_path))
        if not os.path.exists(path):
            raise FileNotFoundError(path)

        async def load() -> builtins.list[ImageHandle]:
            return [ImageHandle(info) for info in await call("image", native.image_load, path, tag)]

        return load()

    @staticmethod
    def save(reference: str | Sequence[str], *, output_path: str,
             format: ImageArchiveFormat = ImageArchiveFormat.DOCKER) -> Awaitable[None]:
        refs = [reference] if isinstance(reference, str) else [_reference(r) for r in reference]
        if not isinstance(format, ImageArchiveFormat):
            raise TypeError(f"expected ImageArchiveFormat, got {type(format).__name__}")
        out = os.path.abspath(_reference(output_path))
        return call("image", native.image_save, refs, out, format is ImageArchiveFormat.OCI)
