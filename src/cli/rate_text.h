// Sizes and rates as the network flags take them: "1M", "512K", "1M/1s", "1000/100ms".
#pragma once

#include <cstdint>
#include <string_view>

#include "common/error.h"

namespace msb::cli {

// A byte count: digits with an optional binary suffix K, M, G or T (also KiB, MiB, GiB, TiB;
// any case; K = 1024): "1500", "512K", "1M". kInvalidArgument "'<text>': expected a size such
// as 1500, 512K or 1M" otherwise, or when it overflows. Thread-safe.
[[nodiscard]] Result<uint64_t> parse_size(std::string_view text);

// A count: digits only. kInvalidArgument otherwise. Thread-safe.
[[nodiscard]] Result<uint64_t> parse_count(std::string_view text);

// Bytes per second: SIZE, or SIZE/DURATION for SIZE per that long ("1M/1s", "64K/100ms";
// DURATION is digits with s or ms), scaled to one second and rounded down. kInvalidArgument
// when a part is malformed, the duration is 0 or the rate rounds down to 0. Thread-safe.
[[nodiscard]] Result<uint64_t> parse_byte_rate(std::string_view text);

// Packets per second: COUNT or COUNT/DURATION, as parse_byte_rate(). Thread-safe.
[[nodiscard]] Result<uint64_t> parse_packet_rate(std::string_view text);

}  // namespace msb::cli
