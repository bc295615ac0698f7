#include "net/rule_grammar.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::net {
namespace {

Rule rule(std::string_view text) {
  Result<Rule> parsed = parse_rule(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
  return parsed.value_or(Rule{});
}

std::string canonical(std::string_view text) { return format_rule(rule(text)); }

std::string error_of(std::string_view text) {
  Result<Rule> parsed = parse_rule(text);
  if (parsed) return "parsed as " + format_rule(*parsed);
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument) << text;
  return parsed.error().message;
}

TEST(RuleGrammar, ActionAndDefaults) {
  Rule allow = rule("allow@any");
  EXPECT_EQ(allow.action, Action::kAllow);
  EXPECT_EQ(allow.direction, Direction::kEgress);
  EXPECT_EQ(allow.target.kind, Target::Kind::kAny);
  EXPECT_EQ(allow.protocol, Protocol::kAny);
  EXPECT_TRUE(allow.ports.any());
  EXPECT_EQ(rule("deny@any").action, Action::kDeny);
  EXPECT_EQ(rule("DENY@ANY").action, Action::kDeny);
}

TEST(RuleGrammar, Directions) {
  EXPECT_EQ(rule("allow:egress@any").direction, Direction::kEgress);
  EXPECT_EQ(rule("allow:ingress@any").direction, Direction::kIngress);
  EXPECT_EQ(rule("allow:any@any").direction, Direction::kAny);
}

TEST(RuleGrammar, GroupTargets) {
  for (Group group : kAllGroups) {
    if (group == Group::kAny) continue;
    Rule parsed = rule("deny@" + std::string(group_name(group)));
    EXPECT_EQ(parsed.target.kind, Target::Kind::kGroup);
    EXPECT_EQ(parsed.target.group, group);
  }
  EXPECT_EQ(rule("deny@Link-Local").target.group, Group::kLinkLocal);
}

TEST(RuleGrammar, AddressTargets) {
  Rule v4 = rule("deny@10.0.0.0/8");
  EXPECT_EQ(v4.target.kind, Target::Kind::kCidr);
  EXPECT_EQ(v4.target.cidr, Cidr::parse("10.0.0.0/8").value());
  EXPECT_EQ(rule("deny@10.0.0.1").target.cidr.prefix(), 32);
  EXPECT_EQ(rule("deny@[2001:db8::/32]").target.cidr, Cidr::parse("2001:db8::/32").value());
  EXPECT_EQ(rule("deny@2001:db8::/32").target.cidr, Cidr::parse("2001:db8::/32").value());
  EXPECT_EQ(rule("deny@::1").target.cidr, Cidr::parse("::1").value());
  EXPECT_EQ(rule("deny@[::1]:tcp:22").ports, (PortRange{22, 22}));
}

TEST(RuleGrammar, MappedV6BlocksBecomeV4) {
  EXPECT_EQ(canonical("deny@[::ffff:10.0.0.0/104]"), "deny@10.0.0.0/8");
  EXPECT_EQ(canonical("deny@::ffff:169.254.169.254"), "deny@169.254.169.254");
  EXPECT_EQ(canonical("deny@[::/0]"), "deny@[::/0]");
}

TEST(RuleGrammar, DomainAndSuffixTargets) {
  Rule domain = rule("allow@API.Example.com.");
  EXPECT_EQ(domain.target.kind, Target::Kind::kDomain);
  EXPECT_EQ(domain.target.domain, "api.example.com");
  Rule suffix = rule("allow@*.Example.com");
  EXPECT_EQ(suffix.target.kind, Target::Kind::kSuffix);
  EXPECT_EQ(suffix.target.domain, "example.com");
  EXPECT_EQ(rule("allow@localhost").target.domain, "localhost");
}

TEST(RuleGrammar, ProtocolsAndPorts) {
  EXPECT_EQ(rule("allow@any:tcp").protocol, Protocol::kTcp);
  EXPECT_EQ(rule("allow@any:udp").protocol, Protocol::kUdp);
  EXPECT_EQ(rule("allow@any:icmp").protocol, Protocol::kIcmp);
  EXPECT_EQ(rule("allow@any:any").protocol, Protocol::kAny);
  EXPECT_EQ(rule("allow@any:tcp:443").ports, (PortRange{443, 443}));
  EXPECT_EQ(rule("allow@any:tcp:1000-2000").ports, (PortRange{1000, 2000}));
  EXPECT_EQ(rule("allow@any:tcp:1-65535").ports, (PortRange{1, 65535}));
  EXPECT_TRUE(rule("allow@any:tcp:any").ports.any());
  EXPECT_TRUE(rule("allow@any:icmp:any").ports.any());
}

TEST(RuleGrammar, ListsKeepOrderAndIgnoreSpaces) {
  Result<std::vector<Rule>> rules = parse_rules("allow@api.example.com:tcp:443, deny@10.0.0.0/8");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(format_rule((*rules)[0]), "allow@api.example.com:tcp:443");
  EXPECT_EQ(format_rule((*rules)[1]), "deny@10.0.0.0/8");
}

TEST(RuleGrammar, FormatIsCanonicalAndRoundTrips) {
  struct Case {
    const char* text;
    const char* canonical;
  };
  for (const Case& c : std::vector<Case>{
           {"allow:egress@any:any:any", "allow@any"},
           {"ALLOW:INGRESS@ANY", "allow:ingress@any"},
           {"deny@10.0.0.1/32", "deny@10.0.0.1"},
           {"deny@2001:DB8::1", "deny@[2001:db8::1]"},
           {"deny@[2001:db8::/32]:udp", "deny@[2001:db8::/32]:udp"},
           {"allow@api.example.com.:TCP:443-443", "allow@api.example.com:tcp:443"},
           {"allow@*.example.com:any:8000-8080", "allow@*.example.com:any:8000-8080"},
           {"deny:any@meta", "deny:any@meta"},
           {"allow@public:icmp", "allow@public:icmp"},
       }) {
    EXPECT_EQ(canonical(c.text), c.canonical) << c.text;
    EXPECT_EQ(rule(canonical(c.text)), rule(c.text)) << c.text;
    EXPECT_EQ(canonical(c.canonical), c.canonical);
  }
}

TEST(RuleGrammar, ErrorsNameTheTokenAndItsColumn) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"alow@x", "'alow' at column 1: expected allow or deny"},
           {"@x", "'' at column 1: expected allow or deny"},
           {"allow",
            "'allow' at column 1: expected <allow|deny>[:direction]@<target>[:protocol[:ports]]"},
           {"", "'' at column 1: expected <allow|deny>[:direction]@<target>[:protocol[:ports]]"},
           {"allow:out@x", "'out' at column 7: expected egress, ingress or any"},
           {"allow:@x", "'' at column 7: expected egress, ingress or any"},
           {"allow:egress:x@y", "'x' at column 14: expected '@' after the direction"},
           {"allow@",
            "'' at column 7: expected a target: any, a group, an address or block, a domain"},
           {"allow@x:tcpp", "'tcpp' at column 9: expected tcp, udp, icmp or any"},
           {"allow@x:", "'' at column 9: expected tcp, udp, icmp or any"},
           {"allow@x:tcp:0", "'0' at column 13: expected a port 1-65535, a range LO-HI or any"},
           {"allow@x:tcp:65536",
            "'65536' at column 13: expected a port 1-65535, a range LO-HI or any"},
           {"allow@x:tcp:080", "'080' at column 13: expected a port 1-65535, a range LO-HI or any"},
           {"allow@x:tcp:-1", "'-1' at column 13: expected a port 1-65535, a range LO-HI or any"},
           {"allow@x:tcp:1-", "'1-' at column 13: expected a port 1-65535, a range LO-HI or any"},
           {"allow@x:tcp:20-10",
            "'20-10' at column 13: the range runs backwards: LO must not exceed HI"},
           {"allow@x:icmp:7", "'7' at column 14: icmp has no ports"},
           {"allow@x:tcp:1:2", "'2' at column 15: unexpected text after the ports"},
           {"deny@10.0.0.1/8", "'10.0.0.1/8' at column 6: host bits set, did you mean 10.0.0.0/8"},
           {"deny@10.0.0.0/33", "'10.0.0.0/33' at column 6: prefix must be 0 to 32"},
           {"deny@1.2.3", "'1.2.3' at column 6: not an IP address or CIDR block"},
           {"deny@[10.0.0.0/8]",
            "'10.0.0.0/8' at column 7: brackets are for IPv6; write an IPv4 target without them"},
           {"deny@[::1", "'[::1' at column 6: missing ']' after the IPv6 target"},
           {"deny@[::1]tcp", "'tcp' at column 11: expected ':' and a protocol after the target"},
           {"deny@[zz::1]", "'zz::1' at column 7: not an IP address or CIDR block"},
           {"deny@2001:db8::1:tcp:443",
            "'2001:db8::1:tcp:443' at column 6: an IPv6 target goes in brackets when a protocol "
            "follows, as in [2001:db8::1]:tcp:443"},
           {"deny@a_b.com",
            "'a_b.com' at column 6: not a valid domain: a label may hold only a-z, 0-9 and '-'"},
           {"deny@-a.com",
            "'-a.com' at column 6: not a valid domain: a label must not start or end with '-'"},
           {"deny@a..com", "'a..com' at column 6: not a valid domain: empty label"},
           {"deny@example.123",
            "'example.123' at column 6: not a valid domain: the last label must not be all digits"},
           {"deny@*.com",
            "'*.com' at column 6: a suffix needs at least two labels, as in *.example.com"},
           {"deny@*", "'*' at column 6: a wildcard goes only at the start, as in *.example.com"},
           {"deny@a.*.com",
            "'a.*.com' at column 6: a wildcard goes only at the start, as in *.example.com"},
           {"deny@private.", "'private.' at column 6: 'private' is a keyword, not a domain"},
           {"deny@a@b",
            "'a@b' at column 6: not a valid domain: a label may hold only a-z, 0-9 and '-'"},
       }) {
    EXPECT_EQ(error_of(c.text), c.message) << c.text;
  }
}

