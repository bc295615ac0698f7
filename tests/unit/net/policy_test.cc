#include "net/policy.h"

#include <gtest/gtest.h>

#include "net/rule_grammar.h"

namespace msb::net {
namespace {

IpAddress ip(std::string_view text) {
  Result<IpAddress> address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

const HostAddresses kHost{{ip("172.16.0.1"), ip("fd42:6d73:62::1")}};

NetworkPolicy policy(std::string_view rules, Preset preset = Preset::kPublic) {
  NetworkPolicy out;
  out.preset = preset;
  if (!rules.empty()) {
    Result<std::vector<Rule>> parsed = parse_rules(rules);
    EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
    out.rules = parsed.value_or(std::vector<Rule>{});
  }
  return out;
}

Flow egress(std::string_view remote, Protocol protocol = Protocol::kTcp, uint16_t port = 443,
            std::vector<std::string> names = {}) {
  return Flow{Direction::kEgress, protocol, ip(remote), port, std::move(names)};
}

Flow ingress(std::string_view client, uint16_t guest_port, Protocol protocol = Protocol::kTcp) {
  return Flow{Direction::kIngress, protocol, ip(client), guest_port, {}};
}

Decision decide(const NetworkPolicy& p, const Flow& flow) { return evaluate(p, flow, kHost); }

const Decision kPresetAllows{Action::kAllow, -1};
const Decision kPresetDenies{Action::kDeny, -1};

TEST(Policy, PublicPresetAllowsThePublicInternetOnly) {
  NetworkPolicy p = policy("");
  EXPECT_EQ(decide(p, egress("8.8.8.8")), kPresetAllows);
  EXPECT_EQ(decide(p, egress("2606:4700::1111", Protocol::kUdp, 53)), kPresetAllows);
  EXPECT_EQ(decide(p, egress("1.1.1.1", Protocol::kIcmp, 0)), kPresetAllows);
  for (const char* denied :
       {"10.0.0.1", "192.168.1.1", "100.64.0.1", "fd12::1", "127.0.0.1", "::1", "169.254.1.1",
        "fe80::1", "169.254.169.254", "fd00:ec2::254", "224.0.0.1", "ff02::1", "172.16.0.1",
        "fd42:6d73:62::1", "0.0.0.0", "255.255.255.255", "198.18.0.1", "::ffff:10.0.0.1"})
    EXPECT_EQ(decide(p, egress(denied)), kPresetDenies) << denied;
}

TEST(Policy, PublicPresetAllowsIngress) {
  EXPECT_EQ(decide(policy(""), ingress("127.0.0.1", 80)), kPresetAllows);
  EXPECT_EQ(decide(policy(""), ingress("203.0.113.5", 53, Protocol::kUdp)), kPresetAllows);
}

TEST(Policy, AllAndNonePresets) {
  EXPECT_EQ(decide(policy("", Preset::kAll), egress("169.254.169.254")), kPresetAllows);
  EXPECT_EQ(decide(policy("", Preset::kAll), ingress("10.0.0.1", 22)), kPresetAllows);
  EXPECT_EQ(decide(policy("", Preset::kNone), egress("8.8.8.8")), kPresetDenies);
  EXPECT_EQ(decide(policy("", Preset::kNone), ingress("127.0.0.1", 80)), kPresetDenies);
}

TEST(Policy, PresetRulesReadAsWritten) {
  std::vector<std::string> texts;
  for (const Rule& rule : preset_rules(Preset::kPublic)) texts.push_back(format_rule(rule));
  EXPECT_EQ(texts, (std::vector<std::string>{"deny@meta", "deny@host", "deny@loopback",
                                             "deny@link-local", "deny@private", "deny@multicast",
                                             "allow@public", "allow:ingress@any"}));
  EXPECT_EQ(format_rule(preset_rules(Preset::kAll).at(0)), "allow:any@any");
  EXPECT_EQ(format_rule(preset_rules(Preset::kNone).at(0)), "deny:any@any");
}

TEST(Policy, FirstUserRuleThatMatchesWins) {
  NetworkPolicy p = policy("deny@10.1.0.0/16,allow@10.0.0.0/8,deny@any");
  EXPECT_EQ(decide(p, egress("10.1.2.3")), (Decision{Action::kDeny, 0}));
  EXPECT_EQ(decide(p, egress("10.2.0.1")), (Decision{Action::kAllow, 1}));
  EXPECT_EQ(decide(p, egress("8.8.8.8")), (Decision{Action::kDeny, 2}));
}

TEST(Policy, UserRulesComeBeforeThePreset) {
  EXPECT_EQ(decide(policy("allow@private"), egress("192.168.1.10")), (Decision{Action::kAllow, 0}));
  EXPECT_EQ(decide(policy("deny@8.8.8.8"), egress("8.8.8.8")), (Decision{Action::kDeny, 0}));
  EXPECT_EQ(decide(policy("allow@10.0.0.5", Preset::kNone), egress("10.0.0.5")),
            (Decision{Action::kAllow, 0}));
  EXPECT_EQ(decide(policy("allow@10.0.0.5", Preset::kNone), egress("10.0.0.6")), kPresetDenies);
}

TEST(Policy, LinkLocalAllowDoesNotOpenMeta) {
  NetworkPolicy p = policy("allow@link-local");
  EXPECT_EQ(decide(p, egress("169.254.1.1")), (Decision{Action::kAllow, 0}));
  EXPECT_EQ(decide(p, egress("169.254.169.254")), kPresetDenies);
  EXPECT_EQ(decide(policy("allow@private"), egress("fd00:ec2::254")), kPresetDenies);
  EXPECT_EQ(decide(policy("allow@private"), egress("172.16.0.1")), kPresetDenies);
  EXPECT_EQ(decide(policy("allow@meta"), egress("169.254.169.254")), (Decision{Action::kAllow, 0}));
}

TEST(Policy, MappedV6AddressesMeetV4Rules) {
  EXPECT_EQ(decide(policy("deny@8.8.8.0/24"), egress("::ffff:8.8.8.8")),
            (Decision{Action::kDeny, 0}));
  EXPECT_EQ(decide(policy("allow@host"), egress("::ffff:172.16.0.1")),
            (Decision{Action::kAllow, 0}));
}

TEST(Policy, PortsAndRanges) {
  NetworkPolicy p = policy("allow@10.0.0.1:tcp:443,allow@10.0.0.1:udp:5000-5010");
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kTcp, 443)).rule, 0);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kTcp, 444)), kPresetDenies);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 443)), kPresetDenies);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 5000)).rule, 1);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 5010)).rule, 1);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 4999)), kPresetDenies);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 5011)), kPresetDenies);
}

