"""Error classes of the SDK and the mapping from the C++ runtime's error kinds."""

from __future__ import annotations


class MicrosandboxError(Exception):
    """Base of every SDK error.

    `kind` is the C++ ErrorKind name ("not-found", ...) when the error came from the
    runtime, and `errno` the system errno behind it (0 when there is none).
    """

    code: str = "microsandbox-error"

    def __init__(self, message: str = "", *, kind: str | None = None, errno: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.errno = errno


class InvalidConfigError(MicrosandboxError):
    code = "invalid-config"


class NoDefaultCommandError(MicrosandboxError):
    code = "no-default-command"


class CloudHttpError(MicrosandboxError):
    code = "cloud-http"


class SandboxNotFoundError(MicrosandboxError):
    code = "sandbox-not-found"


class SandboxNotRunningError(MicrosandboxError):
    code = "sandbox-not-running"


class SandboxAlreadyExistsError(MicrosandboxError):
    code = "sandbox-already-exists"


class SandboxStillRunningError(MicrosandboxError):
    code = "sandbox-still-running"


class ExecTimeoutError(MicrosandboxError):
    code = "exec-timeout"


class ExecFailedError(MicrosandboxError):
    code = "exec-failed"


class FilesystemError(MicrosandboxError):
    code = "filesystem-error"


class PathNotFoundError(MicrosandboxError):
    code = "path-not-found"


class VolumeNotFoundError(MicrosandboxError):
    code = "volume-not-found"


class ImageNotFoundError(MicrosandboxError):
    code = "image-not-found"


class ImageInUseError(MicrosandboxError):
    code = "image-in-use"


class ImagePullFailedError(MicrosandboxError):
    code = "image-pull-failed"


class IoError(MicrosandboxError):
    code = "io-error"


class MetricsDisabledError(MicrosandboxError):
    code = "metrics-disabled"


class MetricsUnavailableError(MicrosandboxError):
    code = "metrics-unavailable"


class UnsupportedOperationError(MicrosandboxError):
    code = "unsupported-operation"


class UnsupportedError(MicrosandboxError):
    code = "unsupported"

    def __init__(
        self,
        message: str = "",
        operation: str | None = None,
        hint: str | None = None,
        *,
        kind: str | None = None,
        errno: int = 0,
    ) -> None:
        super().__init__(message, kind=kind, errno=errno)
        self.operation = operation
        self.hint = hint


class SnapshotMigrationError(MicrosandboxError):
    code = "snapshot-migration"


class NetworkPolicyError(MicrosandboxError):
    code = "network-policy"


class SecretViolationError(MicrosandboxError):
    code = "secret-violation"


class TlsError(MicrosandboxError):
    code = "tls"


def not_supported_yet(what: str) -> UnsupportedError:
    """The error for a reference feature our runtime does not have (yet)."""
    return UnsupportedError(f"not supported yet: {what}", operation=what)


# Per context, the kinds that mean something more specific than the general mapping.
_BY_CONTEXT: dict[str, dict[str, type[MicrosandboxError]]] = {
    "sandbox": {
        "not-found": SandboxNotFoundError,
        "already-exists": SandboxAlreadyExistsError,
        "still-running": SandboxStillRunningError,
    },
    "exec": {
        "not-found": SandboxNotRunningError,
        "io": SandboxNotRunningError,
        "exec-failed": ExecFailedError,
    },
    "image": {
        "not-found": ImageNotFoundError,
        "image-not-found": ImageNotFoundError,
        "image-in-use": ImageInUseError,
    },
    "volume": {"not-found": VolumeNotFoundError},
    "snapshot": {"not-found": MicrosandboxError},
}

_GENERAL: dict[str, type[MicrosandboxError]] = {
    "invalid-config": InvalidConfigError,
    "image-not-found": ImageNotFoundError,
    "image-in-use": ImageInUseError,
    "io": IoError,
}


def translate(kind: str, message: str, errno: int, context: str) -> MicrosandboxError:
    """The Python error for a C++ microsandbox::Error of `kind` raised in `context`
    ("sandbox", "exec", "fs", "image", "volume" or "snapshot"); the message is kept."""
    if kind == "unsupported":
        return UnsupportedError(message, kind=kind, errno=errno)
    cls: type[MicrosandboxError]
    if context == "fs":
        cls = FilesystemError
    else:
        specific = _BY_CONTEXT.get(context, {}).get(kind)
        cls = specific if specific is not None else _GENERAL.get(kind, MicrosandboxError)
    return cls(message, kind=kind, errno=errno)


__all__ = [
    "MicrosandboxError",
    "InvalidConfigError",
    "NoDefaultCommandError",
    "CloudHttpError",
    "SandboxNotFoundError",
    "SandboxNotRunningError",
    "SandboxAlreadyExistsError",
    "SandboxStillRunningError",
    "ExecTimeoutError",
    "ExecFailedError",
    "FilesystemError",
    "PathNotFoundError",
    "VolumeNotFoundError",
    "ImageNotFoundError",
    "ImageInUseError",
    "ImagePullFailedError",
    "IoError",
    "MetricsDisabledError",
    "MetricsUnavailableError",
    "UnsupportedOperationError",
    "UnsupportedError",
    "SnapshotMigrationError",
    "NetworkPolicyError",
    "SecretViolationError",
    "TlsError",
    "not_supported_yet",
    "translate",
]
