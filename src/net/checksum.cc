#include "net/checksum.h"

namespace msb::net {

void ChecksumAccumulator::add(std::span<const uint8_t> bytes) {
  size_t index = 0;
  if (odd_ && !bytes.empty()) {
    sum_ += bytes[0];  // the low half of the word the last piece started
    odd_ = false;
    index = 1;
  }
  for (; index + 1 < bytes.size(); index += 2)
    sum_ += uint32_t(bytes[index] << 8 | bytes[index + 1]);
  if (index < bytes.size()) {
    sum_ += uint32_t(bytes[index]) << 8;
    odd_ = true;
  }
}

void ChecksumAccumulator::add_u16(uint16_t value) {
  const uint8_t bytes[] = {uint8_t(value >> 8), uint8_t(value)};
  add(bytes);
}

void ChecksumAccumulator::add_u32(uint32_t value) {
  add_u16(uint16_t(value >> 16));
  add_u16(uint16_t(value));
}

uint16_t ChecksumAccumulator::finish() const {
  // A 64-bit sum of 16-bit words cannot overflow for any input that fits in memory.
  uint64_t folded = sum_;
  while (folded >> 16) folded = (folded & 0xffff) + (folded >> 16);
  return uint16_t(~folded);
}

uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  ChecksumAccumulator sum;
  sum.add(bytes);
  return sum.finish();
}

uint16_t transport_checksum(const IpAddress& source, const IpAddress& destination, uint8_t protocol,
                            std::span<const uint8_t> segment) {
  MSB_CHECK(source.family() == destination.family());
  ChecksumAccumulator sum;
  sum.add(source.bytes());
  sum.add(destination.bytes());
  // v4 adds (zero, protocol, 16-bit length), v6 (32-bit length, three zeros, next header):
  // the same words whenever the length fits in 16 bits, so the v6 form serves both.
  sum.add_u32(uint32_t(segment.size()));
  sum.add_u16(protocol);
  sum.add(segment);
  return sum.finish();
}

}  // namespace msb::net
