"""Sandbox.create keyword checks (reference section 4) and the create spec."""

import pytest

from microsandbox import volumes_config as V
from microsandbox._specs import create_spec
from microsandbox.errors import UnsupportedError
from microsandbox.images_config import oci
from microsandbox.network import Network, PortBinding, VsockRoute
from microsandbox.patches import Patch
from microsandbox.secrets import Secret, ViolationPolicy
from microsandbox.types import (
    CpuPlacement,
    DeploymentProfile,
    InitConfig,
    LogLevel,
    PullPolicy,
    RegistryAuth,
    SecurityProfile,
    ViolationAction,
)


def spec(**kw):
    return create_spec("sb", kw)


def test_minimal():
    assert spec(image="alpine") == {"image": "alpine"}
    assert spec(image="mirror.gcr.io/library/alpine:3.20") == {
        "image": "mirror.gcr.io/library/alpine:3.20"}


def test_unknown_keyword():
    with pytest.raises(TypeError) as info:
        spec(image="a", bogus=1)
    assert str(info.value) == "unexpected keyword argument 'bogus'"


def test_snapshot_keyword_hint():
    with pytest.raises(TypeError) as info:
        spec(snapshot="s")
    assert str(info.value).startswith("unexpected keyword argument 'snapshot'")
    assert "from_snapshot" in str(info.value)


def test_image_or_snapshot_required():
    with pytest.raises(ValueError) as info:
        spec(cpus=1)
    assert str(info.value) == "image= or from_snapshot= is required"
    with pytest.raises(ValueError, match="is required"):
        spec(image=None)


def test_not_both():
    with pytest.raises(ValueError) as info:
        spec(image="a", from_snapshot="s")
    assert str(info.value) == "pass either image= or from_snapshot=, not both"


def test_image_type():
    with pytest.raises(TypeError) as info:
        spec(image=42)
    assert str(info.value) == "image must be str, os.PathLike, or ImageSource"


def test_image_host_paths(tmp_path, monkeypatch):
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    img = tmp_path / "root.img"
    img.write_bytes(b"")
    assert spec(image=str(rootfs)) == {"rootfs_dir": str(rootfs)}
    assert spec(image=rootfs) == {"rootfs_dir": str(rootfs)}
    assert spec(image=str(img)) == {"rootfs_image": {"path": str(img), "fstype": "ext4"}}
    monkeypatch.chdir(tmp_path)
    assert spec(image="./rootfs") == {"rootfs_dir": str(rootfs)}
    monkeypatch.chdir(rootfs)
    assert spec(image="../root.img")["rootfs_image"]["path"] == str(img)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert spec(image="~/rootfs") == {"rootfs_dir": str(rootfs)}
    with pytest.raises(FileNotFoundError):
        spec(image=str(tmp_path / "missing"))


def test_image_source():
    assert spec(image=oci("alpine")) == {"image": "alpine"}


def test_from_snapshot(tmp_path, monkeypatch):
    assert spec(from_snapshot="snap") == {"from_snapshot": "snap"}
    monkeypatch.setenv("MSB_HOME", str(tmp_path))
    stored = tmp_path / "snapshots" / "snap2"
    stored.mkdir(parents=True)
    assert spec(from_snapshot=str(stored)) == {"from_snapshot": "snap2"}
    other = tmp_path / "elsewhere"
    other.mkdir()
    with pytest.raises(UnsupportedError) as info:
        spec(from_snapshot=other)
    assert info.value.operation == "from_snapshot by path"
    with pytest.raises(FileNotFoundError):
        spec(from_snapshot="./nope")


def test_name_checks():
    with pytest.raises(TypeError):
        create_spec(1, {"image": "a"})
    with pytest.raises(ValueError):
        create_spec("é" * 65, {"image": "a"})  # 130 bytes
    assert create_spec("é" * 64, {"image": "a"}) == {"image": "a"}
    with pytest.raises(ValueError):
        create_spec("", {"image": "a"})


def test_full_spec(tmp_path):
    out = spec(image="alpine", cpus=2, memory=512, env={"A": "1", "B": "2"},
               workdir="/w", user="1000", hostname="h", shell="/bin/bash",
               labels={"k": "v"}, entrypoint=["/init"], cmd=["serve", "-v"],
               pull_policy=PullPolicy.IF_MISSING, registry_insecure=True, replace=True,
               ephemeral=True, detached=False, isolation="namespace", accel="tcg",
               disable_network=False,
               volumes={"/data": V.named("data"), "/src": V.bind(tmp_path, readonly=True)},
               patches=[Patch.mkdir("/x"), Patch.text("/x/y", "z")])
    assert out == {
        "image": "alpine", "cpus": 2, "memory_mib": 512, "workdir": "/w", "shell": "/bin/bash",
        "hostname": "h", "user": "1000", "entrypoint": ["/init"], "cmd": ["serve", "-v"],
        "env": [("A", "1"), ("B", "2")], "labels": {"k": "v"}, "pull_policy": "if-missing",
        "insecure_registry": True, "replace": True, "ephemeral": True, "detached": False,
        "disable_network": False, "isolation": "namespace", "accel": "tcg",
        "volumes": [("/data", {"kind": "named", "name": "data"}),
                    ("/src", {"kind": "bind", "path": str(tmp_path), "readonly": True})],
        "patches": [{"kind": "mkdir", "path": "/x"},
                    {"kind": "text", "path": "/x/y", "content": b"z"}]}


