"""Names of the reference's API whose features this runtime does not have yet (ssh, the
agent protocol client, modify plans, metrics and log streams, init options). They exist so
that code written for the reference imports unchanged; using them raises UnsupportedError
"not supported yet: <feature>". Each feature's issue replaces its names here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from .errors import not_supported_yet

FLAG_TERMINAL = 1
FLAG_SESSION_START = 2
FLAG_SHUTDOWN = 4


@dataclass(frozen=True, slots=True)
class SandboxPingResult:
    name: str
    latency_ms: float


@dataclass(frozen=True, slots=True)
class SandboxTouchResult:
    name: str
    activity_seq: int


class _NotYet:
    _feature = "this feature"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise not_supported_yet(self._feature)

    @classmethod
    def _raise(cls) -> NoReturn:
        raise not_supported_yet(cls._feature)


def _not_yet(name: str, feature: str) -> type[_NotYet]:
    return type(name, (_NotYet,), {"_feature": feature, "__module__": __name__,
                                   "__doc__": f"Not supported yet: {feature}."})


SandboxModificationPlan = _not_yet("SandboxModificationPlan", "modify")
ConfigPlannedChange = _not_yet("ConfigPlannedChange", "modify")
SecretPlannedChange = _not_yet("SecretPlannedChange", "modify")
PlannedChange = _not_yet("PlannedChange", "modify")
SecretModifySpec = _not_yet("SecretModifySpec", "modify")
ModificationConflict = _not_yet("ModificationConflict", "modify")
ModificationWarning = _not_yet("ModificationWarning", "modify")
ResourceResizeStatus = _not_yet("ResourceResizeStatus", "modify")
SandboxSshOps = _not_yet("SandboxSshOps", "ssh")
SftpClient = _not_yet("SftpClient", "ssh")
SshClient = _not_yet("SshClient", "ssh")
SshOutput = _not_yet("SshOutput", "ssh")
SshServer = _not_yet("SshServer", "ssh")
AgentClient = _not_yet("AgentClient", "the agent protocol client")
AgentStream = _not_yet("AgentStream", "the agent protocol client")
LogStream = _not_yet("LogStream", "log_stream")
MetricsStream = _not_yet("MetricsStream", "metrics")
InitOptions = _not_yet("InitOptions", "init")


async def all_sandbox_metrics() -> dict[str, Any]:
    raise not_supported_yet("metrics")


def _connect_sandbox(*args: Any, **kwargs: Any) -> NoReturn:
    raise not_supported_yet("the agent protocol client")


setattr(AgentClient, "connect_sandbox", staticmethod(_connect_sandbox))
