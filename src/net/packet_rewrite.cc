#include "net/byte_order.h"
#include "net/packet.h"

namespace msb::net {

void rewrite_tcp_port(std::span<uint8_t> frame, const FrameInfo& info, bool source, uint16_t port) {
  MSB_CHECK(info.protocol == kTcp && info.first_fragment);
  const size_t port_offset = info.l4_offset + (source ? 0 : 2);
  const size_t checksum_offset = info.l4_offset + 16;
  const uint16_t old_port = load_be16(frame, port_offset);
  const uint16_t old_checksum = load_be16(frame, checksum_offset);
  // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in one's complement arithmetic.
  uint32_t sum = uint16_t(~old_checksum) + uint16_t(~old_port) + uint32_t(port);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  store_be16(frame, port_offset, port);
  store_be16(frame, checksum_offset, uint16_t(~sum));
}

}  // namespace msb::net
