"""Exec value types: stdin modes, rlimits, exit status and stream events.

Re-exported by `microsandbox.types`; kept here so each module stays small.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from enum import StrEnum
from typing import Mapping, Sequence, TypedDict


class StdinMode(StrEnum):
    NULL = "null"
    PIPE = "pipe"
    BYTES = "bytes"


class Stdin:
    """Where an exec's stdin comes from: nothing, a pipe the caller writes, or fixed bytes."""

    __slots__ = ("mode", "data")

    mode: StdinMode
    data: builtins.bytes | None

    def __init__(self, mode: StdinMode, data: builtins.bytes | None = None) -> None:
        self.mode = mode
        self.data = data

    @classmethod
    def null(cls) -> Stdin:
        return cls(StdinMode.NULL)

    @classmethod
    def pipe(cls) -> Stdin:
        return cls(StdinMode.PIPE)

    @classmethod
    def bytes(cls, data: builtins.bytes) -> Stdin:
        if not isinstance(data, (builtins.bytes, bytearray, memoryview)):
            raise TypeError(f"stdin data must be bytes, got {type(data).__name__}")
        return cls(StdinMode.BYTES, builtins.bytes(data))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stdin) and (self.mode, self.data) == (other.mode, other.data)

    def __hash__(self) -> int:
        return hash((self.mode, self.data))

    def __repr__(self) -> str:
        if self.mode is StdinMode.BYTES:
            return f"Stdin.bytes({self.data!r})"
        return f"Stdin.{self.mode.value}()"


class RlimitResource(StrEnum):
    CPU = "cpu"
    FSIZE = "fsize"
    DATA = "data"
    STACK = "stack"
    CORE = "core"
    RSS = "rss"
    NPROC = "nproc"
    NOFILE = "nofile"
    MEMLOCK = "memlock"
    AS = "as"
    LOCKS = "locks"
    SIGPENDING = "sigpending"
    MSGQUEUE = "msgqueue"
    NICE = "nice"
    RTPRIO = "rtprio"
    RTTIME = "rttime"


@dataclass(frozen=True, slots=True)
class Rlimit:
    """One resource limit for an exec; None leaves that side unchanged."""

    resource: RlimitResource
    soft: int | None = None
    hard: int | None = None

    @classmethod
    def nofile(cls, n: int) -> Rlimit:
        return cls(RlimitResource.NOFILE, n, n)

    @classmethod
    def cpu(cls, n: int) -> Rlimit:
        return cls(RlimitResource.CPU, n, n)

    @classmethod
    def nproc(cls, n: int) -> Rlimit:
        return cls(RlimitResource.NPROC, n, n)

    @classmethod
    def fsize(cls, n: int) -> Rlimit:
        return cls(RlimitResource.FSIZE, n, n)

    @classmethod
    def memlock(cls, n: int) -> Rlimit:
        return cls(RlimitResource.MEMLOCK, n, n)

    @classmethod
    def stack(cls, n: int) -> Rlimit:
        return cls(RlimitResource.STACK, n, n)

    @classmethod
    def as_(cls, *, soft: int | None, hard: int | None) -> Rlimit:
        return cls(RlimitResource.AS, soft, hard)


class ExecOptions(TypedDict, total=False):
    """The dict form of exec's `args`: these keys override the keyword arguments."""

    args: Sequence[str]
    cwd: str
    user: str
    env: Mapping[str, str]
    timeout: float
    tty: bool
    stdin: Stdin | builtins.bytes | None
    stdin_data: builtins.bytes
    rlimits: Sequence[Rlimit]


@dataclass(frozen=True, slots=True)
class ExitStatus:
    code: int
    success: bool


class ExecEventType(StrEnum):
    STARTED = "started"
    STDOUT = "stdout"
    STDERR = "stderr"
    EXITED = "exited"
    FAILED = "failed"
    STDIN_ERROR = "stdin_error"


@dataclass(frozen=True, slots=True)
class ExecEvent:
    """STARTED has pid; STDOUT/STDERR data; EXITED code; FAILED/STDIN_ERROR data (the
    message) and code (an errno)."""

    event_type: ExecEventType
    pid: int | None = None
    data: bytes | None = None
    code: int | None = None
