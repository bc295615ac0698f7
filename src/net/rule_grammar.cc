#include "net/rule_grammar.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/shown.h"
#include "net/domain_name.h"
#include "net/published_port.h"

namespace msb::net {
namespace {

// A piece of the rule text and where it starts (1-based, in the whole text given).
struct Token {
  std::string_view text;
  size_t column = 1;

  Token sub(size_t pos, size_t count = std::string_view::npos) const {
    return {text.substr(pos, count), column + pos};
  }
};

constexpr size_t kShownBytes = 64;

tl::unexpected<Error> token_error(const Token& token, std::string_view what) {
  return err(ErrorKind::kInvalidArgument, "'{}' at column {}: {}", shown(token.text, kShownBytes),
             token.column, what);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits at every `separator`, keeping empty pieces.
std::vector<Token> split(const Token& token, char separator) {
  std::vector<Token> parts;
  size_t start = 0;
  while (true) {
    const size_t end = token.text.find(separator, start);
    parts.push_back(token.sub(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<Action> parse_action(const Token& token) {
  const std::string word = lower(token.text);
  if (word == "allow") return Action::kAllow;
  if (word == "deny") return Action::kDeny;
  return token_error(token, "expected allow or deny");
}

Result<Direction> parse_direction(const Token& token) {
  for (Direction direction : {Direction::kEgress, Direction::kIngress, Direction::kAny}) {
    if (lower(token.text) == direction_name(direction)) return direction;
  }
  return token_error(token, "expected egress, ingress or any");
}

Result<Protocol> parse_protocol(const Token& token) {
  for (Protocol protocol : {Protocol::kTcp, Protocol::kUdp, Protocol::kIcmp, Protocol::kAny}) {
    if (lower(token.text) == protocol_name(protocol)) return protocol;
  }
  return token_error(token, "expected tcp, udp, icmp or any");
}

Result<PortRange> parse_ports(const Token& token) {
  if (lower(token.text) == "any") return PortRange{};
  const size_t dash = token.text.find('-');
  std::optional<uint16_t> low = parse_port_number(token.text.substr(0, dash));
  std::optional<uint16_t> high =
      dash == std::string_view::npos ? low : parse_port_number(token.text.substr(dash + 1));
  if (!low || !high) return token_error(token, "expected a port 1-65535, a range LO-HI or any");
  if (*low > *high) return token_error(token, "the range runs backwards: LO must not exceed HI");
  return PortRange{*low, *high};
}

bool is_keyword(std::string_view canonical) {
  return canonical == "any" || parse_group(canonical).has_value();
}

// The message of a failed Cidr::parse without its "CIDR '<text>': " prefix.
std::string cidr_detail(const Error& error, std::string_view text) {
  const std::string prefix = fmt::format("CIDR '{}': ", text);
  std::string_view detail = error.message;
  if (detail.starts_with(prefix)) detail.remove_prefix(prefix.size());
  if (detail.starts_with("not an IP address")) return "not an IP address or CIDR block";
  return std::string(detail);
}

// A block inside ::ffff:0:0/96 stands for the IPv4 block it maps: addresses are matched
// unmapped, so left as v6 it would match nothing.
Cidr unmapped_block(const Cidr& cidr) {
  if (cidr.base().is_v4() || cidr.prefix() < 96 || !cidr.base().unmapped().is_v4()) return cidr;
  return Cidr::of(cidr.base().unmapped(), static_cast<uint8_t>(cidr.prefix() - 96));
}

Result<Target> cidr_target(const Token& token, bool bracketed) {
  Result<Cidr> cidr = Cidr::parse(token.text);
  if (!cidr) return token_error(token, cidr_detail(cidr.error(), token.text));
  if (bracketed && cidr->base().is_v4())
    return token_error(token, "brackets are for IPv6; write an IPv4 target without them");
  Target target;
  target.kind = Target::Kind::kCidr;
  target.cidr = unmapped_block(*cidr);
  return target;
}

Result<std::string> domain_of(const Token& token, std::string_view text) {
  std::string name = canonical_name(text);
  Result<void> valid = check_domain(name);
  if (!valid)
    return token_error(token, fmt::format("not a valid domain: {}", valid.error().message));
  if (is_keyword(name))
    return token_error(token, fmt::format("'{}' is a keyword, not a domain", name));
  return name;
}

Result<Target> parse_target(const Token& token) {
  const std::string word = lower(token.text);
  Target target;
  if (token.text.empty())
    return token_error(token, "expected a target: any, a group, an address or block, a domain");
  if (word == "any") return target;
  if (Result<Group> group = parse_group(word)) {
    target.kind = Target::Kind::kGroup;
    target.group = *group;
    return target;
  }
  if (token.text.starts_with("*.")) {
    target.kind = Target::Kind::kSuffix;
    target.domain = MSB_TRY(domain_of(token, token.text.substr(2)));
    if (label_count(target.domain) < 2)
      return token_error(token, "a suffix needs at least two labels, as in *.example.com");
    return target;
  }
  if (token.text.find('*') != std::string_view::npos)
    return token_error(token, "a wildcard goes only at the start, as in *.example.com");
  if (token.text.find_first_not_of("0123456789./") == std::string_view::npos)
    return cidr_target(token, false);
  target.kind = Target::Kind::kDomain;
  target.domain = MSB_TRY(domain_of(token, token.text));
  return target;
}

// Protocol and ports after the target: ":tcp", ":tcp:443", ":any:1000-2000".
Result<void> parse_tail(const Token& tail, Rule& rule) {
  if (tail.text.empty()) return {};
  if (tail.text[0] != ':') return token_error(tail, "expected ':' and a protocol after the target");
  std::vector<Token> parts = split(tail.sub(1), ':');
  rule.protocol = MSB_TRY(parse_protocol(parts[0]));
  if (parts.size() >= 2) rule.ports = MSB_TRY(parse_ports(parts[1]));
  if (parts.size() >= 3) return token_error(parts[2], "unexpected text after the ports");
  if (rule.protocol == Protocol::kIcmp && !rule.ports.any())
    return token_error(parts[1], "icmp has no ports");
  return {};
}

// The target and what follows it; `rest` gets the text after the target.
Result<Target> parse_target_part(const Token& part, Token& rest) {
  if (part.text.starts_with('[')) {
    const size_t close = part.text.find(']');
    if (close == std::string_view::npos)
      return token_error(part, "missing ']' after the IPv6 target");
    rest = part.sub(close + 1);
    return cidr_target(part.sub(1, close - 1), true);
  }
  // A bare IPv6 target, allowed only when nothing follows it. No protocol name is valid
  // hex, so "x:tcp:443" never reads as an address.
  if (std::count(part.text.begin(), part.text.end(), ':') >= 2) {
    Result<Cidr> cidr = Cidr::parse(part.text);
    if (cidr && !cidr->base().is_v4()) {
      rest = part.sub(part.text.size());
      return cidr_target(part, false);
    }
    const Token first = part.sub(0, part.text.find(':'));
    if (part.text.find("::") != std::string_view::npos || !parse_target(first))
      return token_error(part,
                         "an IPv6 target goes in brackets when a protocol follows, as in "
                         "[2001:db8::1]:tcp:443");
  }
  const size_t colon = part.text.find(':');
  rest = part.sub(colon == std::string_view::npos ? part.text.size() : colon);
  return parse_target(part.sub(0, colon));
}

// Column counting starts at `column` (where `text` sits in the whole input).
Result<Rule> parse_rule_at(const Token& text) {
  if (text.text.size() > kMaxRuleBytes) {
    return token_error(text, fmt::format("a rule is at most {} bytes, this one is {}",
                                         kMaxRuleBytes, text.text.size()));
  }
  const size_t at = text.text.find('@');
  if (at == std::string_view::npos)
    return token_error(text, "expected <allow|deny>[:direction]@<target>[:protocol[:ports]]");
  std::vector<Token> head = split(text.sub(0, at), ':');
  Rule rule;
  rule.action = MSB_TRY(parse_action(head[0]));
  if (head.size() >= 2) rule.direction = MSB_TRY(parse_direction(head[1]));
  if (head.size() >= 3) return token_error(head[2], "expected '@' after the direction");
  Token rest;
  rule.target = MSB_TRY(parse_target_part(text.sub(at + 1), rest));
  MSB_TRY(parse_tail(rest, rule));
  return rule;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string format_ports(const PortRange& ports) {
  if (ports.low == ports.high) return std::to_string(ports.low);
  return fmt::format("{}-{}", ports.low, ports.high);
}

}  // namespace

Result<Rule> parse_rule(std::string_view text) { return parse_rule_at(Token{text, 1}); }

Result<std::vector<Rule>> parse_rules(std::string_view comma_separated) {
  std::vector<Rule> rules;
  for (Token piece : split(Token{comma_separated, 1}, ',')) {
    while (!piece.text.empty() && is_blank(piece.text.front())) piece = piece.sub(1);
    while (!piece.text.empty() && is_blank(piece.text.back())) piece.text.remove_suffix(1);
    if (piece.text.empty()) return token_error(piece, "empty rule (a stray comma?)");
    rules.push_back(MSB_TRY(parse_rule_at(piece)));
  }
  return rules;
}

std::string format_target(const Target& target) {
  switch (target.kind) {
    case Target::Kind::kAny:
      return "any";
    case Target::Kind::kGroup:
      return std::string(group_name(target.group));
    case Target::Kind::kDomain:
      return target.domain;
    case Target::Kind::kSuffix:
      return "*." + target.domain;
    case Target::Kind::kCidr: {
      const bool v4 = target.cidr.base().is_v4();
      const bool single = target.cidr.prefix() == (v4 ? 32 : 128);
      std::string text = single ? target.cidr.base().to_string() : target.cidr.to_string();
      return v4 ? text : "[" + text + "]";
    }
  }
  MSB_CHECK(false);
}

std::string format_rule(const Rule& rule) {
  std::string text(action_name(rule.action));
  if (rule.direction != Direction::kEgress)
    text += fmt::format(":{}", direction_name(rule.direction));
  text += "@" + format_target(rule.target);
  if (rule.protocol != Protocol::kAny || !rule.ports.any())
    text += fmt::format(":{}", protocol_name(rule.protocol));
  if (!rule.ports.any()) text += ":" + format_ports(rule.ports);
  return text;
}

Result<void> validate_rule(const Rule& rule) {
  const Target& target = rule.target;
  if (target.kind == Target::Kind::kDomain || target.kind == Target::Kind::kSuffix) {
    if (canonical_name(target.domain) != target.domain)
      return err(ErrorKind::kInvalidArgument,
                 "domain '{}' is not in canonical form (lower case, "
                 "no trailing dot)",
                 shown(target.domain, kShownBytes));
    Result<void> valid = check_domain(target.domain);
    if (!valid)
      return err(ErrorKind::kInvalidArgument, "not a valid domain '{}': {}",
                 shown(target.domain, kShownBytes), valid.error().message);
    if (is_keyword(target.domain))
      return err(ErrorKind::kInvalidArgument, "'{}' is a keyword, not a domain", target.domain);
  }
  if (target.kind == Target::Kind::kSuffix && label_count(target.domain) < 2)
    return err(ErrorKind::kInvalidArgument, "suffix '*.{}' needs at least two labels",
               target.domain);
  if (rule.ports.low > rule.ports.high || (!rule.ports.any() && rule.ports.low == 0))
    return err(ErrorKind::kInvalidArgument, "port range {}-{} is not 1-65535 with LO <= HI",
               rule.ports.low, rule.ports.high);
  if (rule.protocol == Protocol::kIcmp && !rule.ports.any())
    return err(ErrorKind::kInvalidArgument, "icmp has no ports");
  return {};
}

Result<Preset> parse_preset(std::string_view text) {
  for (Preset preset : {Preset::kPublic, Preset::kAll, Preset::kNone}) {
    if (lower(text) == preset_name(preset)) return preset;
  }
  return err(ErrorKind::kInvalidArgument, "unknown network preset '{}': use public, all or none",
             shown(text, kShownBytes));
}

std::string_view preset_name(Preset preset) {
  switch (preset) {
    case Preset::kPublic:
      return "public";
    case Preset::kAll:
      return "all";
    case Preset::kNone:
      return "none";
  }
  MSB_CHECK(false);
}

}  // namespace msb::net
