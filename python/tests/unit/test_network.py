import pytest

from microsandbox.errors import UnsupportedError
from microsandbox.network import (
    Destination,
    Network,
    NetworkPolicy,
    NetworkRateLimiter,
    PortBinding,
    RateLimiter,
    Rule,
    TlsConfig,
    TokenBucket,
    VsockRoute,
)
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
    VsockSocketType,
)


def rules_of(*rules, **kw):
    return Network(policy=NetworkPolicy(rules=tuple(rules), **kw))._to_spec()["rules"]


def test_presets():
    assert Network.allow_all()._to_spec() == {"preset": "all", "rules": []}
    assert Network.none()._to_spec() == {"preset": "none", "rules": []}
    assert Network.from_profiles(NetworkProfile.PUBLIC)._to_spec() == {
        "preset": "public", "rules": []}
    assert Network()._to_spec() == {"preset": "public", "rules": []}


def test_profiles_beyond_public_add_group_rules():
    spec = Network.from_profiles(NetworkProfile.PUBLIC, NetworkProfile.PRIVATE)._to_spec()
    assert spec == {"preset": "public", "rules": ["allow@private"]}
    spec = Network.from_profiles(NetworkProfile.HOST)._to_spec()
    assert spec == {"preset": "none", "rules": ["allow@host", "allow:ingress@any"]}


def test_default_policy_denies_egress_allows_ingress():
    assert Network(policy=NetworkPolicy())._to_spec() == {
        "preset": "none", "rules": ["allow:ingress@any"]}


def test_ingress_rule_comes_after_user_rules():
    assert rules_of(Rule.allow(destination="example.com")) == [
        "allow@example.com", "allow:ingress@any"]


def test_egress_allow_ingress_deny():
    spec = Network(policy=NetworkPolicy(Action.ALLOW, Action.DENY))._to_spec()
    assert spec == {"preset": "all", "rules": ["deny:ingress@any"]}


def test_egress_allow_ingress_allow_adds_nothing():
    spec = Network(policy=NetworkPolicy(Action.ALLOW, Action.ALLOW, (Rule.deny(
        destination="10.0.0.0/8"),)))._to_spec()
    assert spec == {"preset": "all", "rules": ["deny@10.0.0.0/8"]}


@pytest.mark.parametrize("destination,target", [
    (None, "any"),
    ("*", "any"),
    ("domain=example.com", "example.com"),
    ("suffix=example.com", "*.example.com"),
    ("suffix=.example.com", "*.example.com"),
    (".example.com", "*.example.com"),
    ("*.example.com", "*.example.com"),
    ("10.0.0.0/8", "10.0.0.0/8"),
    ("1.2.3.4", "1.2.3.4"),
    ("2001:db8::1", "[2001:db8::1]"),
    ("fd00::/8", "[fd00::/8]"),
    ("example.com", "example.com"),
    ("metadata", "meta"),
    ("link-local", "link-local"),
    ("private", "private"),
    (Destination.any(), "any"),
    (Destination.ip("::1"), "[::1]"),
    (Destination.cidr("192.168.0.0/16"), "192.168.0.0/16"),
    (Destination.domain("api.example.com"), "api.example.com"),
    (Destination.domain_suffix("example.org"), "*.example.org"),
    (Destination.domain_suffix(".example.org"), "*.example.org"),
    (Destination.group(DestGroup.METADATA), "meta"),
    (Destination.group(DestGroup.LINK_LOCAL), "link-local"),
    (Destination.group(DestGroup.MULTICAST), "multicast"),
])
def test_destination_targets(destination, target):
    assert rules_of(Rule.deny(destination=destination), default_ingress=Action.DENY) == [
        f"deny@{target}"]


@pytest.mark.parametrize("rule,text", [
    (Rule.allow(protocol=Protocol.TCP), "allow@any:tcp"),
    (Rule.allow(protocol=Protocol.UDP, port=53), "allow@any:udp:53"),
    (Rule.allow(protocol=Protocol.ICMPV4), "allow@any:icmp"),
    (Rule.allow(protocol=Protocol.ICMPV6), "allow@any:icmp"),
    (Rule.allow(port=443), "allow@any:any:443"),
    (Rule.allow(port="8000-8080", protocol=Protocol.TCP), "allow@any:tcp:8000-8080"),
    (Rule.allow(direction=Direction.INGRESS), "allow:ingress@any"),
    (Rule.deny(direction=Direction.ANY, destination="::1", protocol=Protocol.TCP, port=22),
     "deny:any@[::1]:tcp:22"),
    (Rule(Action.ALLOW, Direction.EGRESS, "example.com", Protocol.TCP, 443),
     "allow@example.com:tcp:443"),
])
def test_rule_strings(rule, text):
    assert rules_of(rule, default_ingress=Action.DENY) == [text]


