// Non-throwing accessors for untrusted JSON documents (manifests, configs, auth files).
// Each checks the type before reading, so a field of the wrong type is an error, never an
// exception. `what` names the field in messages ("config.Env").
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::image {

using Json = nlohmann::json;

// Parses `text` as one JSON object of at most `max_bytes`. kInvalidArgument when it is
// larger, not JSON, or not an object; `what` names the document.
Result<Json> parse_json_object(std::string_view text, size_t max_bytes, std::string_view what);

// The member `key` of `object`, or nullptr when absent or null.
const Json* find_member(const Json& object, std::string_view key);

// A string member: nullopt when absent or null, kInvalidArgument when another type.
Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key,
                                                   std::string_view what);
// A string member that must be present.
Result<std::string> required_string(const Json& object, std::string_view key,
                                    std::string_view what);
// A non-negative integer member that must be present.
Result<int64_t> required_size(const Json& object, std::string_view key, std::string_view what);
// An array of strings: empty when absent or null.
Result<std::vector<std::string>> string_array(const Json& object, std::string_view key,
                                              std::string_view what);
// An object of strings to strings: empty when absent or null.
Result<std::map<std::string, std::string>> string_map(const Json& object, std::string_view key,
                                                      std::string_view what);
// The keys of an object member (e.g. ExposedPorts {"80/tcp": {}}): empty when absent.
Result<std::vector<std::string>> object_keys(const Json& object, std::string_view key,
                                             std::string_view what);

}  // namespace msb::image