TEST(Policy, ProtocolAnyCoversAllThreeButPortsNeverMatchIcmp) {
  NetworkPolicy p = policy("allow@10.0.0.1:any:1-65535,allow@10.0.0.2");
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kTcp, 1)).rule, 0);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kUdp, 65535)).rule, 0);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kIcmp, 0)), kPresetDenies);
  EXPECT_EQ(decide(p, egress("10.0.0.2", Protocol::kIcmp, 0)).rule, 1);
  EXPECT_EQ(decide(policy("allow@10.0.0.3:icmp"), egress("10.0.0.3", Protocol::kIcmp, 0)).rule, 0);
  EXPECT_EQ(decide(policy("allow@10.0.0.3:icmp"), egress("10.0.0.3", Protocol::kTcp, 80)),
            kPresetDenies);
}

TEST(Policy, DomainRulesMatchPinnedNamesOnly) {
  NetworkPolicy p = policy("allow@api.example.com:tcp:443", Preset::kNone);
  EXPECT_EQ(decide(p, egress("93.184.216.34", Protocol::kTcp, 443, {"api.example.com"})).rule, 0);
  EXPECT_EQ(decide(p, egress("93.184.216.34", Protocol::kTcp, 443, {"API.Example.com."})).rule, 0);
  EXPECT_EQ(decide(p, egress("93.184.216.34", Protocol::kTcp, 443)), kPresetDenies);
  EXPECT_EQ(decide(p, egress("93.184.216.34", Protocol::kTcp, 443, {"www.api.example.com"})),
            kPresetDenies);
  EXPECT_EQ(
      decide(p, egress("93.184.216.34", Protocol::kTcp, 443, {"other.com", "api.example.com"}))
          .rule,
      0);
}