def test_dns_rules():
    udp, tcp = Rule.allow_dns()
    assert (udp.protocol, tcp.protocol, udp.port, tcp.port) == (
        Protocol.UDP, Protocol.TCP, 53, 53)
    assert rules_of(*Rule.deny_dns(), default_ingress=Action.DENY) == [
        "deny@any:udp:53", "deny@any:tcp:53"]


def test_icmp_with_port_is_refused():
    with pytest.raises(ValueError):
        rules_of(Rule.allow(protocol=Protocol.ICMPV4, port=1))


def test_raw_str_enums_are_type_errors():
    with pytest.raises(TypeError, match="expected Action, got str"):
        Rule("allow")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected Direction, got str"):
        Rule.allow(direction="egress")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected DestGroup, got str"):
        Destination.group("public")  # type: ignore[arg-type]


def test_destination_kinds():
    assert Destination.ip("1.1.1.1").kind is NetworkDestinationKind.IP
    assert Destination.group(DestGroup.HOST).value is DestGroup.HOST


def test_deny_domains_go_first():
    spec = Network(policy=NetworkPolicy.allow_all(), deny_domains=("evil.com",),
                   deny_domain_suffixes=(".bad.org", "worse.net"))._to_spec()
    assert spec["rules"] == ["deny@evil.com", "deny@*.bad.org", "deny@*.worse.net"]


def test_ports():
    spec = Network(ports={8080: 80})._to_spec()
    assert spec["ports"] == [{"bind": "127.0.0.1", "host_port": 8080, "guest_port": 80,
                              "udp": False}]
    spec = Network(ports=[PortBinding.udp(5353, 53, bind="0.0.0.0"),
                          PortBinding(1, 2)])._to_spec()
    assert spec["ports"] == [
        {"bind": "0.0.0.0", "host_port": 5353, "guest_port": 53, "udp": True},
        {"bind": "127.0.0.1", "host_port": 1, "guest_port": 2, "udp": False}]
    assert PortBinding.tcp(1, 2).protocol is PortProtocol.TCP


def test_bad_ports():
    with pytest.raises(TypeError):
        Network(ports=[(1, 2)])._to_spec()  # type: ignore[list-item]
    with pytest.raises(ValueError):
        Network(ports={70000: 1})._to_spec()


def test_dns_and_connections():
    spec = Network(dns=DnsConfig(False, ("1.1.1.1", "[::1]:53"), 2000),
                   max_connections=10)._to_spec()
    assert spec["dns_nameservers"] == ["1.1.1.1", "[::1]:53"]
    assert spec["rebinding_protection"] is False
    assert spec["dns_query_timeout_ms"] == 2000
    assert spec["max_connections"] == 10


def test_rate_limiter():
    limiter = NetworkRateLimiter(
        egress=RateLimiter(bandwidth=TokenBucket(1_000_000, 500), ops=TokenBucket(100, 1000)),
        ingress=RateLimiter(bandwidth=TokenBucket(4096, 1000)))
    spec = Network(rate_limiter=limiter)._to_spec()
    assert spec["egress_limit"] == {"bytes_per_second": 2_000_000, "packets_per_second": 100}
    assert spec["egress_burst"] == {"bytes": 1_000_000, "packets": 100}
    assert spec["ingress_limit"] == {"bytes_per_second": 4096}
    assert spec["ingress_burst"] == {"bytes": 4096}


def test_rate_limiter_one_time_burst_unsupported():
    limiter = NetworkRateLimiter(egress=RateLimiter(bandwidth=TokenBucket(1, 1, 5)))
    with pytest.raises(UnsupportedError):
        Network(rate_limiter=limiter)._to_spec()


@pytest.mark.parametrize("field,value", [
    ("tls", TlsConfig()),
    ("ipv4_pool", "10.1.0.0/16"),
    ("ipv6_pool", "fd00::/64"),
    ("on_secret_violation", ViolationPolicy.block()),
])
def test_unsupported_fields_name_themselves(field, value):
    with pytest.raises(UnsupportedError) as info:
        Network(**{field: value})._to_spec()
    assert info.value.operation == f"network.{field}"


def test_vsock_routes():
    assert VsockRoute.stream("/tmp/s", 5).socket_type is VsockSocketType.STREAM
    assert VsockRoute.dgram("/tmp/s", 5).socket_type is VsockSocketType.DGRAM
