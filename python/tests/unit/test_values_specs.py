"""Mount, patch, image-source, root-disk and secret values and their specs."""

import pytest

from microsandbox import images_config as I
from microsandbox import volumes_config as V
from microsandbox.errors import UnsupportedError
from microsandbox.patches import Patch, PatchConfig, PatchKind
from microsandbox.secrets import Secret, SecretInjection, ViolationPolicy
from microsandbox.types import (
    DiskImageFormat,
    FlatClone,
    HostPermissions,
    ImageSourceKind,
    MountKind,
    NamedVolumeMode,
    RootDiskKind,
    Size,
    StatVirtualization,
    ViolationAction,
    VolumeKind,
)


def test_bind_spec_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    m = V.bind("data", readonly=True)
    assert m.kind is MountKind.BIND and m.bind == "data"
    assert m._to_spec() == {"kind": "bind", "path": str(tmp_path / "data"), "readonly": True}


def test_named_tmpfs_disk_specs():
    assert V.named("cache", noexec=True)._to_spec() == {
        "kind": "named", "name": "cache", "noexec": True}
    assert V.named("c", mode=NamedVolumeMode.ENSURE_EXISTS,
                   kind=VolumeKind.DIRECTORY)._to_spec() == {"kind": "named", "name": "c"}
    assert V.tmpfs(size_mib=64)._to_spec() == {"kind": "tmpfs", "size_mib": 64}
    assert V.tmpfs()._to_spec() == {"kind": "tmpfs", "size_mib": 0}
    assert V.disk("/img.qcow2", format=DiskImageFormat.QCOW2, fstype="ext3")._to_spec() == {
        "kind": "disk", "path": "/img.qcow2", "format": "qcow2", "fstype": "ext3"}
    assert V.disk("/img")._to_spec()["format"] == "raw"


def test_mount_config_fields():
    names = [f for f in V.MountConfig.__dataclass_fields__]
    assert names == ["kind", "bind", "named", "named_mode", "named_kind", "quota_mib",
                     "size_mib", "readonly", "noexec", "nosuid", "nodev", "disk", "format",
                     "fstype", "stat_virtualization", "host_permissions"]


@pytest.mark.parametrize("mount,operation", [
    (V.bind("/x", nosuid=False), "nosuid=False"),
    (V.bind("/x", nodev=False), "nodev=False"),
    (V.bind("/x", stat_virtualization=StatVirtualization.OFF), "stat_virtualization"),
    (V.bind("/x", host_permissions=HostPermissions.MIRROR), "host_permissions"),
    (V.disk("/x", format=DiskImageFormat.VMDK), "vmdk disk images"),
    (V.named("n", mode=NamedVolumeMode.CREATE), "named volume mode create"),
    (V.named("n", kind=VolumeKind.DISK), "named volume kind disk"),
    (V.named("n", size_mib=10), "named volume size_mib"),
    (V.named("n", quota_mib=10), "named volume quota_mib"),
])
def test_unsupported_mounts(mount, operation):
    with pytest.raises(UnsupportedError) as info:
        mount._to_spec()
    assert info.value.operation == operation


def test_mount_enum_arguments_must_be_members():
    with pytest.raises(TypeError, match="expected DiskImageFormat, got str"):
        V.disk("/x", format="raw")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected NamedVolumeMode, got str"):
        V.named("n", mode="create")  # type: ignore[arg-type]


def test_patch_specs(tmp_path):
    assert Patch.text("/etc/a", "hé", mode=0o600, replace=False)._to_spec() == {
        "kind": "text", "path": "/etc/a", "content": "hé".encode(), "mode": 0o600,
        "replace": False}
    assert Patch.file("/b", b"\x00\x01")._to_spec() == {
        "kind": "file", "path": "/b", "content": b"\x00\x01"}
    assert Patch.append("/c", "x")._to_spec() == {"kind": "append", "path": "/c",
                                                  "content": b"x"}
    assert Patch.mkdir("/d", mode=0o700)._to_spec() == {"kind": "mkdir", "path": "/d",
                                                        "mode": 0o700}
    src = tmp_path / "f"
    assert Patch.copy_file(src, "/e")._to_spec() == {"kind": "copy_file", "path": "/e",
                                                     "source": str(src)}
    assert Patch.copy_dir(str(src), "/g", replace=True)._to_spec() == {
        "kind": "copy_dir", "path": "/g", "source": str(src), "replace": True}
    assert Patch.symlink("../t", "/l")._to_spec() == {"kind": "symlink", "path": "/l",
                                                      "target": "../t"}
    assert Patch.remove("/r")._to_spec() == {"kind": "remove", "path": "/r"}
    assert [k.value for k in PatchKind] == [
        "text", "file", "mkdir", "append", "copy_file", "copy_dir", "symlink", "remove"]
    assert isinstance(Patch.remove("/r"), PatchConfig)


def test_patch_content_types():
    with pytest.raises(TypeError):
        Patch.text("/a", b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Patch.file("/a", "x")  # type: ignore[arg-type]


def test_image_sources(tmp_path):
    assert I._source_spec(I.oci("alpine")) == {"image": "alpine"}
    assert I.oci("alpine").kind is ImageSourceKind.OCI
    assert I._source_spec(I.bind(tmp_path)) == {"rootfs_dir": str(tmp_path)}
    assert I._source_spec(I.disk("/r.img", fstype="erofs")) == {
        "rootfs_image": {"path": "/r.img", "fstype": "erofs"}}
    assert I._source_spec(I.disk("/r.img"))["rootfs_image"]["fstype"] == "ext4"


def test_root_disks():
    assert I._source_spec(I.oci("a", root_disk=I.RootDisk.managed(Size.gib(8)))) == {
        "image": "a", "root_disk": {"kind": "managed", "size_bytes": 8 << 30}}
    assert I._source_spec(I.oci("a", root_disk=I.RootDisk.tmpfs(256))) == {
        "image": "a", "root_disk": {"kind": "tmpfs", "size_bytes": 256 << 20}}
    assert I._source_spec(I.oci("a", upper_size_mib=1024))["root_disk"] == {
        "kind": "managed", "size_bytes": 1 << 30}
    assert I.RootDisk.flat(10).kind is RootDiskKind.FLAT
    assert I.RootDisk.flat(10).clone is FlatClone.AUTO
    with pytest.raises(UnsupportedError):
        I._source_spec(I.oci("a", root_disk=I.RootDisk.disk("/d")))
    with pytest.raises(UnsupportedError):
        I._source_spec(I.oci("a", root_disk=I.RootDisk.flat(10)))
    with pytest.raises(ValueError):
        I._source_spec(I.oci("a", root_disk=I.RootDisk.tmpfs(1), upper_size_mib=1))
    with pytest.raises(ValueError):
        I.RootDisk.managed(-1)


def test_secrets_are_values():
    entry = Secret.env("TOKEN", value="s3cret", allow_hosts=["api.example.com"])
    assert entry.env_var == "TOKEN" and entry.allow_hosts == ("api.example.com",)
    assert entry.on_violation is ViolationAction.BLOCK_AND_LOG and entry.require_tls
    assert SecretInjection() == SecretInjection(True, True, False, False)
    assert ViolationPolicy.passthrough(hosts=["a"]).action is ViolationAction.PASSTHROUGH
    assert ViolationPolicy.block_and_terminate().action is ViolationAction.BLOCK_AND_TERMINATE
