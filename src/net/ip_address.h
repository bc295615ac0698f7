// IP addresses and CIDR blocks, v4 and v6, as plain values: what policy rules name, what
// the packet parser reads off frames and what the DNS interceptor pins.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::net {

class IpAddress {
 public:
  enum class Family : uint8_t { kV4, kV6 };

  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(std::array<uint8_t, 4> bytes);
  static IpAddress v6(std::array<uint8_t, 16> bytes);
  // REQUIRES: bytes.size() is 4 (kV4) or 16 (kV6).
  static IpAddress from_bytes(Family family, std::span<const uint8_t> bytes);

  // "192.0.2.1" or "2001:db8::1": no brackets, no zone, no port. kInvalidArgument
  // "not an IP address: '<text>'" otherwise. Thread-safe.
  [[nodiscard]] static Result<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  // 4 bytes for v4, 16 for v6, network order.
  std::span<const uint8_t> bytes() const;
  // A v4-mapped v6 address (::ffff:a.b.c.d) as the v4 address it carries; any other
  // address unchanged. Policy compares addresses in this form, so a mapped address cannot
  // slip past a v4 rule.
  IpAddress unmapped() const;
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kV4;
  std::array<uint8_t, 16> bytes_{};  // v4 uses the first 4
};

class Cidr {
 public:
  Cidr() = default;  // 0.0.0.0/0
  // The block of `prefix` bits around `address` (host bits cleared).
  // REQUIRES: prefix <= 32 for v4, <= 128 for v6.
  static Cidr of(const IpAddress& address, uint8_t prefix);

  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). kInvalidArgument when the
  // address or prefix is malformed or the address has host bits set ("10.0.0.1/8: host
  // bits set, did you mean 10.0.0.0/8"). Thread-safe.
  [[nodiscard]] static Result<Cidr> parse(std::string_view text);

  const IpAddress& base() const { return base_; }
  uint8_t prefix() const { return prefix_; }
  // Same family and the first prefix() bits equal; a v4-mapped v6 address is compared as v4.
  bool contains(const IpAddress& address) const;
  std::string to_string() const;

  bool operator==(const Cidr&) const = default;

 private:
  IpAddress base_;
  uint8_t prefix_ = 0;
};

}  // namespace msb::net
