"""microsandbox: local microVM (and namespace) sandboxes for untrusted code.

    import asyncio
    from microsandbox import Sandbox

    async def main():
        async with await Sandbox.create("hello", image="base") as sb:
            print((await sb.exec("echo", ["hi"])).stdout_text)

    asyncio.run(main())

Source-compatible with the reference microsandbox Python SDK; features this runtime does
not have yet raise UnsupportedError ("not supported yet: ...").
"""

from __future__ import annotations

from ._exec import (
    ExecHandle, ExecOutput, ExecSink,
)
from ._fs import (
    FsReadStream, FsWriteSink, SandboxFsOps,
)
from ._image import (
    Image, ImageConfigDetail, ImageDetail, ImageHandle, ImageLayerDetail, ImagePruneReport,
)
from ._pull import (
    PullSession,
)
from ._sandbox import Sandbox
from ._lifecycle import SandboxStopResult
from ._sandbox_handle import SandboxHandle, SandboxPage
from ._setup import (
    backend_scope, default_backend_info, default_backend_kind, install, is_installed,
    set_default_backend, set_libkrunfw_path, version,
)
from ._snapshot import (
    Snapshot, SnapshotHandle,
)
from ._volume import (
    Volume, VolumeFs, VolumeHandle,
)
from ._unsupported import (
    AgentClient, AgentStream, ConfigPlannedChange, FLAG_SESSION_START, FLAG_SHUTDOWN,
    FLAG_TERMINAL, InitOptions, LogStream, MetricsStream, ModificationConflict,
    ModificationWarning, PlannedChange, ResourceResizeStatus, SandboxModificationPlan,
    SandboxPingResult, SandboxSshOps, SandboxTouchResult, SecretModifySpec, SecretPlannedChange,
    SftpClient, SshClient, SshOutput, SshServer, all_sandbox_metrics,
)
from .errors import (
    CloudHttpError, ExecFailedError, ExecTimeoutError, FilesystemError, ImageInUseError,
    ImageNotFoundError, ImagePullFailedError, InvalidConfigError, IoError, MetricsDisabledError,
    MetricsUnavailableError, MicrosandboxError, NetworkPolicyError, NoDefaultCommandError,
    PathNotFoundError, SandboxAlreadyExistsError, SandboxNotFoundError, SandboxNotRunningError,
    SandboxStillRunningError, SecretViolationError, SnapshotMigrationError, TlsError,
    UnsupportedError, UnsupportedOperationError, VolumeNotFoundError,
)
from .images_config import (
    ImageSource, RootDisk, RootDiskConfig,
)
from .network import (
    Destination, Network, NetworkDestination, NetworkPolicy, NetworkRateLimiter, PortBinding,
    RateLimiter, Rule, ScopedUpstreamCACert, ScopedVerifyUpstream, TlsConfig, TokenBucket,
    VsockRoute,
)
from .patches import (
    Patch, PatchConfig, PatchKind,
)
from .secrets import (
    Secret, SecretEntry, SecretInjection, ViolationPolicy,
)
from .types import (
    MiB,    Action, BackendInfo, BackendKind, ChangeKind, CpuPlacement, DeploymentProfile, DestGroup,
    Direction, DiskImageFormat, ExecEvent, ExecEventType, ExecOptions, ExitStatus, FlatClone,
    FsEntry, FsEntryKind, FsMetadata, GiB, HostPermissions, ImageArchiveFormat, ImageSourceKind,
    InitConfig, LogEntry, LogLevel, LogReadSource, LogSource, ModificationDisposition,
    ModificationPolicy, MountKind, NamedVolumeMode, NetworkDestinationKind, NetworkProfile,
    PlannedChangeKind, PortProtocol, Protocol, PullEvent, PullEventType, PullPolicy,
    RegistryAuth, ResourceConvergenceState, ResourceKind, Rlimit, RlimitResource, RootDiskKind,
    SandboxMetrics, SandboxStatus, SecretChangeKind, SecurityProfile, Size, SnapshotFormat,
    SnapshotScope, SnapshotStateKind, StatVirtualization, Stdin, StdinMode, ViolationAction,
    VolumeKind, VsockSocketType,
)
from .volumes_config import (
    MountConfig,
)

