// CBOR encoding of messages: body = {"t": wire name, "p": payload map}. nlohmann-json
// throws on type mismatches; this file is the edge where that is caught.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "protocol/frame.h"
#include "protocol/messages.h"

namespace msb::protocol {

using nlohmann::json;

void to_json(json& j, const Bytes& bytes) {
  j = json::binary(std::vector<uint8_t>(bytes.data.begin(), bytes.data.end()));
}

void from_json(const json& j, Bytes& bytes) {
  if (!j.is_binary()) throw json::type_error::create(302, "expected a byte string", &j);
  const auto& binary = j.get_binary();
  bytes.data.assign(binary.begin(), binary.end());
}

#define MSB_FIELD(type, name) j[#name] = value.name;
#define MSB_MESSAGE(Type, wire, fields)          \
  void to_json(json& j, const Type& value) {    \
    j = json::object();                         \
    (void)value;                                \
    (void)j;                                    \
    fields                                      \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

#define MSB_FIELD(type, name) \
  if (auto it = j.find(#name); it != j.end()) it->get_to(value.name);
#define MSB_MESSAGE(Type, wire, fields)          \
  void from_json(const json& j, Type& value) {  \
    (void)value;                                \
    (void)j;                                    \
    fields                                      \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

namespace {

template <class T>
tl::expected<Message, CoreError> decode_payload(const json& payload) {
  T value;
  if (payload.is_null()) return Message(std::move(value));
  if (!payload.is_object()) {
    return tl::unexpected(CoreError{"invalid-payload", "payload is not a map", std::string(T::kWireName)});
  }
  try {
    payload.get_to(value);
  } catch (const json::exception& e) {
    return tl::unexpected(CoreError{"invalid-payload",
                                    fmt::format("bad payload for {}: {}", T::kWireName, e.what()),
                                    std::string(T::kWireName)});
  }
  return Message(std::move(value));
}

}  // namespace

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
    return err(ErrorKind::kInvalidArgument, "{} message of {} bytes exceeds the {} byte frame limit",
               message_name(message), cbor.size(), kMaxBodyBytes);
  }
  std::string frame;
  frame.reserve(kHeaderBytes + cbor.size());
  append_frame(frame, id, flags,
               std::string_view(reinterpret_cast<const char*>(cbor.data()), cbor.size()));
  return frame;
}

tl::expected<Message, CoreError> decode_body(std::string_view body) {
  json j = json::from_cbor(body, /*strict=*/true, /*allow_exceptions=*/false);
  if (j.is_discarded()) return tl::unexpected(CoreError{"malformed", "body is not valid CBOR", ""});
  if (!j.is_object()) return tl::unexpected(CoreError{"malformed", "body is not a CBOR map", ""});
  auto type = j.find("t");
  if (type == j.end() || !type->is_string()) {
    return tl::unexpected(CoreError{"malformed", "body has no string field 't'", ""});
  }
  const std::string& name = type->get_ref<const std::string&>();
  auto payload_it = j.find("p");
  const json payload = payload_it == j.end() ? json() : *payload_it;
#define MSB_MESSAGE(Type, wire, fields) \
  if (name == wire) return decode_payload<Type>(payload);
#include "protocol/messages.def"
#undef MSB_MESSAGE
  return tl::unexpected(CoreError{"unsupported-type", "unknown message type '" + name + "'", name});
}

}  // namespace msb::protocol
