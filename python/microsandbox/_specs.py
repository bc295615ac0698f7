"""Checks `Sandbox.create(name, **kw)` arguments (reference section 4) and builds the
create spec of docs/design/python-sdk.md. exec/shell specs live in `_exec_specs`."""

from __future__ import annotations

import errno
import os
from typing import Any, Callable, Mapping, Sequence

from microsandbox._checks import expect_enum
from microsandbox._exec_specs import (
    check_args_list,
    check_seconds,
    check_str,
    check_str_mapping,
    exec_spec,
    seconds_to_ms,
    shell_spec,
)
from microsandbox.errors import not_supported_yet
from microsandbox.images_config import ImageSource, _source_spec
from microsandbox.network import Network, VsockRoute, port_specs
from microsandbox.patches import PatchConfig
from microsandbox.secrets import SecretEntry, ViolationPolicy
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
from microsandbox.volumes_config import MountConfig

MAX_NAME_BYTES = 128
_THP_POLICIES = ("always", "madvise", "never")
_ISOLATIONS = ("vm", "namespace")
_ACCELS = ("kvm", "tcg")
_HOST_PATH_PREFIXES = ("/", "./", "../", "~")

_STR_KWARGS = ("workdir", "shell", "hostname", "user")
_BOOL_KWARGS = ("replace", "ephemeral", "detached", "registry_insecure", "disable_network")
_INT_KWARGS = ("memory", "max_memory", "cpus", "max_cpus")
_SECONDS_KWARGS = ("replace_with_timeout", "max_duration", "idle_timeout")
_MAPPING_KWARGS = ("env", "labels", "scripts")
_LIST_KWARGS = ("entrypoint", "cmd")
_OTHER_KWARGS = (
    "image", "from_snapshot", "cpu_placement", "placement_profile", "thp", "security",
    "deployment_profile", "init", "pull_policy", "log_level", "registry_auth",
    "registry_ca_certs", "volumes", "patches", "ports", "vsock", "network", "secrets",
    "on_secret_violation", "isolation", "accel",
)
CREATE_KWARGS = frozenset(_STR_KWARGS + _BOOL_KWARGS + _INT_KWARGS + _SECONDS_KWARGS
                          + _MAPPING_KWARGS + _LIST_KWARGS + _OTHER_KWARGS)


def check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be str, got {type(name).__name__}")
    if not name:
        raise ValueError("sandbox name must not be empty")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"sandbox name must be at most {MAX_NAME_BYTES} UTF-8 bytes")
    return name


def _check_keys(kwargs: Mapping[str, Any]) -> None:
    for key in kwargs:
        if key == "snapshot":
            raise TypeError("unexpected keyword argument 'snapshot' "
                            "(to boot from a snapshot, pass from_snapshot=)")
        if key not in CREATE_KWARGS:
            raise TypeError(f"unexpected keyword argument '{key}'")


def _is_host_path(text: str) -> bool:
    return text.startswith(_HOST_PATH_PREFIXES)


def _rootfs_path_spec(path: str) -> dict[str, Any]:
    """A host directory boots as rootfs_dir, a regular file as an ext4 rootfs_image."""
    full = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(full):
        return {"rootfs_dir": full}
    if os.path.isfile(full):
        return {"rootfs_image": {"path": full, "fstype": "ext4"}}
    raise FileNotFoundError(errno.ENOENT, "image path not found", full)


def _image_spec(image: object) -> dict[str, Any]:
    if isinstance(image, ImageSource):
        return _source_spec(image)
    if isinstance(image, str):
        return _rootfs_path_spec(image) if _is_host_path(image) else {"image": image}
    if isinstance(image, os.PathLike):
        path = os.fspath(image)
        if isinstance(path, str):
            return _rootfs_path_spec(path)
    raise TypeError("image must be str, os.PathLike, or ImageSource")


def _msb_home() -> str:
    home = os.environ.get("MSB_HOME")
    return home if home else os.path.join(os.path.expanduser("~"), ".microsandbox")


