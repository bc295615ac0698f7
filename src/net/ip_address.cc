#include "net/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace msb::net {

IpAddress IpAddress::v4(std::array<uint8_t, 4> bytes) {
  IpAddress address;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v6(std::array<uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = Family::kV6;
  address.bytes_ = bytes;
  return address;
}

IpAddress IpAddress::from_bytes(Family family, std::span<const uint8_t> bytes) {
  MSB_CHECK(bytes.size() == (family == Family::kV4 ? 4u : 16u));
  IpAddress address;
  address.family_ = family;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string and accepts nothing but the plain forms.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN || text.find('\0') != text.npos)
    return err(ErrorKind::kInvalidArgument, "not an IP address: '{}'", text);
  std::string copy(text);
  IpAddress address;
  if (::inet_pton(AF_INET, copy.c_str(), address.bytes_.data()) == 1) return address;
  address.family_ = Family::kV6;
  if (::inet_pton(AF_INET6, copy.c_str(), address.bytes_.data()) == 1) return address;
  return err(ErrorKind::kInvalidArgument, "not an IP address: '{}'", text);
}

std::span<const uint8_t> IpAddress::bytes() const { return {bytes_.data(), is_v4() ? 4u : 16u}; }

IpAddress IpAddress::unmapped() const {
  static constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                            0, 0, 0, 0, 0xff, 0xff};
  if (is_v4() || !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes_.begin()))
    return *this;
  return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
  return text;
}

namespace {

// Clears every bit after the first `prefix`.
std::array<uint8_t, 16> masked(std::array<uint8_t, 16> bytes, uint8_t prefix) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int keep = std::clamp(int(prefix) - int(i) * 8, 0, 8);
    bytes[i] &= keep == 0 ? 0 : uint8_t(0xff << (8 - keep));
  }
  return bytes;
}

uint8_t max_prefix(IpAddress::Family family) { return family == IpAddress::Family::kV4 ? 32 : 128; }

}  // namespace

Cidr Cidr::of(const IpAddress& address, uint8_t prefix) {
  MSB_CHECK(prefix <= max_prefix(address.family()));
  std::array<uint8_t, 16> bytes{};
  std::copy(address.bytes().begin(), address.bytes().end(), bytes.begin());
  bytes = masked(bytes, prefix);
  Cidr cidr;
  cidr.base_ = IpAddress::from_bytes(address.family(), {bytes.data(), address.bytes().size()});
  cidr.prefix_ = prefix;
  return cidr;
}

Result<Cidr> Cidr::parse(std::string_view text) {
  const size_t slash = text.find('/');
  IpAddress address = MSB_TRY(IpAddress::parse(text.substr(0, slash)).context("CIDR '{}'", text));
  const uint8_t limit = max_prefix(address.family());
  if (slash == text.npos) return of(address, limit);
  const std::string_view digits = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      prefix > limit || (digits.size() > 1 && digits[0] == '0'))
    return err(ErrorKind::kInvalidArgument, "CIDR '{}': prefix must be 0 to {}", text, limit);
  const Cidr cidr = of(address, uint8_t(prefix));
  if (cidr.base_ != address)
    return err(ErrorKind::kInvalidArgument, "CIDR '{}': host bits set, did you mean {}", text,
               cidr.to_string());
  return cidr;
}

bool Cidr::contains(const IpAddress& address) const {
  const IpAddress plain = address.unmapped();
  if (plain.family() != base_.family()) return false;
  return of(plain, prefix_).base_ == base_;
}

std::string Cidr::to_string() const { return base_.to_string() + "/" + std::to_string(prefix_); }

}  // namespace msb::net
