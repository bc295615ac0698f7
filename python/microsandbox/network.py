"""Network configuration values and their translation to the native network spec.

Our runtime's policy is "the user's rules, then a preset, then a final deny" with rules in
the `--net-rule` grammar (docs/design/networking.md); `Network._to_spec()` expresses the
reference's policy objects in those terms.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

from microsandbox._checks import expect_enum
from microsandbox.errors import not_supported_yet
from microsandbox.secrets import ViolationPolicy
from microsandbox.types import (
    Action,
    DestGroup,
    Direction,
    DnsConfig,
    NetworkDestinationKind,
    NetworkProfile,
    PortProtocol,
    Protocol,
    ViolationAction,
    VsockSocketType,
)


@dataclass(frozen=True, slots=True)
class NetworkDestination:
    """What a rule matches: `value` is the address, block, domain, suffix or group."""

    kind: NetworkDestinationKind
    value: str | DestGroup | None = None


class Destination:
    """Factory of NetworkDestination values."""

    @staticmethod
    def any() -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.ANY)

    @staticmethod
    def ip(address: str) -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.IP, address)

    @staticmethod
    def cidr(block: str) -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.CIDR, block)

    @staticmethod
    def domain(name: str) -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.DOMAIN, name)

    @staticmethod
    def domain_suffix(suffix: str) -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.DOMAIN_SUFFIX, suffix)

    @staticmethod
    def group(group: DestGroup) -> NetworkDestination:
        return NetworkDestination(NetworkDestinationKind.GROUP, expect_enum(group, DestGroup))


PortSpec = Union[int, str, None]


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    direction: Direction = Direction.EGRESS
    destination: str | NetworkDestination | None = None
    protocol: Protocol | None = None
    port: PortSpec = None

    def __post_init__(self) -> None:
        expect_enum(self.action, Action)
        expect_enum(self.direction, Direction)
        if self.protocol is not None:
            expect_enum(self.protocol, Protocol)

    @staticmethod
    def allow(
        *,
        direction: Direction = Direction.EGRESS,
        destination: str | NetworkDestination | None = None,
        protocol: Protocol | None = None,
        port: PortSpec = None,
    ) -> Rule:
        return Rule(Action.ALLOW, direction, destination, protocol, port)

    @staticmethod
    def deny(
        *,
        direction: Direction = Direction.EGRESS,
        destination: str | NetworkDestination | None = None,
        protocol: Protocol | None = None,
        port: PortSpec = None,
    ) -> Rule:
        return Rule(Action.DENY, direction, destination, protocol, port)

    @staticmethod
    def allow_dns() -> tuple[Rule, Rule]:
        return (Rule(Action.ALLOW, protocol=Protocol.UDP, port=53),
                Rule(Action.ALLOW, protocol=Protocol.TCP, port=53))

    @staticmethod
    def deny_dns() -> tuple[Rule, Rule]:
        return (Rule(Action.DENY, protocol=Protocol.UDP, port=53),
                Rule(Action.DENY, protocol=Protocol.TCP, port=53))

    def _to_rule_string(self) -> str:
        """This rule in the `--net-rule` grammar."""
        head = self.action.value
        if self.direction is not Direction.EGRESS:
            head += f":{self.direction.value}"
        text = f"{head}@{_target(self.destination)}"
        ports = _ports(self.port)
        proto = _protocol(self.protocol)
        if proto == "icmp" and ports is not None:
            raise ValueError("an icmp rule takes no port")
        if ports is not None:
            text += f":{proto}:{ports}"
        elif proto != "any":
            text += f":{proto}"
        return text


def _protocol(protocol: Protocol | None) -> str:
    if protocol is None:
        return "any"
    if protocol in (Protocol.ICMPV4, Protocol.ICMPV6):
        return "icmp"  # our rules match ICMP of either family
    return protocol.value


def _ports(port: PortSpec) -> str | None:
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, (int, str)):
        raise TypeError(f"port must be int or str, got {type(port).__name__}")
    return str(port)


_GROUP_TARGET = {DestGroup.METADATA: "meta"}  # our grammar's name for the metadata group


def _group_target(group: DestGroup) -> str:
    return _GROUP_TARGET.get(group, group.value)


def _address_target(text: str) -> str:
    """IPv6 addresses and blocks go in brackets so a following `:proto` is unambiguous."""
    return f"[{text}]" if ":" in text else text


def _suffix_target(suffix: str) -> str:
    return "*." + suffix.removeprefix("*.").lstrip(".")


def _target(destination: str | NetworkDestination | None) -> str:
    if destination is None:
        return "any"
    if isinstance(destination, str):
        return _shorthand_target(destination)
    if not isinstance(destination, NetworkDestination):
        raise TypeError(
            f"destination must be str or NetworkDestination, got {type(destination).__name__}")
    kind, value = destination.kind, destination.value
    if kind is NetworkDestinationKind.ANY:
        return "any"
    if kind is NetworkDestinationKind.GROUP:
        return _group_target(expect_enum(value, DestGroup))
    if not isinstance(value, str):
        raise TypeError(f"{kind.value} destination needs a str value")
    if kind in (NetworkDestinationKind.IP, NetworkDestinationKind.CIDR):
        return _address_target(value)
    if kind is NetworkDestinationKind.DOMAIN_SUFFIX:
        return _suffix_target(value)
    return value


def _shorthand_target(text: str) -> str:
    """The reference's string shorthand for a destination."""
    if text in ("*", "any"):
        return "any"
    if text.startswith("domain="):
        return text.removeprefix("domain=")
    if text.startswith("suffix="):
        return _suffix_target(text.removeprefix("suffix="))
    try:
        return _group_target(DestGroup(text))
    except ValueError:
        pass
    if text.startswith(".") or text.startswith("*."):
        return _suffix_target(text)
    if "/" in text:
        return _address_target(text)
    try:
        ipaddress.ip_address(text)
        return _address_target(text)
    except ValueError:
        return text


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Defaults per direction plus rules (first match wins). `profiles` (ours, set by
    from_profiles) lists the destination groups the sandbox may reach."""

    default_egress: Action = Action.DENY
    default_ingress: Action = Action.ALLOW
    rules: Sequence[Rule] = ()
    profiles: Sequence[NetworkProfile] = ()

    def __post_init__(self) -> None:
        expect_enum(self.default_egress, Action)
        expect_enum(self.default_ingress, Action)
        for profile in self.profiles:
            expect_enum(profile, NetworkProfile)

    @staticmethod
    def none() -> NetworkPolicy:
        return NetworkPolicy(Action.DENY, Action.DENY)

    @staticmethod
    def allow_all() -> NetworkPolicy:
        return NetworkPolicy(Action.ALLOW, Action.ALLOW)

    @staticmethod
    def from_profiles(*profiles: NetworkProfile) -> NetworkPolicy:
        return NetworkPolicy(Action.DENY, Action.ALLOW, (), tuple(profiles))

    def _preset_and_rules(self) -> tuple[str, list[str]]:
        rules = []
        for rule in self.rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"expected Rule, got {type(rule).__name__}")
            rules.append(rule._to_rule_string())
        if self.profiles:
            preset = "public" if NetworkProfile.PUBLIC in self.profiles else "none"
            for profile in dict.fromkeys(self.profiles):
                if profile is not NetworkProfile.PUBLIC:
                    rules.append(f"allow@{profile.value}")
        else:
            preset = "all" if self.default_egress is Action.ALLOW else "none"
        # "none" denies ingress and the others allow it: add a rule only to differ.
        if preset == "none" and self.default_ingress is Action.ALLOW:
            rules.append("allow:ingress@any")
        elif preset != "none" and self.default_ingress is Action.DENY:
            rules.append("deny:ingress@any")
        return preset, rules


@dataclass(frozen=True, slots=True)
class PortBinding:
    host_port: int
    guest_port: int
    bind: str = "127.0.0.1"
    protocol: PortProtocol = PortProtocol.TCP

    @staticmethod
    def tcp(host_port: int, guest_port: int, bind: str = "127.0.0.1") -> PortBinding:
        return PortBinding(host_port, guest_port, bind, PortProtocol.TCP)

    @staticmethod
    def udp(host_port: int, guest_port: int, bind: str = "127.0.0.1") -> PortBinding:
        return PortBinding(host_port, guest_port, bind, PortProtocol.UDP)


@dataclass(frozen=True, slots=True)
class VsockRoute:
    host_socket: str
    port: int
    socket_type: VsockSocketType = VsockSocketType.STREAM

    @staticmethod
    def stream(host_socket: str, port: int) -> VsockRoute:
        return VsockRoute(host_socket, port, VsockSocketType.STREAM)

    @staticmethod
    def dgram(host_socket: str, port: int) -> VsockRoute:
        return VsockRoute(host_socket, port, VsockSocketType.DGRAM)


@dataclass(frozen=True, slots=True)
class TokenBucket:
    """`size` units per `refill_time_ms`; `one_time_burst` extra units once."""

    size: int
    refill_time_ms: int
    one_time_burst: int = 0


@dataclass(frozen=True, slots=True)
class RateLimiter:
    bandwidth: TokenBucket | None = None
    ops: TokenBucket | None = None


@dataclass(frozen=True, slots=True)
class NetworkRateLimiter:
    egress: RateLimiter | None = None
    ingress: RateLimiter | None = None


@dataclass(frozen=True, slots=True)
class ScopedUpstreamCACert:
    pattern: str
    path: str


@dataclass(frozen=True, slots=True)
class ScopedVerifyUpstream:
    pattern: str
    verify: bool


@dataclass(frozen=True, slots=True)
class TlsConfig:
    bypass: Sequence[str] = ()
    verify_upstream: bool = True
    intercepted_ports: Sequence[int] = (443,)
    block_quic: bool = False
    upstream_ca_certs: Sequence[str] = ()
    scoped_upstream_ca_certs: Sequence[ScopedUpstreamCACert] = ()
    scoped_verify_upstream: Sequence[ScopedVerifyUpstream] = ()
    ca_cert: str | None = None
    ca_key: str | None = None
    ca_cn: str | None = None


PortsArg = Union[Mapping[int, int], Sequence[PortBinding]]


def port_specs(ports: object) -> list[dict[str, Any]]:
    """Published ports as spec entries: a Mapping {host: guest} is TCP on 127.0.0.1."""
    if isinstance(ports, Mapping):
        return [{"bind": "127.0.0.1", "host_port": _port_number(h), "guest_port":
                 _port_number(g), "udp": False} for h, g in ports.items()]
    if isinstance(ports, (str, bytes)) or not isinstance(ports, Sequence):
        raise TypeError("ports must be a Mapping or a sequence of PortBinding")
    specs = []
    for binding in ports:
        if not isinstance(binding, PortBinding):
            raise TypeError(f"expected PortBinding, got {type(binding).__name__}")
        specs.append({"bind": binding.bind, "host_port": _port_number(binding.host_port),
                      "guest_port": _port_number(binding.guest_port),
                      "udp": expect_enum(binding.protocol, PortProtocol) is PortProtocol.UDP})
    return specs


def _port_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"port must be int, got {type(value).__name__}")
    if not 0 < value < 65536:
        raise ValueError(f"port out of range: {value}")
    return value


def _bucket_rates(limiter: RateLimiter, side: str) -> tuple[dict[str, int], dict[str, int]]:
    """A RateLimiter as (limit, burst): a bucket of `size` refilled every `refill_time_ms`
    is size*1000/refill bytes (or packets) a second, with bursts of up to `size`."""
    limit: dict[str, int] = {}
    burst: dict[str, int] = {}
    for bucket, rate_key, burst_key in ((limiter.bandwidth, "bytes_per_second", "bytes"),
                                        (limiter.ops, "packets_per_second", "packets")):
        if bucket is None:
            continue
        if bucket.one_time_burst:
            raise not_supported_yet(f"network.rate_limiter.{side} one_time_burst")
        if bucket.size <= 0 or bucket.refill_time_ms <= 0:
            continue  # an empty bucket or no refill means no limit, as in Firecracker
        limit[rate_key] = bucket.size * 1000 // bucket.refill_time_ms
        burst[burst_key] = bucket.size
    return limit, burst


@dataclass(frozen=True, slots=True)
class Network:
    policy: NetworkPolicy | None = None  # None: the runtime default ("public")
    ports: PortsArg = ()
    deny_domains: Sequence[str] = ()
    deny_domain_suffixes: Sequence[str] = ()
    dns: DnsConfig | None = None
    tls: TlsConfig | None = None
    ipv4_pool: str | None = None
    ipv6_pool: str | None = None
    max_connections: int | None = None
    rate_limiter: NetworkRateLimiter | None = None
    on_secret_violation: ViolationAction | ViolationPolicy | None = None

    @staticmethod
    def none() -> Network:
        return Network(policy=NetworkPolicy.none())

    @staticmethod
    def allow_all() -> Network:
        return Network(policy=NetworkPolicy.allow_all())

    @staticmethod
    def from_profiles(*profiles: NetworkProfile) -> Network:
        return Network(policy=NetworkPolicy.from_profiles(*profiles))

    def _to_spec(self) -> dict[str, Any]:
        """The network spec of docs/design/python-sdk.md."""
        for name in ("tls", "ipv4_pool", "ipv6_pool", "on_secret_violation"):
            if getattr(self, name) is not None:
                raise not_supported_yet(f"network.{name}")
        if self.policy is None:
            preset, rules = "public", list[str]()
        elif isinstance(self.policy, NetworkPolicy):
            preset, rules = self.policy._preset_and_rules()
        else:
            raise TypeError(f"expected NetworkPolicy, got {type(self.policy).__name__}")
        # Denied domains win over every rule, so they go first.
        denied = [f"deny@{d}" for d in self.deny_domains]
        denied += [f"deny@{_suffix_target(s)}" for s in self.deny_domain_suffixes]
        spec: dict[str, Any] = {"preset": preset, "rules": denied + rules}
        ports = port_specs(self.ports)
        if ports:
            spec["ports"] = ports
        if self.dns is not None:
            spec["dns_nameservers"] = list(self.dns.nameservers)
            spec["rebinding_protection"] = bool(self.dns.rebind_protection)
            if self.dns.query_timeout_ms is not None:
                spec["dns_query_timeout_ms"] = self.dns.query_timeout_ms
        if self.max_connections is not None:
            spec["max_connections"] = self.max_connections
        if self.rate_limiter is not None:
            for side in ("egress", "ingress"):
                limiter = getattr(self.rate_limiter, side)
                if limiter is None:
                    continue
                limit, burst = _bucket_rates(limiter, side)
                if limit:
                    spec[f"{side}_limit"] = limit
                    spec[f"{side}_burst"] = burst
        return spec


__all__ = [
    "Network", "NetworkPolicy", "Rule", "Destination", "NetworkDestination", "PortBinding",
    "VsockRoute", "TokenBucket", "RateLimiter", "NetworkRateLimiter", "TlsConfig",
    "ScopedUpstreamCACert", "ScopedVerifyUpstream", "port_specs",
]