TEST(Policy, SuffixRulesMatchNamesUnderItButNotTheApex) {
  NetworkPolicy p = policy("deny@*.example.com");
  EXPECT_EQ(decide(p, egress("8.8.8.8", Protocol::kTcp, 443, {"a.example.com"})).rule, 0);
  EXPECT_EQ(decide(p, egress("8.8.8.8", Protocol::kTcp, 443, {"a.b.example.com"})).rule, 0);
  EXPECT_EQ(decide(p, egress("8.8.8.8", Protocol::kTcp, 443, {"example.com"})), kPresetAllows);
  EXPECT_EQ(decide(p, egress("8.8.8.8", Protocol::kTcp, 443, {"badexample.com"})), kPresetAllows);
}

TEST(Policy, DirectionsSelectRules) {
  NetworkPolicy p = policy("deny:ingress@any:tcp:22,allow:any@10.0.0.0/8");
  EXPECT_EQ(decide(p, ingress("127.0.0.1", 22)).rule, 0);
  EXPECT_EQ(decide(p, egress("10.0.0.1", Protocol::kTcp, 22)).rule, 1);
  EXPECT_EQ(decide(p, ingress("10.0.0.1", 80)).rule, 1);
  EXPECT_EQ(decide(policy("deny@any"), ingress("127.0.0.1", 80)), kPresetAllows);
}