__version__ = version()

__all__ = [
    "Action", "AgentClient", "AgentStream", "BackendInfo", "BackendKind", "ChangeKind",
    "CloudHttpError", "ConfigPlannedChange", "CpuPlacement", "DeploymentProfile", "DestGroup",
    "Destination", "Direction", "DiskImageFormat", "ExecEvent", "ExecEventType",
    "ExecFailedError", "ExecHandle", "ExecOptions", "ExecOutput", "ExecSink",
    "ExecTimeoutError", "ExitStatus", "FLAG_SESSION_START", "FLAG_SHUTDOWN", "FLAG_TERMINAL",
    "FilesystemError", "FlatClone", "FsEntry", "FsEntryKind", "FsMetadata", "FsReadStream",
    "FsWriteSink", "GiB", "HostPermissions", "Image", "ImageArchiveFormat", "ImageConfigDetail",
    "ImageDetail", "ImageHandle", "ImageInUseError", "ImageLayerDetail", "ImageNotFoundError",
    "ImagePruneReport", "ImagePullFailedError", "ImageSource", "ImageSourceKind", "InitConfig",
    "InitOptions", "InvalidConfigError", "IoError", "LogEntry", "LogLevel", "LogReadSource",
    "LogSource", "LogStream", "MetricsDisabledError", "MetricsStream",
    "MetricsUnavailableError", "MiB", "MicrosandboxError", "ModificationConflict",
    "ModificationDisposition", "ModificationPolicy", "ModificationWarning", "MountConfig",
    "MountKind", "NamedVolumeMode", "Network", "NetworkDestination", "NetworkDestinationKind",
    "NetworkPolicy", "NetworkPolicyError", "NetworkProfile", "NetworkRateLimiter",
    "NoDefaultCommandError", "Patch", "PatchConfig", "PatchKind", "PathNotFoundError",
    "PlannedChange", "PlannedChangeKind", "PortBinding", "PortProtocol", "Protocol",
    "PullEvent", "PullEventType", "PullPolicy", "PullSession", "RateLimiter", "RegistryAuth",
    "ResourceConvergenceState", "ResourceKind", "ResourceResizeStatus", "Rlimit",
    "RlimitResource", "RootDisk", "RootDiskConfig", "RootDiskKind", "Rule", "Sandbox",
    "SandboxAlreadyExistsError", "SandboxFsOps", "SandboxHandle", "SandboxMetrics",
    "SandboxModificationPlan", "SandboxNotFoundError", "SandboxNotRunningError", "SandboxPage",
    "SandboxPingResult", "SandboxSshOps", "SandboxStatus", "SandboxStillRunningError",
    "SandboxStopResult", "SandboxTouchResult", "ScopedUpstreamCACert", "ScopedVerifyUpstream",
    "Secret", "SecretChangeKind", "SecretEntry", "SecretInjection", "SecretModifySpec",
    "SecretPlannedChange", "SecretViolationError", "SecurityProfile", "SftpClient", "Size",
    "Snapshot", "SnapshotFormat", "SnapshotHandle", "SnapshotMigrationError", "SnapshotScope",
    "SnapshotStateKind", "SshClient", "SshOutput", "SshServer", "StatVirtualization", "Stdin",
    "StdinMode", "TlsConfig", "TlsError", "TokenBucket", "UnsupportedError",
    "UnsupportedOperationError", "ViolationAction", "ViolationPolicy", "Volume", "VolumeFs",
    "VolumeHandle", "VolumeKind", "VolumeNotFoundError", "VsockRoute", "VsockSocketType",
    "all_sandbox_metrics", "backend_scope", "default_backend_info", "default_backend_kind",
    "install", "is_installed", "set_default_backend", "set_libkrunfw_path", "version",
]
