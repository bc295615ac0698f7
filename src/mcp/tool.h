// Tool: one MCP tool, declared once. Its parameter list gives both the JSON Schema that
// tools/list shows the model and the strict check of the arguments of each call, so the two
// cannot drift apart (CONVENTIONS rule 13: each interface has one schema).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::mcp {

enum class ParamType { kString, kInteger, kBoolean, kStringMap, kStringArray };

struct Param {
  std::string name;
  ParamType type = ParamType::kString;
  std::string description;
  bool required = false;
  std::vector<std::string> choices;  // kString: the only values allowed (a JSON Schema enum)
  std::optional<int64_t> minimum;    // kInteger
  std::optional<int64_t> maximum;    // kInteger
};

// The behaviour hints of MCP's ToolAnnotations (clients may use them to ask before a call).
struct ToolHints {
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
  bool open_world = false;
};

// Arguments of one call, checked against the tool's parameters: every getter's name is a
// declared parameter of the matching type (REQUIRES), so a getter never fails.
class ToolArgs {
 public:
  // Errors (kInvalidArgument, naming the argument): not an object, an unknown argument, a
  // wrong type, a value outside `choices` or the bounds, a required argument missing.
  static Result<ToolArgs> check(const std::vector<Param>& params, const nlohmann::json& arguments);

  bool has(const std::string& name) const { return values_.contains(name); }
  std::string text(const std::string& name, const std::string& fallback = "") const;
  std::optional<std::string> optional_text(const std::string& name) const;
  int64_t integer(const std::string& name, int64_t fallback) const;
  std::optional<int64_t> optional_integer(const std::string& name) const;
  bool flag(const std::string& name, bool fallback = false) const;
  std::map<std::string, std::string> string_map(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;

 private:
  explicit ToolArgs(nlohmann::json values) : values_(std::move(values)) {}
  nlohmann::json values_;
};

// What a call returns: `structured` becomes the result's structuredContent and, serialized,
// its text content; `is_error` marks a failed call (the model sees it and may retry).
struct ToolResult {
  nlohmann::json structured = nlohmann::json::object();
  bool is_error = false;
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  std::vector<Param> params;
  ToolHints hints;
  // May throw microsandbox::Error (the SDK's), which the server turns into an error result.
  std::function<ToolResult(const ToolArgs& args)> run;

  // The tools/list entry: name, title, description, inputSchema, annotations.
  nlohmann::json definition() const;
};

}  // namespace msb::mcp