TEST(RuleGrammar, ListColumnsCountFromTheStartOfTheText) {
  Result<std::vector<Rule>> rules = parse_rules("allow@a.com, deny@10.0.0.1/8");
  ASSERT_FALSE(rules.has_value());
  EXPECT_EQ(rules.error().message,
            "'10.0.0.1/8' at column 19: host bits set, did you mean 10.0.0.0/8");
  EXPECT_EQ(parse_rules("allow@a.com,,deny@b.com").error().message,
            "'' at column 13: empty rule (a stray comma?)");
  EXPECT_EQ(parse_rules("allow@a.com,").error().message,
            "'' at column 13: empty rule (a stray comma?)");
  EXPECT_EQ(parse_rules("").error().message, "'' at column 1: empty rule (a stray comma?)");
}

TEST(RuleGrammar, GarbageAndLongInputFailCleanly) {
  EXPECT_EQ(
      error_of(std::string("allow@a\0b.com", 13)),
      "'a\\x00b.com' at column 7: not a valid domain: a label may hold only a-z, 0-9 and '-'");
  EXPECT_EQ(error_of("deny@[\x1b[31m"),
            "'[\\x1b[31m' at column 6: missing ']' after the IPv6 target");
  std::string long_domain = "allow@" + std::string(300, 'a') + ".com";
  EXPECT_EQ(error_of(long_domain),
            "'" + std::string(64, 'a') +
                "...' at column 7: not a valid domain: name of 304 bytes (at most 253)");
  std::string huge(kMaxRuleBytes + 1, 'x');
  EXPECT_EQ(error_of(huge), "'" + std::string(64, 'x') +
                                "...' at column 1: a rule is at most 1024 bytes, this one is 1025");
  for (const char* junk : {":::", "@@@", "allow@:::", "allow@[]", "allow@[:", "\xff\xfe@\xff",
                           "allow@x:tcp:99999999999999999999", "deny@1.2.3.4/", "deny@/8"}) {
    EXPECT_FALSE(parse_rule(junk).has_value()) << junk;
  }
}

