"""Secret values (reference-compatible). Our runtime has no secret injection yet: these
are plain values, and creating a sandbox with any of them raises UnsupportedError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from microsandbox._checks import expect_enum
from microsandbox.types import ViolationAction


@dataclass(frozen=True, slots=True)
class SecretInjection:
    """Where the proxy may substitute the secret for its placeholder."""

    headers: bool = True
    basic_auth: bool = True
    query_params: bool = False
    body: bool = False


@dataclass(frozen=True, slots=True)
class ViolationPolicy:
    action: ViolationAction
    hosts: Sequence[str] = ()
    host_patterns: Sequence[str] = ()
    all_hosts: bool = False

    @staticmethod
    def block() -> ViolationPolicy:
        return ViolationPolicy(ViolationAction.BLOCK)

    @staticmethod
    def block_and_log() -> ViolationPolicy:
        return ViolationPolicy(ViolationAction.BLOCK_AND_LOG)

    @staticmethod
    def block_and_terminate() -> ViolationPolicy:
        return ViolationPolicy(ViolationAction.BLOCK_AND_TERMINATE)

    @staticmethod
    def passthrough(
        *, hosts: Sequence[str] = (), host_patterns: Sequence[str] = (), all_hosts: bool = False
    ) -> ViolationPolicy:
        return ViolationPolicy(ViolationAction.PASSTHROUGH, tuple(hosts), tuple(host_patterns),
                               all_hosts)


@dataclass(frozen=True, slots=True)
class SecretEntry:
    env_var: str
    value: str
    allow_hosts: Sequence[str] = ()
    allow_host_patterns: Sequence[str] = ()
    placeholder: str | None = None
    require_tls: bool = True
    on_violation: ViolationAction = ViolationAction.BLOCK_AND_LOG
    injection: SecretInjection | None = None


class Secret:
    """Factory of SecretEntry values."""

    @staticmethod
    def env(
        env_var: str,
        *,
        value: str,
        allow_hosts: Sequence[str] = (),
        allow_host_patterns: Sequence[str] = (),
        placeholder: str | None = None,
        require_tls: bool = True,
        on_violation: ViolationAction = ViolationAction.BLOCK_AND_LOG,
        injection: SecretInjection | None = None,
    ) -> SecretEntry:
        return SecretEntry(env_var, value, tuple(allow_hosts), tuple(allow_host_patterns),
                           placeholder, require_tls, expect_enum(on_violation, ViolationAction),
                           injection)


__all__ = ["Secret", "SecretEntry", "SecretInjection", "ViolationPolicy"]