TEST(EvaluateName, DomainAndSuffixRulesDecideNames) {
  NetworkPolicy p = policy("deny@evil.com,allow@good.evil.com,deny@*.tracker.net");
  EXPECT_EQ(evaluate_name(p, "evil.com"), Action::kDeny);
  EXPECT_EQ(evaluate_name(p, "EVIL.com."), Action::kDeny);
  EXPECT_EQ(evaluate_name(p, "good.evil.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(p, "x.tracker.net"), Action::kDeny);
  EXPECT_EQ(evaluate_name(p, "tracker.net"), Action::kAllow);
  EXPECT_EQ(evaluate_name(p, "example.org"), Action::kAllow);
}

TEST(EvaluateName, PresetDecidesWhenNoRuleDoes) {
  EXPECT_EQ(evaluate_name(policy(""), "example.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("", Preset::kAll), "example.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("", Preset::kNone), "example.com"), Action::kDeny);
  EXPECT_EQ(
      evaluate_name(policy("allow@api.example.com:tcp:443", Preset::kNone), "api.example.com"),
      Action::kAllow);
}

TEST(EvaluateName, AddressRulesAndIngressRulesAreSkipped) {
  EXPECT_EQ(evaluate_name(policy("deny@8.8.8.8,deny@public,deny@[::/0]"), "example.com"),
            Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("deny:ingress@example.com"), "example.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("allow:any@example.com", Preset::kNone), "example.com"),
            Action::kAllow);
}

TEST(EvaluateName, AnyTargetDecidesEveryName) {
  EXPECT_EQ(evaluate_name(policy("deny@any"), "example.com"), Action::kDeny);
  EXPECT_EQ(evaluate_name(policy("allow@any", Preset::kNone), "example.com"), Action::kAllow);
}

TEST(EvaluateName, PartialDenyLeavesTheNameResolvable) {
  EXPECT_EQ(evaluate_name(policy("deny@any:tcp:25"), "mail.example.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("deny@example.com:udp"), "example.com"), Action::kAllow);
  EXPECT_EQ(evaluate_name(policy("deny@example.com:udp,deny@example.com"), "example.com"),
            Action::kDeny);
}

bool answer(const NetworkPolicy& p, std::string_view address) {
  return answer_allowed(p, "name.example.com", ip(address), kHost);
}

TEST(AnswerAllowed, PublicAnswersPass) {
  EXPECT_TRUE(answer(policy(""), "93.184.216.34"));
  EXPECT_TRUE(answer(policy("", Preset::kNone), "2606:4700::1111"));
}

TEST(AnswerAllowed, NonPublicAnswersAreDroppedEvenUnderAll) {
  for (const char* address :
       {"10.0.0.1", "127.0.0.1", "::1", "169.254.169.254", "169.254.1.1", "fd00::1", "172.16.0.1",
        "0.0.0.0", "::ffff:192.168.0.1", "224.0.0.1"}) {
    EXPECT_FALSE(answer(policy(""), address)) << address;
    EXPECT_FALSE(answer(policy("", Preset::kAll), address)) << address;
  }
}

TEST(AnswerAllowed, AnExplicitAddressAllowOpensIt) {
  EXPECT_TRUE(answer(policy("allow@10.0.0.0/8"), "10.1.2.3"));
  EXPECT_TRUE(answer(policy("allow@private"), "192.168.1.1"));
  EXPECT_TRUE(answer(policy("allow@10.0.0.5:tcp:443"), "10.0.0.5"));
  EXPECT_TRUE(answer(policy("allow@host"), "172.16.0.1"));
  EXPECT_TRUE(answer(policy("allow@0.0.0.0"), "0.0.0.0"));
  EXPECT_FALSE(answer(policy("allow@private"), "127.0.0.1"));
  EXPECT_FALSE(answer(policy("allow@link-local"), "169.254.169.254"));
}

TEST(AnswerAllowed, AnyAndDomainAllowsDoNotOpenPrivateAnswers) {
  EXPECT_FALSE(answer(policy("allow@any"), "10.0.0.1"));
  EXPECT_FALSE(answer(policy("allow:any@any"), "10.0.0.1"));
  EXPECT_FALSE(answer(policy("allow@name.example.com"), "10.0.0.1"));
  EXPECT_FALSE(answer(policy("allow@*.example.com"), "10.0.0.1"));
  EXPECT_FALSE(answer(policy("allow:ingress@10.0.0.0/8"), "10.0.0.1"));
}

TEST(AnswerAllowed, AnEarlierDenyWins) {
  EXPECT_FALSE(answer(policy("deny@10.0.0.0/24,allow@10.0.0.0/8"), "10.0.0.9"));
  EXPECT_TRUE(answer(policy("deny@10.0.0.0/24,allow@10.0.0.0/8"), "10.0.1.9"));
  EXPECT_FALSE(answer(policy("deny@any,allow@private"), "10.0.0.9"));
  EXPECT_FALSE(answer(policy("deny@private,allow@10.0.0.0/8"), "10.0.0.9"));
  // A deny of one port leaves the rest of the address to the allow.
  EXPECT_TRUE(answer(policy("deny@10.0.0.9:tcp:22,allow@10.0.0.0/8"), "10.0.0.9"));
  EXPECT_TRUE(answer(policy("allow@10.0.0.0/8,deny@any"), "10.0.0.9"));
}

TEST(Policy, Names) {
  EXPECT_EQ(action_name(Action::kAllow), "allow");
  EXPECT_EQ(direction_name(Direction::kIngress), "ingress");
  EXPECT_EQ(protocol_name(Protocol::kIcmp), "icmp");
}

}  // namespace
}  // namespace msb::net
