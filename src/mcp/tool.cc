#include "mcp/tool.h"

#include <algorithm>
#include <set>

namespace msb::mcp {

namespace {

using nlohmann::json;

const char* type_word(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "a string";
    case ParamType::kInteger:
      return "an integer";
    case ParamType::kBoolean:
      return "true or false";
    case ParamType::kStringMap:
      return "an object of strings";
    case ParamType::kStringArray:
      return "an array of strings";
  }
  return "a value";
}

bool all_strings(const json& value) {
  return std::all_of(value.begin(), value.end(), [](const json& item) { return item.is_string(); });
}

bool has_type(const Param& param, const json& value) {
  switch (param.type) {
    case ParamType::kString:
      return value.is_string();
    case ParamType::kInteger:
      return value.is_number_integer();
    case ParamType::kBoolean:
      return value.is_boolean();
    case ParamType::kStringMap:
      return value.is_object() && all_strings(value);
    case ParamType::kStringArray:
      return value.is_array() && all_strings(value);
  }
  return false;
}

Result<void> check_value(const Param& param, const json& value) {
  const std::string where = "argument " + param.name;
  if (!has_type(param, value))
    return make_error(ErrorKind::kInvalidArgument, where + ": must be " + type_word(param.type));
  if (!param.choices.empty() && std::find(param.choices.begin(), param.choices.end(),
                                          value.get<std::string>()) == param.choices.end()) {
    std::string list;
    for (const std::string& choice : param.choices) list += (list.empty() ? "" : ", ") + choice;
    return make_error(ErrorKind::kInvalidArgument, where + ": must be one of " + list);
  }
  if (param.type == ParamType::kInteger) {
    // A uint64 past INT64_MAX is still "an integer" to JSON; get<int64_t> would wrap it.
    if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX))
      return make_error(ErrorKind::kInvalidArgument, where + ": too large");
    int64_t number = value.get<int64_t>();
    if ((param.minimum && number < *param.minimum) || (param.maximum && number > *param.maximum))
      return make_error(ErrorKind::kInvalidArgument,
                        fmt::format("{}: must be from {} to {}", where, param.minimum.value_or(0),
                                    param.maximum.value_or(INT64_MAX)));
  }
  return {};
}

json schema_of(const Param& param) {
  json schema;
  switch (param.type) {
    case ParamType::kString:
      schema = {{"type", "string"}};
      if (!param.choices.empty()) schema["enum"] = param.choices;
      break;
    case ParamType::kInteger:
      schema = {{"type", "integer"}};
      if (param.minimum) schema["minimum"] = *param.minimum;
      if (param.maximum) schema["maximum"] = *param.maximum;
      break;
    case ParamType::kBoolean:
      schema = {{"type", "boolean"}};
      break;
    case ParamType::kStringMap:
      schema = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
      break;
    case ParamType::kStringArray:
      schema = {{"type", "array"}, {"items", {{"type", "string"}}}};
      break;
  }
  schema["description"] = param.description;
  return schema;
}

}  // namespace

Result<ToolArgs> ToolArgs::check(const std::vector<Param>& params, const json& arguments) {
  if (arguments.is_null()) return check(params, json::object());
  if (!arguments.is_object())
    return make_error(ErrorKind::kInvalidArgument, "arguments: must be an object");
  std::set<std::string> declared;
  for (const Param& param : params) {
    declared.insert(param.name);
    auto it = arguments.find(param.name);
    // A null stands for "not given", as several clients send optional arguments that way.
    if (it == arguments.end() || it->is_null()) {
      if (param.required)
        return make_error(ErrorKind::kInvalidArgument,
                          "argument " + param.name + ": required but missing");
      continue;
    }
    MSB_TRY(check_value(param, *it));
  }
  json values = json::object();
  for (const auto& [key, value] : arguments.items()) {
    if (!declared.contains(key))
      return make_error(ErrorKind::kInvalidArgument, "argument " + key + ": unknown");
    if (!value.is_null()) values[key] = value;
  }
  return ToolArgs(std::move(values));
}

std::string ToolArgs::text(const std::string& name, const std::string& fallback) const {
  return optional_text(name).value_or(fallback);
}

std::optional<std::string> ToolArgs::optional_text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->get<std::string>();
}

int64_t ToolArgs::integer(const std::string& name, int64_t fallback) const {
  return optional_integer(name).value_or(fallback);
}

std::optional<int64_t> ToolArgs::optional_integer(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->get<int64_t>();
}

bool ToolArgs::flag(const std::string& name, bool fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->get<bool>();
}

std::map<std::string, std::string> ToolArgs::string_map(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->get<std::map<std::string, std::string>>();
}

std::vector<std::string> ToolArgs::strings(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->get<std::vector<std::string>>();
}

json Tool::definition() const {
  json properties = json::object();
  json required = json::array();
  for (const Param& param : params) {
    properties[param.name] = schema_of(param);
    if (param.required) required.push_back(param.name);
  }
  json input = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
  if (!required.empty()) input["required"] = required;
  return {{"name", name},
          {"title", title},
          {"description", description},
          {"inputSchema", input},
          {"annotations",
           {{"title", title},
            {"readOnlyHint", hints.read_only},
            {"destructiveHint", hints.destructive},
            {"idempotentHint", hints.idempotent},
            {"openWorldHint", hints.open_world}}}};
}

}  // namespace msb::mcp
