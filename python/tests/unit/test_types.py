import dataclasses

import pytest

from microsandbox import types as T


@pytest.mark.parametrize("enum,values", [
    (T.SandboxStatus, "created starting running stopped crashed draining paused"),
    (T.PullPolicy, "always if-missing never"),
    (T.LogLevel, "trace debug info warn error"),
    (T.SecurityProfile, "default restricted"),
    (T.DeploymentProfile, "single-tenant multi-tenant"),
    (T.CpuPlacement, "inherit auto spread compact"),
    (T.BackendKind, "local cloud"),
    (T.ImageSourceKind, "oci bind disk"),
    (T.RootDiskKind, "managed tmpfs disk-image flat"),
    (T.FlatClone, "auto copy reflink"),
    (T.DiskImageFormat, "qcow2 raw vmdk"),
    (T.MountKind, "bind named tmpfs disk"),
    (T.VolumeKind, "dir disk"),
    (T.NamedVolumeMode, "existing create ensure-exists"),
    (T.StatVirtualization, "strict relaxed off"),
    (T.HostPermissions, "private mirror"),
    (T.SnapshotStateKind, "file checkpoint"),
    (T.SnapshotFormat, "raw qcow2"),
    (T.SnapshotScope, "disk resumable"),
    (T.ModificationPolicy, "no_restart next_start restart"),
    (T.ChangeKind, "added updated removed"),
    (T.ResourceKind, "cpus memory"),
    (T.ResourceConvergenceState, "accepted converging applied guest-refused failed"),
    (T.PlannedChangeKind, "config secret"),
    (T.ViolationAction, "block block-and-log block-and-terminate passthrough"),
    (T.Action, "allow deny"),
    (T.Direction, "egress ingress any"),
    (T.Protocol, "tcp udp icmpv4 icmpv6"),
    (T.PortProtocol, "tcp udp"),
    (T.DestGroup, "public loopback private link-local metadata multicast host"),
    (T.NetworkProfile, "public private host"),
    (T.NetworkDestinationKind, "any ip cidr domain domain_suffix group"),
    (T.VsockSocketType, "stream dgram"),
    (T.FsEntryKind, "file directory symlink other"),
    (T.LogSource, "stdout stderr output system"),
    (T.LogReadSource, "stdout stderr output system all"),
    (T.ExecEventType, "started stdout stderr exited failed stdin_error"),
    (T.StdinMode, "null pipe bytes"),
    (T.RlimitResource, "cpu fsize data stack core rss nproc nofile memlock as locks "
                       "sigpending msgqueue nice rtprio rttime"),
    (T.PullEventType, "resolving resolved layer_download_progress layer_download_complete "
                      "layer_download_verifying layer_materialize_started "
                      "layer_materialize_progress layer_materialize_writing "
                      "layer_materialize_complete stitch_merging_trees stitch_writing_fsmeta "
                      "stitch_writing_vmdk stitch_complete complete"),
])
def test_enum_values(enum, values):
    assert [m.value for m in enum] == values.split()


def test_enum_values_with_spaces():
    assert [m.value for m in T.SecretChangeKind] == [
        "added", "rotated", "removed", "renamed", "hosts updated", "placeholder updated"]
    assert [m.value for m in T.ModificationDisposition] == [
        "live", "next start", "requires restart", "unsupported"]


def test_enum_lookup_by_value_is_identity():
    assert T.PullPolicy("if-missing") is T.PullPolicy.IF_MISSING
    assert T.VolumeKind.DIRECTORY == "dir"


def test_sizes():
    assert T.MiB == 1 << 20 and T.GiB == 1 << 30
    assert T.Size.mib(3).bytes == 3 * T.MiB
    assert T.Size.gib(2).to_mib() == 2048
    assert T.Size(1).to_mib() == 1  # rounded up
    assert T.size_to_mib(T.Size.mib(5)) == 5 and T.size_to_mib(7) == 7


@pytest.mark.parametrize("factory,resource", [
    ("nofile", "nofile"), ("cpu", "cpu"), ("nproc", "nproc"), ("fsize", "fsize"),
    ("memlock", "memlock"), ("stack", "stack")])
def test_rlimit_factories_set_soft_and_hard(factory, resource):
    r = getattr(T.Rlimit, factory)(64)
    assert r == T.Rlimit(T.RlimitResource(resource), 64, 64)


def test_rlimit_as():
    assert T.Rlimit.as_(soft=1, hard=2) == T.Rlimit(T.RlimitResource.AS, 1, 2)
    with pytest.raises(TypeError):
        T.Rlimit.as_(1, 2)  # type: ignore[misc]


def test_stdin_forms():
    assert T.Stdin.null().mode is T.StdinMode.NULL and T.Stdin.null().data is None
    assert T.Stdin.pipe().mode is T.StdinMode.PIPE
    s = T.Stdin.bytes(b"abc")
    assert s.mode is T.StdinMode.BYTES and s.data == b"abc"
    with pytest.raises(TypeError):
        T.Stdin.bytes("abc")  # type: ignore[arg-type]


def test_configs_are_frozen_and_slotted():
    for cls in (T.Rlimit, T.ExecEvent, T.PullEvent, T.FsEntry, T.LogEntry, T.InitConfig,
                T.RegistryAuth, T.DnsConfig, T.BackendInfo, T.SandboxMetrics, T.ExitStatus):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert hasattr(cls, "__slots__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        T.Rlimit.nofile(1).soft = 2  # type: ignore[misc]


def test_events():
    e = T.ExecEvent(T.ExecEventType.STARTED, pid=7)
    assert (e.pid, e.data, e.code) == (7, None, None)
    p = T.PullEvent(T.PullEventType.RESOLVING)
    assert p.reference is None and p.layer_count == 0 and p.bytes_read == 0
    assert [f.name for f in dataclasses.fields(T.PullEvent)] == [
        "event_type", "reference", "manifest_digest", "layer_count", "total_download_bytes",
        "layer_index", "digest", "diff_id", "downloaded_bytes", "total_bytes", "bytes_read"]


def test_log_entry_text():
    entry = T.LogEntry(1.0, T.LogSource.STDOUT, "c1", b"hi \xff")
    assert entry.text() == "hi \ufffd" and entry.session_id is None


def test_exec_options_keys():
    assert set(T.ExecOptions.__annotations__) == {
        "args", "cwd", "user", "env", "timeout", "tty", "stdin", "stdin_data", "rlimits"}
    assert T.ExecOptions.__total__ is False
