#include "net/published_port.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "common/split.h"

namespace msb::net {
namespace {

// "[addr]rest" -> addr and rest; nullopt without the closing bracket.
std::optional<std::pair<std::string_view, std::string_view>> bracketed(std::string_view text) {
  const size_t close = text.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  return std::pair(text.substr(1, close - 1), text.substr(close + 1));
}

std::string with_brackets(const IpAddress& address) {
  return address.is_v4() ? address.to_string() : "[" + address.to_string() + "]";
}

struct PortText {
  std::optional<std::string_view> bind;
  bool bracketed = false;
  std::string_view host;
  std::string_view guest;
};

// Splits "[BIND:]HOST:GUEST" without judging the pieces.
Result<PortText> split_port(std::string_view body) {
  PortText out;
  if (body.starts_with('[')) {
    auto parts = bracketed(body);
    if (!parts)
      return make_error(ErrorKind::kInvalidArgument, "missing ']' after the bind address");
    if (!parts->second.starts_with(':'))
      return make_error(ErrorKind::kInvalidArgument,
                        "expected ':HOST:GUEST' after the bind address");
    std::vector<std::string_view> ports = split(parts->second.substr(1), ':');
    if (ports.size() != 2)
      return make_error(ErrorKind::kInvalidArgument, "expected [BIND]:HOST:GUEST");
    return PortText{parts->first, true, ports[0], ports[1]};
  }
  std::vector<std::string_view> parts = split(body, ':');
  if (parts.size() == 2) return PortText{std::nullopt, false, parts[0], parts[1]};
  if (parts.size() == 3) return PortText{parts[0], false, parts[1], parts[2]};
  if (parts.size() > 3)
    return make_error(ErrorKind::kInvalidArgument,
                      "an IPv6 bind address goes in brackets, as in [::1]:8080:80");
  return make_error(ErrorKind::kInvalidArgument, "expected [BIND:]HOST:GUEST[/udp]");
}

Result<PublishedPort> parse_port_body(std::string_view text) {
  PublishedPort port;
  std::string_view body = text;
  const size_t slash = text.rfind('/');
  if (slash != std::string_view::npos) {
    const std::string_view protocol = text.substr(slash + 1);
    if (protocol != "udp" && protocol != "tcp")
      return err(ErrorKind::kInvalidArgument, "expected /tcp or /udp after the ports, got '/{}'",
                 protocol);
    port.udp = protocol == "udp";
    body = text.substr(0, slash);
  }
  PortText parts = MSB_TRY(split_port(body));
  if (parts.bind) {
    Result<IpAddress> bind = IpAddress::parse(*parts.bind);
    if (!bind)
      return err(ErrorKind::kInvalidArgument, "bind address '{}' is not an IP address",
                 *parts.bind);
    if (parts.bracketed && bind->is_v4())
      return make_error(ErrorKind::kInvalidArgument, "brackets are for IPv6 bind addresses");
    port.bind = bind->to_string();
  }
  std::optional<uint16_t> host = parse_port_number(parts.host);
  std::optional<uint16_t> guest = parse_port_number(parts.guest);
  if (!host) return err(ErrorKind::kInvalidArgument, "host port '{}' is not 1-65535", parts.host);
  if (!guest)
    return err(ErrorKind::kInvalidArgument, "guest port '{}' is not 1-65535", parts.guest);
  port.host_port = *host;
  port.guest_port = *guest;
  return port;
}

Result<Nameserver> parse_nameserver_text(std::string_view text) {
  std::string_view address = text;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    auto parts = bracketed(text);
    if (!parts) return make_error(ErrorKind::kInvalidArgument, "missing ']'");
    address = parts->first;
    if (!parts->second.empty()) {
      if (!parts->second.starts_with(':'))
        return make_error(ErrorKind::kInvalidArgument, "expected ':PORT' after ']'");
      port = parts->second.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    address = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  Result<IpAddress> ip = IpAddress::parse(address);
  if (!ip) return make_error(ErrorKind::kInvalidArgument, "must be IP, IP:PORT or [IPv6]:PORT");
  Nameserver server{*ip, 53};
  if (port) {
    std::optional<uint16_t> number = parse_port_number(*port);
    if (!number) return err(ErrorKind::kInvalidArgument, "port '{}' is not 1-65535", *port);
    server.port = *number;
  }
  return server;
}

}  // namespace

std::optional<uint16_t> parse_port_number(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || text[0] == '0' ||
      value > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(value);
}

Result<PublishedPort> parse_published_port(std::string_view text) {
  return parse_port_body(text).context("published port '{}'", text);
}

std::string format_published_port(const PublishedPort& port) {
  Result<IpAddress> bind = IpAddress::parse(port.bind);
  const std::string host = bind ? with_brackets(*bind) : port.bind;
  return fmt::format("{}:{}:{}{}", host, port.host_port, port.guest_port, port.udp ? "/udp" : "");
}

Result<Nameserver> parse_nameserver(std::string_view text) {
  return parse_nameserver_text(text).context("DNS nameserver '{}'", text);
}

std::string format_nameserver(const Nameserver& server) {
  return fmt::format("{}:{}", with_brackets(server.address), server.port);
}

}  // namespace msb::net
