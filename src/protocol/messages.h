// Payload structs and the Message variant, generated from messages.def.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <variant>
#include <vector>

#include "common/error.h"

namespace msb::protocol {

inline constexpr uint32_t kProtocolVersion = 2;

// Raw bytes (process output, file data): a CBOR byte string on the wire.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// Named durations in nanoseconds.
using StepNanos = std::map<std::string, uint64_t>;

#define MSB_FIELD(type, name) type name{};
#define MSB_MESSAGE(Type, wire, fields)                 \
  struct Type {                                         \
    static constexpr std::string_view kWireName = wire; \
    fields                                              \
  };
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

// Every message type; std::monostate (the default) is "no message".
#define MSB_MESSAGE(Type, wire, fields) , Type
using Message = std::variant<std::monostate
#include "protocol/messages.def"
                             >;
#undef MSB_MESSAGE

// The wire names of every message, in table order.
std::vector<std::string_view> message_names();
std::string_view message_name(const Message& message);

// A decoded frame.
struct Envelope {
  uint32_t id = 0;
  uint8_t flags = 0;
  Message message;
};

// Encodes one whole frame. kInvalidArgument if the body would exceed kMaxBodyBytes.
Result<std::string> encode_message(uint32_t id, uint8_t flags, const Message& message);

// Decodes a frame body; on failure returns the core.error payload to send back.
tl::expected<Message, CoreError> decode_body(std::string_view body);

}  // namespace msb::protocol
