#include "image/json_fields.h"

namespace msb::image {
namespace {

tl::unexpected<Error> wrong_type(std::string_view what, std::string_view key,
                                 std::string_view want) {
  return err(ErrorKind::kInvalidArgument, "{}.{}: expected {}", what, key, want);
}

}  // namespace

Result<Json> parse_json_object(std::string_view text, size_t max_bytes, std::string_view what) {
  if (text.size() > max_bytes) {
    return err(ErrorKind::kInvalidArgument, "{} is too large ({} bytes, limit {})", what,
               text.size(), max_bytes);
  }
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return err(ErrorKind::kInvalidArgument, "{} is not valid JSON", what);
  if (!json.is_object()) return err(ErrorKind::kInvalidArgument, "{} is not a JSON object", what);
  return json;
}

const Json* find_member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key,
                                                   std::string_view what) {
  const Json* member = find_member(object, key);
  if (member == nullptr) return std::optional<std::string>();
  if (!member->is_string()) return wrong_type(what, key, "a string");
  return std::optional<std::string>(member->get<std::string>());
}

Result<std::string> required_string(const Json& object, std::string_view key,
                                    std::string_view what) {
  std::optional<std::string> value = MSB_TRY(optional_string(object, key, what));
  if (!value) return err(ErrorKind::kInvalidArgument, "{}.{}: missing", what, key);
  return std::move(*value);
}

Result<int64_t> required_size(const Json& object, std::string_view key, std::string_view what) {
  const Json* member = find_member(object, key);
  if (member == nullptr) return err(ErrorKind::kInvalidArgument, "{}.{}: missing", what, key);
  if (member->is_number_unsigned()) {
    uint64_t value = member->get<uint64_t>();
    if (value > static_cast<uint64_t>(INT64_MAX)) return wrong_type(what, key, "a size below 2^63");
    return static_cast<int64_t>(value);
  }
  // Signed integers here are negative (JSON parsing makes non-negative ones unsigned).
  return wrong_type(what, key, "a non-negative integer");
}

Result<std::vector<std::string>> string_array(const Json& object, std::string_view key,
                                              std::string_view what) {
  std::vector<std::string> values;
  const Json* member = find_member(object, key);
  if (member == nullptr) return values;
  if (!member->is_array()) return wrong_type(what, key, "an array of strings");
  for (const Json& item : *member) {
    if (!item.is_string()) return wrong_type(what, key, "an array of strings");
    values.push_back(item.get<std::string>());
  }
  return values;
}

Result<std::map<std::string, std::string>> string_map(const Json& object, std::string_view key,
                                                      std::string_view what) {
  std::map<std::string, std::string> values;
  const Json* member = find_member(object, key);
  if (member == nullptr) return values;
  if (!member->is_object()) return wrong_type(what, key, "an object of strings");
  for (const auto& [name, value] : member->items()) {
    if (!value.is_string()) return wrong_type(what, key, "an object of strings");
    values.emplace(name, value.get<std::string>());
  }
  return values;
}

Result<std::vector<std::string>> object_keys(const Json& object, std::string_view key,
                                             std::string_view what) {
  std::vector<std::string> keys;
  const Json* member = find_member(object, key);
  if (member == nullptr) return keys;
  if (!member->is_object()) return wrong_type(what, key, "an object");
  for (const auto& [name, value] : member->items()) keys.push_back(name);
  return keys;
}

}  // namespace msb::image
