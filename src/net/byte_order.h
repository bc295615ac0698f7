// Network-order (big-endian) loads and stores at an offset in a byte span. Every access is
// bounds-checked: a parser checks lengths before it reads, and a slip aborts here instead of
// reading past a frame the guest sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/error.h"

namespace msb::net {

inline uint16_t load_be16(std::span<const uint8_t> bytes, size_t offset) {
  MSB_CHECK(offset <= bytes.size() && bytes.size() - offset >= 2);
  return uint16_t(bytes[offset] << 8 | bytes[offset + 1]);
}

inline uint32_t load_be32(std::span<const uint8_t> bytes, size_t offset) {
  MSB_CHECK(offset <= bytes.size() && bytes.size() - offset >= 4);
  return uint32_t(bytes[offset]) << 24 | uint32_t(bytes[offset + 1]) << 16 |
         uint32_t(bytes[offset + 2]) << 8 | uint32_t(bytes[offset + 3]);
}

inline void store_be16(std::span<uint8_t> bytes, size_t offset, uint16_t value) {
  MSB_CHECK(offset <= bytes.size() && bytes.size() - offset >= 2);
  bytes[offset] = uint8_t(value >> 8);
  bytes[offset + 1] = uint8_t(value);
}

inline void store_be32(std::span<uint8_t> bytes, size_t offset, uint32_t value) {
  MSB_CHECK(offset <= bytes.size() && bytes.size() - offset >= 4);
  store_be16(bytes, offset, uint16_t(value >> 16));
  store_be16(bytes, offset + 2, uint16_t(value));
}

}  // namespace msb::net
