"""Enums, sizes and plain value types of the SDK (no I/O, no native code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Mapping, Sequence

from microsandbox._exec_types import (  # exec types, re-exported
    ExecEvent,
    ExecEventType,
    ExecOptions,
    ExitStatus,
    Rlimit,
    RlimitResource,
    Stdin,
    StdinMode,
)

# ---------------------------------------------------------------- sizes

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Size:
    """A size in bytes; `Size.mib(n)` / `Size.gib(n)` build one, `to_mib()` reads it in MiB."""

    bytes: int

    @classmethod
    def mib(cls, n: int) -> Size:
        return cls(n * MiB)

    @classmethod
    def gib(cls, n: int) -> Size:
        return cls(n * GiB)

    def to_mib(self) -> int:
        """Whole MiB, rounded up: a size limit never shrinks below what was asked."""
        return -(-self.bytes // MiB)


def size_to_mib(value: int | Size) -> int:
    """An int (already MiB) or a Size, as MiB."""
    return value.to_mib() if isinstance(value, Size) else value


# ---------------------------------------------------------------- backend

class BackendKind(StrEnum):
    LOCAL = "local"
    CLOUD = "cloud"


@dataclass(frozen=True, slots=True)
class BackendInfo:
    kind: BackendKind
    api_url: str | None = None
    source: str | None = None
    profile: str | None = None


# ---------------------------------------------------------------- sandbox settings

class SandboxStatus(StrEnum):
    CREATED = "created"
    STARTING = "starting"
    RUNNING = "running"
    STOPPED = "stopped"
    CRASHED = "crashed"
    DRAINING = "draining"
    PAUSED = "paused"


class PullPolicy(StrEnum):
    ALWAYS = "always"
    IF_MISSING = "if-missing"
    NEVER = "never"


class LogLevel(StrEnum):
    TRACE = "trace"
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


class SecurityProfile(StrEnum):
    DEFAULT = "default"
    RESTRICTED = "restricted"


class DeploymentProfile(StrEnum):
    SINGLE_TENANT = "single-tenant"
    MULTI_TENANT = "multi-tenant"


class CpuPlacement(StrEnum):
    INHERIT = "inherit"
    AUTO = "auto"
    SPREAD = "spread"
    COMPACT = "compact"


@dataclass(frozen=True, slots=True)
class InitConfig:
    cmd: str
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegistryAuth:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class DnsConfig:
    rebind_protection: bool = True
    nameservers: Sequence[str] = ()
    query_timeout_ms: int | None = None


# ---------------------------------------------------------------- images and disks

class ImageSourceKind(StrEnum):
    OCI = "oci"
    BIND = "bind"
    DISK = "disk"


class RootDiskKind(StrEnum):
    MANAGED = "managed"
    TMPFS = "tmpfs"
    DISK_IMAGE = "disk-image"
    FLAT = "flat"


class FlatClone(StrEnum):
    AUTO = "auto"
    COPY = "copy"
    REFLINK = "reflink"


class DiskImageFormat(StrEnum):
    QCOW2 = "qcow2"
    RAW = "raw"
    VMDK = "vmdk"


class ImageArchiveFormat(StrEnum):
    # The reference names the DOCKER member (save's default); "oci" is its other layout.
    DOCKER = "docker"
    OCI = "oci"


# ---------------------------------------------------------------- volumes

class MountKind(StrEnum):
    BIND = "bind"
    NAMED = "named"
    TMPFS = "tmpfs"
    DISK = "disk"


class VolumeKind(StrEnum):
    DIRECTORY = "dir"
    DISK = "disk"


class NamedVolumeMode(StrEnum):
    EXISTING = "existing"
    CREATE = "create"
    ENSURE_EXISTS = "ensure-exists"


class StatVirtualization(StrEnum):
    STRICT = "strict"
    RELAXED = "relaxed"
    OFF = "off"


class HostPermissions(StrEnum):
    PRIVATE = "private"
    MIRROR = "mirror"


# ---------------------------------------------------------------- snapshots

class SnapshotStateKind(StrEnum):
    FILE = "file"
    CHECKPOINT = "checkpoint"


class SnapshotFormat(StrEnum):
    RAW = "raw"
    QCOW2 = "qcow2"


class SnapshotScope(StrEnum):
    DISK = "disk"
    RESUMABLE = "resumable"


# ---------------------------------------------------------------- modify

class ModificationPolicy(StrEnum):
    NO_RESTART = "no_restart"
    NEXT_START = "next_start"
    RESTART = "restart"


class ChangeKind(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


class SecretChangeKind(StrEnum):
    ADDED = "added"
    ROTATED = "rotated"
    REMOVED = "removed"
    RENAMED = "renamed"
    HOSTS_UPDATED = "hosts updated"
    PLACEHOLDER_UPDATED = "placeholder updated"


class ModificationDisposition(StrEnum):
    LIVE = "live"
    NEXT_START = "next start"
    REQUIRES_RESTART = "requires restart"
    UNSUPPORTED = "unsupported"


class ResourceKind(StrEnum):
    CPUS = "cpus"
    MEMORY = "memory"


class ResourceConvergenceState(StrEnum):
    ACCEPTED = "accepted"
    CONVERGING = "converging"
    APPLIED = "applied"
    GUEST_REFUSED = "guest-refused"
    FAILED = "failed"


class PlannedChangeKind(StrEnum):
    CONFIG = "config"
    SECRET = "secret"


# ---------------------------------------------------------------- network enums

class ViolationAction(StrEnum):
    BLOCK = "block"
    BLOCK_AND_LOG = "block-and-log"
    BLOCK_AND_TERMINATE = "block-and-terminate"
    PASSTHROUGH = "passthrough"


class Action(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class Direction(StrEnum):
    EGRESS = "egress"
    INGRESS = "ingress"
    ANY = "any"


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"
    ICMPV4 = "icmpv4"
    ICMPV6 = "icmpv6"


class PortProtocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"


class DestGroup(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    METADATA = "metadata"
    MULTICAST = "multicast"
    HOST = "host"


class NetworkProfile(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    HOST = "host"


class NetworkDestinationKind(StrEnum):
    ANY = "any"
    IP = "ip"
    CIDR = "cidr"
    DOMAIN = "domain"
    DOMAIN_SUFFIX = "domain_suffix"
    GROUP = "group"


class VsockSocketType(StrEnum):
    STREAM = "stream"
    DGRAM = "dgram"


# ---------------------------------------------------------------- fs, logs, metrics

class FsEntryKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symlink"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FsEntry:
    path: str
    kind: FsEntryKind
    size: int
    mode: int
    modified: float | None = None


@dataclass(frozen=True, slots=True)
class FsMetadata:
    kind: FsEntryKind
    size: int
    mode: int
    readonly: bool
    modified: float | None = None
    created: float | None = None


class LogSource(StrEnum):
    STDOUT = "stdout"
    STDERR = "stderr"
    OUTPUT = "output"
    SYSTEM = "system"


class LogReadSource(StrEnum):
    STDOUT = "stdout"
    STDERR = "stderr"
    OUTPUT = "output"
    SYSTEM = "system"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class LogEntry:
    timestamp_ms: float
    source: LogSource
    cursor: str
    data: bytes
    session_id: str | None = None

    def text(self) -> str:
        """The data as text; bytes that are not UTF-8 become U+FFFD."""
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class SandboxMetrics:
    cpu_percent: float
    vcpu_time_ns: int
    memory_bytes: int
    memory_limit_bytes: int
    disk_read_bytes: int
    disk_write_bytes: int
    net_rx_bytes: int
    net_tx_bytes: int
    uptime_ms: int
    timestamp_ms: float
    memory_available_bytes: int | None = None
    memory_host_resident_bytes: int | None = None
    upper_used_bytes: int | None = None
    upper_free_bytes: int | None = None
    upper_host_allocated_bytes: int | None = None


# ---------------------------------------------------------------- pull progress

class PullEventType(StrEnum):
    RESOLVING = "resolving"
    RESOLVED = "resolved"
    LAYER_DOWNLOAD_PROGRESS = "layer_download_progress"
    LAYER_DOWNLOAD_COMPLETE = "layer_download_complete"
    LAYER_DOWNLOAD_VERIFYING = "layer_download_verifying"
    LAYER_MATERIALIZE_STARTED = "layer_materialize_started"
    LAYER_MATERIALIZE_PROGRESS = "layer_materialize_progress"
    LAYER_MATERIALIZE_WRITING = "layer_materialize_writing"
    LAYER_MATERIALIZE_COMPLETE = "layer_materialize_complete"
    STITCH_MERGING_TREES = "stitch_merging_trees"
    STITCH_WRITING_FSMETA = "stitch_writing_fsmeta"
    STITCH_WRITING_VMDK = "stitch_writing_vmdk"
    STITCH_COMPLETE = "stitch_complete"
    COMPLETE = "complete"


@dataclass(frozen=True, slots=True)
class PullEvent:
    event_type: PullEventType
    reference: str | None = None
    manifest_digest: str | None = None
    layer_count: int = 0
    total_download_bytes: int | None = None
    layer_index: int = 0
    digest: str | None = None
    diff_id: str | None = None
    downloaded_bytes: int = 0
    total_bytes: int | None = None
    bytes_read: int = 0


__all__ = [
    "MiB", "GiB", "Size", "size_to_mib", "BackendKind", "BackendInfo", "SandboxStatus",
    "PullPolicy", "LogLevel", "SecurityProfile", "DeploymentProfile", "CpuPlacement",
    "InitConfig", "RegistryAuth", "DnsConfig", "ImageSourceKind", "RootDiskKind", "FlatClone",
    "DiskImageFormat", "ImageArchiveFormat", "MountKind", "VolumeKind", "NamedVolumeMode",
    "StatVirtualization", "HostPermissions", "SnapshotStateKind", "SnapshotFormat",
    "SnapshotScope", "ModificationPolicy", "ChangeKind", "SecretChangeKind",
    "ModificationDisposition", "ResourceKind", "ResourceConvergenceState",
    "PlannedChangeKind", "ViolationAction", "Action", "Direction", "Protocol", "PortProtocol",
    "DestGroup", "NetworkProfile", "NetworkDestinationKind", "VsockSocketType", "FsEntryKind",
    "FsEntry", "FsMetadata", "LogSource", "LogReadSource", "LogEntry", "SandboxMetrics",
    "PullEventType", "PullEvent", "ExecEvent", "ExecEventType", "ExecOptions", "ExitStatus",
    "Rlimit", "RlimitResource", "Stdin", "StdinMode",
]
