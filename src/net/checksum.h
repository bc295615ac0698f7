// The Internet checksum (RFC 1071): the one's-complement sum of 16-bit big-endian words that
// IPv4 headers, TCP, UDP, ICMP and ICMPv6 carry, with the pseudo header TCP, UDP and ICMPv6
// add in front of their segment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net/ip_address.h"

namespace msb::net {

// A running sum over bytes fed in any number of pieces; a piece may end on an odd byte.
// A value type: not thread-safe.
class ChecksumAccumulator {
 public:
  void add(std::span<const uint8_t> bytes);
  void add_u16(uint16_t value);
  void add_u32(uint32_t value);
  // The checksum to store: the one's complement of the folded sum. Over data that holds its
  // own correct checksum this is 0.
  uint16_t finish() const;

 private:
  uint64_t sum_ = 0;
  bool odd_ = false;  // the last piece ended half-way through a word
};

// The checksum of `bytes` alone (an IPv4 header, ICMPv4). Thread-safe.
uint16_t internet_checksum(std::span<const uint8_t> bytes);

// The checksum of a TCP, UDP or ICMPv6 `segment` behind the pseudo header of its IP packet
// (RFC 9293 3.1 and RFC 768 for v4, RFC 8200 8.1 for v6). Over a segment that holds its own
// correct checksum this is 0. REQUIRES: source and destination of one family. Thread-safe.
uint16_t transport_checksum(const IpAddress& source, const IpAddress& destination, uint8_t protocol,
                            std::span<const uint8_t> segment);

}  // namespace msb::net
