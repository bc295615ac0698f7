// CBOR encoding of messages: body = {"t": wire name, "p": payload map}, written with
// nlohmann-json (its writer copies byte strings in bulk). Decoding: message_decode.cc.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "protocol/byte_frames.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace msb::protocol {

using nlohmann::json;

void to_json(json& j, const Bytes& bytes) {
  j = json::binary(std::vector<uint8_t>(bytes.data.begin(), bytes.data.end()));
}

#define MSB_FIELD(type, name) j[#name] = value.name;
#define MSB_MESSAGE(Type, wire, fields)      \
  void to_json(json& j, const Type& value) { \
    j = json::object();                      \
    (void)value;                             \
    (void)j;                                 \
    fields                                   \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

std::vector<std::string_view> message_names() {
  return {
#define MSB_MESSAGE(Type, wire, fields) wire,
#include "protocol/messages.def"
#undef MSB_MESSAGE
  };
}

std::string_view message_name(const Message& message) {
  return std::visit(
      [](const auto& value) -> std::string_view {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else {
          return T::kWireName;
        }
      },
      message);
}

Result<std::string> encode_message(uint32_t id, uint8_t flags, const Message& message) {
  if (std::optional<Result<std::string>> frame = encode_data_message(id, flags, message))
    return std::move(*frame);
  json body = json::object();
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (!std::is_same_v<T, std::monostate>) {
          body["t"] = T::kWireName;
          body["p"] = value;
        }
      },
      message);
  std::vector<uint8_t> cbor = json::to_cbor(body);
  if (cbor.size() > kMaxBodyBytes) {
    return err(ErrorKind::kInvalidArgument,
               "{} message of {} bytes exceeds the {} byte frame limit", message_name(message),
               cbor.size(), kMaxBodyBytes);
  }
  std::string frame;
  frame.reserve(kHeaderBytes + cbor.size());
  append_frame(frame, id, flags,
               std::string_view(reinterpret_cast<const char*>(cbor.data()), cbor.size()));
  return frame;
}

}  // namespace msb::protocol