TEST(RuleGrammar, ValidateRuleChecksBuiltRules) {
  Rule good;
  good.target.kind = Target::Kind::kDomain;
  good.target.domain = "example.com";
  EXPECT_TRUE(validate_rule(good).has_value());
  Rule upper = good;
  upper.target.domain = "Example.com";
  EXPECT_EQ(validate_rule(upper).error().message,
            "domain 'Example.com' is not in canonical form (lower case, no trailing dot)");
  Rule bad = good;
  bad.target.domain = "a_b.com";
  EXPECT_FALSE(validate_rule(bad).has_value());
  Rule keyword = good;
  keyword.target.domain = "meta";
  EXPECT_FALSE(validate_rule(keyword).has_value());
  Rule suffix = good;
  suffix.target.kind = Target::Kind::kSuffix;
  suffix.target.domain = "com";
  EXPECT_EQ(validate_rule(suffix).error().message, "suffix '*.com' needs at least two labels");
  Rule backwards;
  backwards.ports = {20, 10};
  EXPECT_FALSE(validate_rule(backwards).has_value());
  Rule zero;
  zero.ports = {0, 10};
  EXPECT_FALSE(validate_rule(zero).has_value());
  Rule icmp;
  icmp.protocol = Protocol::kIcmp;
  icmp.ports = {7, 7};
  EXPECT_EQ(validate_rule(icmp).error().message, "icmp has no ports");
}

TEST(RuleGrammar, Presets) {
  for (Preset preset : {Preset::kPublic, Preset::kAll, Preset::kNone})
    EXPECT_EQ(parse_preset(preset_name(preset)).value(), preset);
  EXPECT_EQ(parse_preset("ALL").value(), Preset::kAll);
  Result<Preset> bad = parse_preset("open");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "unknown network preset 'open': use public, all or none");
}

}  // namespace
}  // namespace msb::net
