// Sample messages for the codec tests: every field of every message set to a non-default
// value that crosses an encoding boundary, generated from protocol/messages.def.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/messages.h"

namespace msb::protocol {

// Every byte value, three times over.
inline std::string all_byte_values() {
  std::string out;
  for (int round = 0; round < 3; ++round) {
    for (int byte = 0; byte < 256; ++byte) out.push_back(static_cast<char>(byte));
  }
  return out;
}

// Above INT32_MAX, above INT64_MAX, negative, non-ASCII, every byte value.
inline void set_sample(uint32_t& value, const char*) { value = 4'000'000'000u; }
inline void set_sample(uint64_t& value, const char*) { value = 0xFEDCBA9876543210ull; }
inline void set_sample(int32_t& value, const char*) { value = -123456; }
inline void set_sample(int64_t& value, const char*) { value = -(int64_t{1} << 40); }
inline void set_sample(bool& value, const char*) { value = true; }
inline void set_sample(std::string& value, const char* name) {
  value = std::string(name) + " \xc3\xbc\xe2\x9c\x93 with spaces";
}
inline void set_sample(std::vector<std::string>& value, const char* name) {
  value = {"first", "", name};
}
inline void set_sample(Bytes& value, const char*) { value.data = all_byte_values(); }
inline void set_sample(StepNanos& value, const char* name) {
  value = {{"mounts", 1'234'567}, {name, 0xFFFFFFFFFFFFFFFFull}, {"", 0}};
}

// fill() and expect_same() for every message.
#define MSB_FIELD(type, name) set_sample(value.name, #name);
#define MSB_MESSAGE(Type, wire, fields) \
  inline void fill(Type& value) {       \
    (void)value;                        \
    fields                              \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

#define MSB_FIELD(type, name) EXPECT_TRUE(a.name == b.name) << "field " #name;
#define MSB_MESSAGE(Type, wire, fields)                   \
  inline void expect_same(const Type& a, const Type& b) { \
    (void)a;                                              \
    (void)b;                                              \
    fields                                                \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

// Every message type, then std::monostate, for typed tests.
#define MSB_MESSAGE(Type, wire, fields) Type,
using AllMessages = ::testing::Types<
#include "protocol/messages.def"
    std::monostate>;
#undef MSB_MESSAGE

}  // namespace msb::protocol
