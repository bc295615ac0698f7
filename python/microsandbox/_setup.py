"""Setup and backend functions of the reference. This runtime is local only: the cloud
backend and libkrun's firmware do not exist here."""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator, Optional

from . import errors
from ._native import RUNTIME_DIR, native
from ._runtime import missing_runtime_hint
from .types import BackendInfo, BackendKind


def version() -> str:
    return str(native.__version__)


def is_installed() -> bool:
    """Whether msb-runtime and the guest kit were found."""
    kit = os.environ.get("MSB_KIT_DIR")
    return RUNTIME_DIR is not None and bool(kit) and os.path.isdir(kit or "")


async def install() -> None:
    """Nothing to download: the runtime comes with the package. Raises when it is missing."""
    if not is_installed():
        raise errors.MicrosandboxError(missing_runtime_hint())


def set_libkrunfw_path(path: str) -> None:
    raise errors.not_supported_yet("libkrunfw (this runtime boots its own kernel with QEMU)")


def default_backend_kind() -> BackendKind:
    return BackendKind.LOCAL


def default_backend_info() -> BackendInfo:
    return BackendInfo(kind=BackendKind.LOCAL, api_url=None, source="default", profile=None)


def set_default_backend(kind: BackendKind, *, url: Optional[str] = None,
                        api_key: Optional[str] = None, profile: Optional[str] = None) -> None:
    if not isinstance(kind, BackendKind):
        raise TypeError(f"expected BackendKind, got {type(kind).__name__}")
    if kind is not BackendKind.LOCAL:
        raise errors.not_supported_yet("the cloud backend")


@contextlib.contextmanager
def backend_scope(kind: BackendKind = BackendKind.LOCAL, **kwargs: Any) -> Iterator[None]:
    set_default_backend(kind, **kwargs)
    yield
