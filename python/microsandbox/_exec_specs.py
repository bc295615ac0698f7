"""Argument checks for exec/shell (reference section 5) and the exec spec they build."""

from __future__ import annotations

import math
from typing import Any, Mapping

from microsandbox.types import Rlimit, Stdin, StdinMode

EXEC_KWARGS = ("cwd", "user", "env", "timeout", "stdin", "tty", "rlimits")
EXEC_OPTION_KEYS = ("args", "cwd", "user", "env", "timeout", "tty", "stdin", "stdin_data",
                    "rlimits")
DEFAULT_ROWS = 24
DEFAULT_COLS = 80


def _type_name(value: object) -> str:
    return type(value).__name__


def check_args_list(args: object) -> list[str]:
    if isinstance(args, (str, bytes)):
        raise TypeError("args must be a list of strings, not a string")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise TypeError("args must be a list of strings")
    return list(args)


def check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, got {_type_name(value)}")
    return value


def check_str_mapping(value: object, what: str) -> list[tuple[str, str]]:
    """A Mapping[str, str] as a list of pairs, in its order."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a Mapping")
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"{what} keys and values must be str")
        pairs.append((key, item))
    return pairs


def check_seconds(value: object, what: str) -> float:
    """A finite, non-negative duration in seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {_type_name(value)}")
    if value < 0:
        raise ValueError(f"{what} must be non-negative")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite")
    return float(value)


def seconds_to_ms(seconds: float) -> int:
    # Rounded up so a tiny positive timeout never becomes 0 ms.
    return math.ceil(seconds * 1000)


def _stdin_spec(stdin: object) -> tuple[str, bytes | None]:
    if stdin is None:
        return "null", None
    if isinstance(stdin, bytes):
        return "bytes", stdin
    if type(stdin) is not Stdin:  # the reference accepts only the exact class
        raise TypeError(f"stdin must be Stdin, got {_type_name(stdin)}")
    if stdin.mode is StdinMode.BYTES:
        return "bytes", stdin.data or b""
    return stdin.mode.value, None


def _rlimit_specs(rlimits: object) -> list[dict[str, Any]]:
    try:
        items = iter(rlimits)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError("rlimits must be a sequence") from None
    specs = []
    for rlimit in items:
        if type(rlimit) is not Rlimit:
            raise TypeError(f"rlimit must be Rlimit, got {_type_name(rlimit)}")
        specs.append({"resource": rlimit.resource.value, "soft": rlimit.soft,
                      "hard": rlimit.hard})
    return specs


def _merge_options(args: object, kwargs: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """exec's `args`: None, a list of str, or an ExecOptions dict whose values override the
    keyword arguments."""
    options = dict(kwargs)
    if args is None:
        return [], options
    if not isinstance(args, dict):
        return check_args_list(args), options
    argv: list[str] = []
    for key, value in args.items():
        if not isinstance(key, str):
            raise TypeError("exec option keys must be strings")
        if key not in EXEC_OPTION_KEYS:
            raise TypeError(f"unknown exec option: {key}")
        if key == "args":
            argv = [] if value is None else check_args_list(value)
        elif key == "stdin_data":
            if value is not None:
                if not isinstance(value, bytes):
                    raise TypeError(f"stdin_data must be bytes, got {_type_name(value)}")
                options["stdin"] = value
        else:
            options[key] = value
    return argv, options


def _check_kwargs(kwargs: Mapping[str, Any]) -> None:
    for key in kwargs:
        if key not in EXEC_KWARGS:
            raise TypeError(f"unexpected keyword argument '{key}'")


def _spec_from_options(cmd: str, argv: list[str], options: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"cmd": cmd, "args": argv}
    for key in ("cwd", "user"):
        if options.get(key) is not None:
            spec[key] = check_str(options[key], key)
    env = options.get("env")
    spec["env"] = [] if env is None else check_str_mapping(env, "env")
    timeout = options.get("timeout")
    spec["timeout_ms"] = None if timeout is None else seconds_to_ms(
        check_seconds(timeout, "timeout"))
    tty = options.get("tty", False)
    if not isinstance(tty, bool):
        raise TypeError(f"tty must be bool, got {_type_name(tty)}")
    spec["tty"] = tty
    spec["rows"], spec["cols"] = DEFAULT_ROWS, DEFAULT_COLS
    spec["stdin"], spec["stdin_data"] = _stdin_spec(options.get("stdin"))
    rlimits = options.get("rlimits")
    spec["rlimits"] = [] if rlimits is None else _rlimit_specs(rlimits)
    return spec


def exec_spec(cmd: object, args: object, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The exec spec for `exec(cmd, args, **kwargs)` / `exec_stream(...)`."""
    _check_kwargs(kwargs)
    command = check_str(cmd, "cmd")
    argv, options = _merge_options(args, kwargs)
    return _spec_from_options(command, argv, options)


def shell_spec(shell_path: str, script: object, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The exec spec for `shell(script, **kwargs)`: `<shell> -c <script>`."""
    _check_kwargs(kwargs)
    return _spec_from_options(check_str(shell_path, "shell"),
                              ["-c", check_str(script, "script")], kwargs)


__all__ = ["exec_spec", "shell_spec"]