@pytest.mark.parametrize("policy,value", [
    (PullPolicy.ALWAYS, "always"), (PullPolicy.NEVER, "never"),
    (PullPolicy.IF_MISSING, "if-missing")])
def test_pull_policy(policy, value):
    assert spec(image="a", pull_policy=policy)["pull_policy"] == value


def test_raw_str_enum_is_type_error():
    with pytest.raises(TypeError) as info:
        spec(image="a", pull_policy="always")
    assert str(info.value) == "expected PullPolicy, got str"
    with pytest.raises(TypeError, match="expected LogLevel, got str"):
        spec(image="a", log_level="info")


@pytest.mark.parametrize("kw", ["env", "labels", "scripts"])
def test_mappings(kw):
    with pytest.raises(TypeError) as info:
        spec(image="a", **{kw: [("a", "b")]})
    assert str(info.value) == f"{kw} must be a Mapping"


@pytest.mark.parametrize("kw", ["replace_with_timeout", "max_duration", "idle_timeout"])
def test_non_negative_durations(kw):
    with pytest.raises(ValueError) as info:
        spec(image="a", **{kw: -1})
    assert str(info.value) == f"{kw} must be non-negative"


def test_replace_with_timeout():
    assert spec(image="a", replace_with_timeout=2.5) == {
        "image": "a", "replace": True, "replace_grace_ms": 2500}


@pytest.mark.parametrize("kw,value", [
    ("cpus", "2"), ("memory", 1.5), ("workdir", 1), ("replace", 1), ("entrypoint", "sh"),
    ("cmd", [1]), ("isolation", 1)])
def test_type_errors(kw, value):
    with pytest.raises(TypeError):
        spec(image="a", **{kw: value})


@pytest.mark.parametrize("kw,value", [("isolation", "docker"), ("accel", "hvf"),
                                      ("memory", -1)])
def test_value_errors(kw, value):
    with pytest.raises(ValueError):
        spec(image="a", **{kw: value})


def test_ports_without_network_use_public_preset():
    out = spec(image="a", ports={8080: 80})
    assert out["network"] == {"preset": "public", "rules": [], "ports": [
        {"bind": "127.0.0.1", "host_port": 8080, "guest_port": 80, "udp": False}]}


def test_ports_merge_into_network():
    out = spec(image="a", network=Network(ports=[PortBinding.udp(1, 2)]),
               ports=[PortBinding.tcp(3, 4)])
    assert [p["host_port"] for p in out["network"]["ports"]] == [1, 3]
    assert out["network"]["preset"] == "public"


def test_network_type():
    with pytest.raises(TypeError, match="expected Network, got str"):
        spec(image="a", network="none")
    assert spec(image="a", network=Network.none())["network"] == {"preset": "none",
                                                                   "rules": []}


def test_volume_and_patch_types():
    with pytest.raises(TypeError, match="volumes must be a Mapping"):
        spec(image="a", volumes=[V.tmpfs()])
    with pytest.raises(TypeError, match="expected MountConfig, got str"):
        spec(image="a", volumes={"/x": "/host"})
    with pytest.raises(TypeError, match="expected PatchConfig, got str"):
        spec(image="a", patches=["x"])


@pytest.mark.parametrize("kw,value", [
    ("max_memory", 1024), ("max_cpus", 4), ("cpu_placement", CpuPlacement.SPREAD),
    ("cpu_placement", "compact"), ("placement_profile", "p"), ("thp", "madvise"),
    ("security", SecurityProfile.RESTRICTED), ("deployment_profile",
                                               DeploymentProfile.MULTI_TENANT),
    ("init", "auto"), ("init", InitConfig("/sbin/init")), ("init", {"cmd": "/i"}),
    ("max_duration", 10.0), ("idle_timeout", 5), ("scripts", {"hi": "echo hi"}),
    ("log_level", LogLevel.DEBUG), ("registry_auth", RegistryAuth("u", "p")),
    ("registry_ca_certs", [b"PEM"]), ("vsock", {"/tmp/s": 5}),
    ("vsock", [VsockRoute.stream("/tmp/s", 5)]),
    ("secrets", [Secret.env("T", value="v", allow_hosts=["h"])]),
    ("on_secret_violation", ViolationAction.BLOCK),
    ("on_secret_violation", ViolationPolicy.block()),
])
def test_unsupported_kwargs(kw, value):
    with pytest.raises(UnsupportedError) as info:
        spec(image="a", **{kw: value})
    assert info.value.operation == kw


def test_accepted_no_ops():
    assert spec(image="a", secrets=[]) == {"image": "a"}
    assert spec(image="a", security=SecurityProfile.DEFAULT) == {"image": "a"}


@pytest.mark.parametrize("kw,value,exc,message", [
    ("thp", "sometimes", ValueError, "unknown transparent huge-page policy: sometimes"),
    ("cpu_placement", "everywhere", ValueError, None),
    ("init", 3, TypeError, None),
    ("security", "default", TypeError, "expected SecurityProfile, got str"),
    ("registry_auth", ("u", "p"), TypeError, None),
    ("secrets", ["x"], TypeError, None),
    ("vsock", 5, TypeError, None),
    ("on_secret_violation", "block", TypeError, None),
])
def test_unsupported_kwargs_are_type_checked_first(kw, value, exc, message):
    with pytest.raises(exc) as info:
        spec(image="a", **{kw: value})
    if message is not None:
        assert str(info.value) == message


def test_none_means_unset():
    assert spec(image="a", cpus=None, network=None, ports=None, max_duration=None) == {
        "image": "a"}
