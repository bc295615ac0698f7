// decode_body: message bodies read with CborReader straight into the payload structs.
// Byte strings are copied once (nlohmann's reader, which this replaces, built them one
// byte at a time, the bottleneck of fs throughput in a TCG guest).
//
// Decoding is two passes: check_cbor() proves the whole body well-formed first, so a body
// with a bad field AND broken CBOR is "malformed" whatever their order; then the fields
// are read. As in a map DOM, the last of duplicate keys wins. Integers must fit their
// field (no wrapping) and be integers (not floats or booleans).
#include <array>
#include <limits>
#include <optional>
#include <type_traits>

#include "protocol/cbor_reader.h"
#include "protocol/messages.h"

namespace msb::protocol {
namespace {

using Span = std::optional<std::string_view>;  // a field's encoded value, when present

template <class T>
requires(std::is_integral_v<T> &&
         !std::is_same_v<T, bool>) Result<void> read_value(CborReader& reader, T& out) {
  CborHead head = MSB_TRY(reader.peek_head());
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<T>::max());
  if (head.major == CborMajor::kUnsigned && head.argument <= kMax) {
    out = static_cast<T>(head.argument);
  } else if (head.major == CborMajor::kNegative && std::is_signed_v<T> && head.argument <= kMax) {
    out = static_cast<T>(-1 - static_cast<int64_t>(head.argument));  // -1 - n, in range
  } else if (head.major == CborMajor::kUnsigned || head.major == CborMajor::kNegative) {
    std::string value = head.major == CborMajor::kUnsigned ? std::to_string(head.argument)
                                                           : "-1-" + std::to_string(head.argument);
    return err(ErrorKind::kProtocol, "integer {} is out of range", value);
  } else {
    return err(ErrorKind::kProtocol, "expected an integer, got {}", cbor_type_name(head));
  }
  MSB_TRY(reader.read_head());
  return {};
}

Result<void> read_value(CborReader& reader, bool& out) {
  out = MSB_TRY(reader.read_bool());
  return {};
}

Result<void> read_value(CborReader& reader, std::string& out) {
  out = MSB_TRY(reader.read_text());
  return {};
}

Result<void> read_value(CborReader& reader, Bytes& out) {
  out.data = MSB_TRY(reader.read_bytes());
  return {};
}

Result<void> read_value(CborReader& reader, std::vector<std::string>& out) {
  uint64_t count = MSB_TRY(reader.read_array_size());
  out.clear();
  for (uint64_t i = 0; i < count; ++i) out.emplace_back(MSB_TRY(reader.read_text()));
  return {};
}

Result<void> read_value(CborReader& reader, StepNanos& out) {
  uint64_t count = MSB_TRY(reader.read_map_size());
  // The last of duplicate keys wins, so an earlier bad value is only an error if it stays.
  std::map<std::string, Result<uint64_t>, std::less<>> values;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key(MSB_TRY(reader.read_text()));
    uint64_t value = 0;
    CborReader item(MSB_TRY(reader.read_item()));
    Result<void> read = read_value(item, value);
    values.insert_or_assign(std::move(key), read ? Result<uint64_t>(value)
                                                 : Result<uint64_t>(tl::unexpected(read.error())));
  }
  out.clear();
  for (auto& [key, value] : values) {
    if (!value) return err(ErrorKind::kProtocol, "key '{}': {}", key, value.error().message);
    out.emplace(key, *value);
  }
  return {};
}

template <class T>
Result<void> read_field(const Span& span, std::string_view name, T& out) {
  if (!span) return {};
  CborReader reader(*span);
  return read_value(reader, out).context("field '{}'", name);
}

// The encoded value of each named field of a payload map (the last of duplicates).
template <size_t N>
Result<void> collect_fields(std::string_view payload, const std::string_view (&names)[N],
                            std::array<Span, N>& spans) {
  CborReader reader(payload);
  uint64_t count = MSB_TRY(reader.read_map_size());
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key = MSB_TRY(reader.read_text());
    std::string_view value = MSB_TRY(reader.read_item(1));
    for (size_t field = 0; field + 1 < N; ++field) {
      if (names[field] == key) spans[field] = value;
    }
  }
  return {};
}

// Per message: its field names ("" ends the list) and a reader of its fields.
#define MSB_FIELD(type, name) #name,
#define MSB_MESSAGE(Type, wire, fields) \
  [[maybe_unused]] constexpr std::string_view kFields##Type[] = {fields ""};
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

#define MSB_FIELD(type, name) MSB_TRY(read_field(spans[index++], #name, value.name));
#define MSB_MESSAGE(Type, wire, fields)                              \
  Result<void> read_payload(std::string_view payload, Type& value) { \
    std::array<Span, std::size(kFields##Type)> spans;                \
    MSB_TRY(collect_fields(payload, kFields##Type, spans));          \
    [[maybe_unused]] size_t index = 0;                               \
    (void)value;                                                     \
    fields return {};                                                \
  }
#include "protocol/messages.def"
#undef MSB_MESSAGE
#undef MSB_FIELD

CoreError malformed(std::string message) { return CoreError{"malformed", std::move(message), ""}; }

template <class T>
tl::expected<Message, CoreError> decode_payload(const Span& payload) {
  T value;
  if (!payload) return Message(std::move(value));
  CborHead head = CborReader(*payload).peek_head().value_or(CborHead{});
  if (head.is_null()) return Message(std::move(value));
  std::string wire(T::kWireName);
  if (head.major != CborMajor::kMap)
    return tl::unexpected(CoreError{"invalid-payload", "payload is not a map", wire});
  Result<void> read = read_payload(*payload, value);
  if (!read) {
    return tl::unexpected(
        CoreError{"invalid-payload",
                  fmt::format("bad payload for {}: {}", wire, read.error().message), wire});
  }
  return Message(std::move(value));
}

}  // namespace

tl::expected<Message, CoreError> decode_body(std::string_view body) {
  if (Result<void> checked = check_cbor(body); !checked)
    return tl::unexpected(malformed("body is not valid CBOR: " + checked.error().message));
  CborReader reader(body);
  Result<uint64_t> count = reader.read_map_size();
  if (!count) return tl::unexpected(malformed("body is not a CBOR map"));
  Span type, payload;
  for (uint64_t i = 0; i < *count; ++i) {
    // Cannot fail: check_cbor() read the same bytes.
    std::string_view key = reader.read_text().value_or("");
    std::string_view value = reader.read_item(1).value_or("");
    if (key == "t") type = value;
    if (key == "p") payload = value;
  }
  Result<std::string_view> name =
      type ? CborReader(*type).read_text() : Result<std::string_view>(std::string_view());
  if (!type || !name) return tl::unexpected(malformed("body has no string field 't'"));
#define MSB_MESSAGE(Type, wire, fields) \
  if (*name == wire) return decode_payload<Type>(payload);
#include "protocol/messages.def"
#undef MSB_MESSAGE
  return tl::unexpected(CoreError{
      "unsupported-type", fmt::format("unknown message type '{}'", *name), std::string(*name)});
}

}  // namespace msb::protocol
