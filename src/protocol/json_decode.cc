// The nlohmann-json decoder of message bodies, the reference for protocol/message_decode.cc.
// nlohmann-json throws on type mismatches; this file is the edge where that is caught.
#include "protocol/json_decode.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

namespace msb::protocol {

using nlohmann::json;

void from_json(const json& j, Bytes& bytes) {
  if (!j.is_binary()) throw json::type_error::create(302, "expected a byte string", &j);
  const auto& binary = j.get_binary();
  bytes.data.assign(binary.begin(), binary.end());
}

#define MSB_FIELD(type, name) \
  if (auto it = j.find(#name); it != j.end()) it->get_to(value.name);
#define MSB_MESSAGE(Type, wire, fields)        \
  void from_json(const json& j, Type& value) { \
    (void)value;                               \
    (void)j;                                   \
    fields                                     \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

namespace {

// Deeper than any message needs (body map > payload map > args array).
constexpr size_t kMaxNesting = 16;

// nlohmann's CBOR DOM builder with two guards for untrusted bodies: its reader recurses
// once per nesting level, so ~100 KB of nested arrays would overflow the stack, and a
// declared container length beyond max_size() throws even with exceptions disabled.
class BoundedCborSax {
 public:
  BoundedCborSax(json& result, size_t body_size) : dom_(result, false), body_size_(body_size) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return dom_.number_float(value, text);
  }
  bool string(json::string_t& value) { return dom_.string(value); }
  bool binary(json::binary_t& value) { return dom_.binary(value); }
  bool key(json::string_t& value) { return dom_.key(value); }
  bool start_object(size_t length) { return enter(length) && dom_.start_object(length); }
  bool end_object() { return leave() && dom_.end_object(); }
  bool start_array(size_t length) { return enter(length) && dom_.start_array(length); }
  bool end_array() { return leave() && dom_.end_array(); }
  template <class Exception>
  bool parse_error(size_t position, const std::string& token, const Exception& error) {
    return dom_.parse_error(position, token, error);
  }

 private:
  // Every element takes at least one byte, so a longer declared length is a lie.
  bool enter(size_t length) {
    if (length != static_cast<size_t>(-1) && length > body_size_) return false;
    return ++depth_ <= kMaxNesting;
  }
  bool leave() {
    --depth_;
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  size_t body_size_;
  size_t depth_ = 0;
};

// Parses an untrusted CBOR body; nullopt if it is not well-formed (never throws).
std::optional<json> parse_cbor(std::string_view body) {
  json result;
  BoundedCborSax sax(result, body.size());
  try {
    if (!json::sax_parse(body, &sax, json::input_format_t::cbor, /*strict=*/true)) {
      return std::nullopt;
    }
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return result;
}

template <class T>
tl::expected<Message, CoreError> decode_payload(const json& payload) {
  T value;
  if (payload.is_null()) return Message(std::move(value));
  if (!payload.is_object()) {
    return tl::unexpected(
        CoreError{"invalid-payload", "payload is not a map", std::string(T::kWireName)});
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

tl::expected<Message, CoreError> decode_body_json(std::string_view body) {
  std::optional<json> parsed = parse_cbor(body);
  if (!parsed) return tl::unexpected(CoreError{"malformed", "body is not valid CBOR", ""});
  const json& j = *parsed;
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
