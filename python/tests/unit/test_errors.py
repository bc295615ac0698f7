import pytest

from microsandbox import errors as E

ALL_CODES = {
    "MicrosandboxError": "microsandbox-error",
    "InvalidConfigError": "invalid-config",
    "NoDefaultCommandError": "no-default-command",
    "CloudHttpError": "cloud-http",
    "SandboxNotFoundError": "sandbox-not-found",
    "SandboxNotRunningError": "sandbox-not-running",
    "SandboxAlreadyExistsError": "sandbox-already-exists",
    "SandboxStillRunningError": "sandbox-still-running",
    "ExecTimeoutError": "exec-timeout",
    "FilesystemError": "filesystem-error",
    "VolumeNotFoundError": "volume-not-found",
    "ImageNotFoundError": "image-not-found",
    "ImageInUseError": "image-in-use",
    "IoError": "io-error",
    "MetricsDisabledError": "metrics-disabled",
    "MetricsUnavailableError": "metrics-unavailable",
    "UnsupportedOperationError": "unsupported-operation",
    "UnsupportedError": "unsupported",
    "SnapshotMigrationError": "snapshot-migration",
}
NEVER_RAISED = ["ExecFailedError", "PathNotFoundError", "ImagePullFailedError",
                "NetworkPolicyError", "SecretViolationError", "TlsError"]


def test_twenty_five_classes_all_derive_from_base():
    classes = [getattr(E, n) for n in E.__all__ if isinstance(getattr(E, n), type)]
    assert len(classes) == 25
    for cls in classes:
        assert issubclass(cls, E.MicrosandboxError)
        assert isinstance(cls.code, str) and cls.code


@pytest.mark.parametrize("name,code", ALL_CODES.items())
def test_codes(name, code):
    assert getattr(E, name).code == code


@pytest.mark.parametrize("name", NEVER_RAISED)
def test_defined_but_never_raised_exist(name):
    assert issubclass(getattr(E, name), E.MicrosandboxError)


def test_kind_and_errno_default_and_keyword():
    e = E.IoError("boom")
    assert str(e) == "boom" and e.kind is None and e.errno == 0
    e = E.IoError("boom", kind="io", errno=5)
    assert e.kind == "io" and e.errno == 5


def test_unsupported_error_attributes():
    e = E.UnsupportedError("nope", "op", "try x")
    assert (e.operation, e.hint, str(e)) == ("op", "try x", "nope")
    assert E.UnsupportedError("m").operation is None


def test_not_supported_yet():
    e = E.not_supported_yet("vsock")
    assert type(e) is E.UnsupportedError
    assert str(e) == "not supported yet: vsock" and e.operation == "vsock"


@pytest.mark.parametrize("kind,context,cls", [
    ("not-found", "sandbox", E.SandboxNotFoundError),
    ("already-exists", "sandbox", E.SandboxAlreadyExistsError),
    ("still-running", "sandbox", E.SandboxStillRunningError),
    ("not-found", "exec", E.SandboxNotRunningError),
    ("io", "exec", E.SandboxNotRunningError),
    ("exec-failed", "exec", E.ExecFailedError),
    ("not-found", "fs", E.FilesystemError),
    ("io", "fs", E.FilesystemError),
    ("permission-denied", "fs", E.FilesystemError),
    ("unsupported", "fs", E.UnsupportedError),
    ("not-found", "image", E.ImageNotFoundError),
    ("image-not-found", "image", E.ImageNotFoundError),
    ("image-in-use", "image", E.ImageInUseError),
    ("not-found", "volume", E.VolumeNotFoundError),
    ("not-found", "snapshot", E.MicrosandboxError),
    ("invalid-config", "sandbox", E.InvalidConfigError),
    ("image-not-found", "sandbox", E.ImageNotFoundError),
    ("image-in-use", "volume", E.ImageInUseError),
    ("unsupported", "sandbox", E.UnsupportedError),
    ("io", "sandbox", E.IoError),
    ("io", "snapshot", E.IoError),
    ("timeout", "sandbox", E.MicrosandboxError),
    ("integrity", "snapshot", E.MicrosandboxError),
    ("not-found", "exec-unknown-context", E.MicrosandboxError),
    ("already-exists", "volume", E.MicrosandboxError),
])
def test_translate(kind, context, cls):
    e = E.translate(kind, "the message", 2, context)
    assert type(e) is cls
    assert str(e) == "the message" and e.kind == kind and e.errno == 2
