#include "net/published_port.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

PublishedPort port(std::string_view text) {
  Result<PublishedPort> parsed = parse_published_port(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
  return parsed.value_or(PublishedPort{});
}

std::string error_of(std::string_view text) {
  Result<PublishedPort> parsed = parse_published_port(text);
  if (parsed) return "parsed as " + format_published_port(*parsed);
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument);
  return parsed.error().message;
}

TEST(PublishedPort, HostAndGuestBindToLoopbackByDefault) {
  EXPECT_EQ(port("8080:80"), (PublishedPort{"127.0.0.1", 8080, 80, false}));
  EXPECT_EQ(port("8080:80/tcp"), (PublishedPort{"127.0.0.1", 8080, 80, false}));
  EXPECT_EQ(port("5353:53/udp"), (PublishedPort{"127.0.0.1", 5353, 53, true}));
}

TEST(PublishedPort, BindAddresses) {
  EXPECT_EQ(port("0.0.0.0:8080:80"), (PublishedPort{"0.0.0.0", 8080, 80, false}));
  EXPECT_EQ(port("[::1]:8080:80"), (PublishedPort{"::1", 8080, 80, false}));
  EXPECT_EQ(port("[::]:53:53/udp"), (PublishedPort{"::", 53, 53, true}));
  EXPECT_EQ(port("[2001:DB8::1]:1:65535").bind, "2001:db8::1");
}

TEST(PublishedPort, FormatIsCanonical) {
  EXPECT_EQ(format_published_port(port("8080:80/tcp")), "127.0.0.1:8080:80");
  EXPECT_EQ(format_published_port(port("[::1]:53:53/udp")), "[::1]:53:53/udp");
}

TEST(PublishedPort, Errors) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"80", "published port '80': expected [BIND:]HOST:GUEST[/udp]"},
           {"0:80", "published port '0:80': host port '0' is not 1-65535"},
           {"80:0", "published port '80:0': guest port '0' is not 1-65535"},
           {"65536:80", "published port '65536:80': host port '65536' is not 1-65535"},
           {"x:80", "published port 'x:80': host port 'x' is not 1-65535"},
           {"8080:80/sctp",
            "published port '8080:80/sctp': expected /tcp or /udp after the ports, got '/sctp'"},
           {"localhost:8080:80",
            "published port 'localhost:8080:80': bind address 'localhost' is not an IP address"},
           {"::1:8080:80",
            "published port '::1:8080:80': an IPv6 bind address goes in brackets, as in "
            "[::1]:8080:80"},
           {"[::1:8080:80", "published port '[::1:8080:80': missing ']' after the bind address"},
           {"[::1]8080:80",
            "published port '[::1]8080:80': expected ':HOST:GUEST' after the bind address"},
           {"[::1]:8080", "published port '[::1]:8080': expected [BIND]:HOST:GUEST"},
           {"[127.0.0.1]:8080:80",
            "published port '[127.0.0.1]:8080:80': brackets are for IPv6 bind addresses"},
           {"", "published port '': expected [BIND:]HOST:GUEST[/udp]"},
       }) {
    EXPECT_EQ(error_of(c.text), c.message) << c.text;
  }
}

TEST(Nameserver, Forms) {
  EXPECT_EQ(format_nameserver(parse_nameserver("1.1.1.1").value()), "1.1.1.1:53");
  EXPECT_EQ(format_nameserver(parse_nameserver("1.1.1.1:5353").value()), "1.1.1.1:5353");
  EXPECT_EQ(format_nameserver(parse_nameserver("2606:4700::1111").value()), "[2606:4700::1111]:53");
  EXPECT_EQ(format_nameserver(parse_nameserver("[2606:4700::1111]").value()),
            "[2606:4700::1111]:53");
  EXPECT_EQ(parse_nameserver("[::1]:5353").value().port, 5353);
}

TEST(Nameserver, Errors) {
  EXPECT_EQ(parse_nameserver("dns.google").error().message,
            "DNS nameserver 'dns.google': must be IP, IP:PORT or [IPv6]:PORT");
  EXPECT_EQ(parse_nameserver("1.1.1.1:0").error().message,
            "DNS nameserver '1.1.1.1:0': port '0' is not 1-65535");
  EXPECT_EQ(parse_nameserver("[::1]53").error().message,
            "DNS nameserver '[::1]53': expected ':PORT' after ']'");
  EXPECT_FALSE(parse_nameserver("").has_value());
  EXPECT_FALSE(parse_nameserver("[::1").has_value());
  EXPECT_EQ(parse_nameserver("x").error().kind, ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace msb::net
