"""exec/shell argument rules (reference section 5) and the exec spec."""

import pytest

from microsandbox._specs import exec_spec, shell_spec
from microsandbox.types import Rlimit, Stdin


class SubStdin(Stdin):
    pass


def test_defaults():
    assert exec_spec("ls", None, {}) == {
        "cmd": "ls", "args": [], "env": [], "timeout_ms": None, "tty": False, "rows": 24,
        "cols": 80, "stdin": "null", "stdin_data": None, "rlimits": []}


def test_full_kwargs():
    out = exec_spec("ls", ["-l", "/"], {
        "cwd": "/tmp", "user": "nobody", "env": {"A": "1"}, "timeout": 1.25, "tty": True,
        "stdin": Stdin.pipe(), "rlimits": [Rlimit.nofile(64), Rlimit.as_(soft=1, hard=None)]})
    assert out == {
        "cmd": "ls", "args": ["-l", "/"], "cwd": "/tmp", "user": "nobody", "env": [("A", "1")],
        "timeout_ms": 1250, "tty": True, "rows": 24, "cols": 80, "stdin": "pipe",
        "stdin_data": None, "rlimits": [{"resource": "nofile", "soft": 64, "hard": 64},
                                        {"resource": "as", "soft": 1, "hard": None}]}


@pytest.mark.parametrize("args", ["ls -l", b"ls"])
def test_args_string(args):
    with pytest.raises(TypeError) as info:
        exec_spec("ls", args, {})
    assert str(info.value) == "args must be a list of strings, not a string"


@pytest.mark.parametrize("args", [("-l",), 5, ["-l", 3]])
def test_args_not_a_list(args):
    with pytest.raises(TypeError) as info:
        exec_spec("ls", args, {})
    assert str(info.value) == "args must be a list of strings"


def test_options_dict_overrides_kwargs():
    out = exec_spec("ls", {"args": ["-a"], "cwd": "/x", "timeout": 3, "stdin_data": b"in"},
                    {"cwd": "/y", "timeout": 9})
    assert out["args"] == ["-a"] and out["cwd"] == "/x" and out["timeout_ms"] == 3000
    assert (out["stdin"], out["stdin_data"]) == ("bytes", b"in")


def test_options_dict_unknown_key():
    with pytest.raises(TypeError) as info:
        exec_spec("ls", {"bogus": 1}, {})
    assert str(info.value) == "unknown exec option: bogus"


def test_options_dict_key_type():
    with pytest.raises(TypeError) as info:
        exec_spec("ls", {1: 2}, {})
    assert str(info.value) == "exec option keys must be strings"


def test_options_dict_all_keys_accepted():
    out = exec_spec("ls", {"args": [], "cwd": "/", "user": "u", "env": {}, "timeout": 0,
                           "tty": False, "stdin": None, "stdin_data": None, "rlimits": []}, {})
    assert out["timeout_ms"] == 0


def test_stdin_forms():
    assert exec_spec("c", None, {"stdin": None})["stdin"] == "null"
    out = exec_spec("c", None, {"stdin": b"abc"})
    assert (out["stdin"], out["stdin_data"]) == ("bytes", b"abc")
    out = exec_spec("c", None, {"stdin": Stdin.bytes(b"x")})
    assert (out["stdin"], out["stdin_data"]) == ("bytes", b"x")
    assert exec_spec("c", None, {"stdin": Stdin.null()})["stdin"] == "null"
    assert exec_spec("c", None, {"stdin": Stdin.pipe()})["stdin"] == "pipe"


@pytest.mark.parametrize("stdin,name", [("text", "str"), (SubStdin.pipe(), "SubStdin"),
                                        (3, "int")])
def test_stdin_type(stdin, name):
    with pytest.raises(TypeError) as info:
        exec_spec("c", None, {"stdin": stdin})
    assert str(info.value) == f"stdin must be Stdin, got {name}"


def test_rlimits_not_iterable():
    with pytest.raises(TypeError) as info:
        exec_spec("c", None, {"rlimits": 5})
    assert str(info.value) == "rlimits must be a sequence"


def test_rlimit_item_type():
    with pytest.raises(TypeError) as info:
        exec_spec("c", None, {"rlimits": [("nofile", 1, 1)]})
    assert str(info.value) == "rlimit must be Rlimit, got tuple"


def test_rlimits_any_iterable():
    out = exec_spec("c", None, {"rlimits": (r for r in [Rlimit.cpu(1)])})
    assert out["rlimits"] == [{"resource": "cpu", "soft": 1, "hard": 1}]


def test_timeout_negative():
    with pytest.raises(ValueError) as info:
        exec_spec("c", None, {"timeout": -0.5})
    assert str(info.value) == "timeout must be non-negative"


def test_timeout_not_finite_and_rounding():
    with pytest.raises(ValueError):
        exec_spec("c", None, {"timeout": float("inf")})
    with pytest.raises(TypeError):
        exec_spec("c", None, {"timeout": "1"})
    assert exec_spec("c", None, {"timeout": 0.0001})["timeout_ms"] == 1


def test_env_must_be_mapping():
    with pytest.raises(TypeError) as info:
        exec_spec("c", None, {"env": [("A", "1")]})
    assert str(info.value) == "env must be a Mapping"


def test_cmd_and_kwarg_types():
    with pytest.raises(TypeError):
        exec_spec(["ls"], None, {})
    with pytest.raises(TypeError):
        exec_spec("ls", None, {"tty": 1})
    with pytest.raises(TypeError):
        exec_spec("ls", None, {"cwd": 1})
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        exec_spec("ls", None, {"foo": 1})


def test_shell_spec():
    out = shell_spec("/bin/sh", "echo hi | wc", {"timeout": 1, "env": {"X": "y"}})
    assert out["cmd"] == "/bin/sh" and out["args"] == ["-c", "echo hi | wc"]
    assert out["timeout_ms"] == 1000 and out["env"] == [("X", "y")]
    with pytest.raises(TypeError):
        shell_spec("/bin/sh", b"echo", {})