def _snapshot_name(value: object) -> str:
    """A snapshot name; a path is accepted only when it is a stored snapshot's directory."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"from_snapshot must be str or os.PathLike, got {type(value).__name__}")
    if "/" not in value and not value.startswith((".", "~")):
        return value
    path = os.path.abspath(os.path.expanduser(value))
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, "snapshot not found", path)
    store = os.path.realpath(os.path.join(_msb_home(), "snapshots"))
    parent, name = os.path.split(os.path.realpath(path))
    if parent == store and name:
        return name
    raise not_supported_yet("from_snapshot by path")


def _check_int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{key} must be non-negative")
    return value


def _check_bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be bool, got {type(value).__name__}")
    return value


def _check_choice(value: object, key: str, choices: Sequence[str]) -> str:
    text = check_str(value, key)
    if text not in choices:
        raise ValueError(f"{key} must be one of {', '.join(choices)}, got {text!r}")
    return text


def _check_sequence_of(value: object, key: str, item_type: type) -> list[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(f"{key} must be a sequence")
    for item in value:
        if type(item) is not item_type:
            raise TypeError(f"expected {item_type.__name__}, got {type(item).__name__}")
    return list(value)

def _expect_exact_type(value: object, cls: type) -> object:
    if type(value) is not cls:
        raise TypeError(f"expected {cls.__name__}, got {type(value).__name__}")
    return value

def check_args_list_named(value: object, key: str) -> list[str]:
    """entrypoint/cmd: a list (or tuple) of str."""
    if isinstance(value, tuple):
        value = list(value)
    try:
        return check_args_list(value)
    except TypeError:
        raise TypeError(f"{key} must be a list of strings") from None


def _volumes_spec(volumes: object) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(volumes, Mapping):
        raise TypeError("volumes must be a Mapping")
    result = []
    for guest, mount in volumes.items():
        if type(mount) is not MountConfig:
            raise TypeError(f"expected MountConfig, got {type(mount).__name__}")
        result.append((check_str(guest, "volume guest path"), mount._to_spec()))
    return result


def _check_init(value: object) -> None:
    if isinstance(value, (str, InitConfig)):
        return
    if isinstance(value, Mapping):
        if "cmd" not in value:
            raise TypeError("init mapping needs a 'cmd'")
        return
    raise TypeError("init must be str, InitConfig, or Mapping")


def _check_cpu_placement(value: object) -> None:
    if isinstance(value, str) and not isinstance(value, CpuPlacement):
        CpuPlacement(value)  # an unknown name is a ValueError, as in the reference
    elif not isinstance(value, CpuPlacement):
        raise TypeError(f"cpu_placement must be str or CpuPlacement, got {type(value).__name__}")


def _check_thp(value: object) -> None:
    if check_str(value, "thp") not in _THP_POLICIES:
        raise ValueError(f"unknown transparent huge-page policy: {value}")


def _check_ca_certs(value: object) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError("registry_ca_certs must be a list of PEM bytes or file paths")
    for cert in value:
        if not isinstance(cert, (bytes, str, os.PathLike)):
            raise TypeError("registry_ca_certs must be a list of PEM bytes or file paths")


def _check_vsock(value: object) -> None:
    if isinstance(value, Mapping):
        for socket, port in value.items():
            check_str(socket, "vsock socket")
            _check_int(port, "vsock port")
    else:
        _check_sequence_of(value, "vsock", VsockRoute)


def _check_violation(value: object) -> None:
    if not isinstance(value, (ViolationAction, ViolationPolicy)):
        raise TypeError(f"expected ViolationAction, got {type(value).__name__}")


# Reference kwargs our runtime lacks: each is type-checked, then refused when set.
_UNSUPPORTED: dict[str, Callable[[object], object]] = {
    "max_memory": lambda v: _check_int(v, "max_memory"),
    "max_cpus": lambda v: _check_int(v, "max_cpus"),
    "cpu_placement": _check_cpu_placement,
    "placement_profile": lambda v: check_str(v, "placement_profile"),
    "thp": _check_thp,
    "deployment_profile": lambda v: expect_enum(v, DeploymentProfile),
    "init": _check_init,
    "max_duration": lambda v: check_seconds(v, "max_duration"),
    "idle_timeout": lambda v: check_seconds(v, "idle_timeout"),
    "scripts": lambda v: check_str_mapping(v, "scripts"),
    "log_level": lambda v: expect_enum(v, LogLevel),
    "registry_auth": lambda v: _expect_exact_type(v, RegistryAuth),
    "registry_ca_certs": _check_ca_certs,
    "vsock": _check_vsock,
    "secrets": lambda v: _check_sequence_of(v, "secrets", SecretEntry),
    "on_secret_violation": _check_violation,
}


def _network_spec(network: object, ports: object) -> dict[str, Any] | None:
    if network is None and ports is None:
        return None
    if network is None:
        spec: dict[str, Any] = {"preset": "public", "rules": []}
    elif type(network) is Network:
        spec = network._to_spec()
    else:
        raise TypeError(f"expected Network, got {type(network).__name__}")
    if ports is not None:
        merged = spec.get("ports", []) + port_specs(ports)
        if merged:
            spec["ports"] = merged
    return spec


def create_spec(name: object, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The create spec for `Sandbox.create(name, **kwargs)`; None values mean unset."""
    check_name(name)
    _check_keys(kwargs)
    kw = {key: value for key, value in kwargs.items() if value is not None}
    if "image" in kw and "from_snapshot" in kw:
        raise ValueError("pass either image= or from_snapshot=, not both")
    if "image" not in kw and "from_snapshot" not in kw:
        raise ValueError("image= or from_snapshot= is required")
    for key, check in _UNSUPPORTED.items():
        if key in kw:
            check(kw[key])
            if key == "secrets" and not kw[key]:
                continue  # an empty list asks for nothing
            raise not_supported_yet(key)
    if "security" in kw and expect_enum(kw["security"], SecurityProfile) is not \
            SecurityProfile.DEFAULT:
        raise not_supported_yet("security")  # DEFAULT is what we always run

    spec: dict[str, Any] = {}
    if "image" in kw:
        spec.update(_image_spec(kw["image"]))
    else:
        spec["from_snapshot"] = _snapshot_name(kw["from_snapshot"])
    if "cpus" in kw:
        spec["cpus"] = _check_int(kw["cpus"], "cpus")
    if "memory" in kw:
        spec["memory_mib"] = _check_int(kw["memory"], "memory")
    for key in _STR_KWARGS:
        if key in kw:
            spec[key] = check_str(kw[key], key)
    for key in _LIST_KWARGS:
        if key in kw:
            spec[key] = check_args_list_named(kw[key], key)
    if "env" in kw:
        spec["env"] = check_str_mapping(kw["env"], "env")
    if "labels" in kw:
        spec["labels"] = dict(check_str_mapping(kw["labels"], "labels"))
    if "pull_policy" in kw:
        spec["pull_policy"] = expect_enum(kw["pull_policy"], PullPolicy).value
    if "registry_insecure" in kw:
        spec["insecure_registry"] = _check_bool(kw["registry_insecure"], "registry_insecure")
    for key in ("replace", "ephemeral", "detached", "disable_network"):
        if key in kw:
            spec[key] = _check_bool(kw[key], key)
    if "replace_with_timeout" in kw:
        grace = check_seconds(kw["replace_with_timeout"], "replace_with_timeout")
        spec["replace"] = True  # a grace period only means something when replacing
        spec["replace_grace_ms"] = seconds_to_ms(grace)
    if "isolation" in kw:
        spec["isolation"] = _check_choice(kw["isolation"], "isolation", _ISOLATIONS)
    if "accel" in kw:
        spec["accel"] = _check_choice(kw["accel"], "accel", _ACCELS)
    if "volumes" in kw:
        spec["volumes"] = _volumes_spec(kw["volumes"])
    if "patches" in kw:
        patches = _check_sequence_of(kw["patches"], "patches", PatchConfig)
        spec["patches"] = [patch._to_spec() for patch in patches]
    network = _network_spec(kw.get("network"), kw.get("ports"))
    if network is not None:
        spec["network"] = network
    return spec


__all__ = ["create_spec", "exec_spec", "shell_spec", "check_name", "CREATE_KWARGS"]
