#include "server/exec_request.h"

#include <algorithm>
#include <chrono>

#include "common/json_depth.h"
#include "microsandbox/error.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using nlohmann::json;

[[noreturn]] void invalid(const std::string& key, const std::string& what) {
  throw Error(ErrorKind::kInvalidArgument, "request body: " + key + ": " + what);
}

std::string text(const json& body, const std::string& key) {
  if (!body[key].is_string()) invalid(key, "must be a string");
  return body[key].get<std::string>();
}

uint64_t whole(const json& body, const std::string& key, uint64_t max) {
  const json& value = body[key];
  bool ok = value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
  if (!ok || value.get<uint64_t>() > max)
    invalid(key, "must be a whole number from 0 to " + std::to_string(max));
  return value.get<uint64_t>();
}

}  // namespace

json body_object(const ApiRequest& request) {
  if (request.body.empty()) return json::object();
  if (msb::json_nests_deeper_than(request.body, msb::kMaxJsonDepth))
    throw Error(ErrorKind::kInvalidArgument, "request body: nested deeper than " +
                                                 std::to_string(msb::kMaxJsonDepth) + " levels");
  json body = json::parse(request.body);
  if (!body.is_object())
    throw Error(ErrorKind::kInvalidArgument, "request body: must be a JSON object");
  return body;
}

bool query_flag(const ApiRequest& request, const std::string& key) {
  std::string value = request.query_value(key, "false");
  if (value != "true" && value != "false")
    throw Error(ErrorKind::kInvalidArgument, "query " + key + ": must be true or false");
  return value == "true";
}

ExecRequest parse_exec_request(const json& body, bool streamed) {
  static const std::vector<std::string> known = {"cmd", "args", "cwd",  "user",       "env",
                                                 "tty", "rows", "cols", "timeout_ms", "stdin"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) invalid(key, "unknown key");
  }
  ExecRequest request;
  if (!body.contains("cmd") || !body["cmd"].is_string() || body["cmd"].get<std::string>().empty())
    invalid("cmd", "a non-empty string is required");
  request.cmd = body["cmd"].get<std::string>();
  if (body.contains("args")) {
    if (!body["args"].is_array()) invalid("args", "must be an array of strings");
    for (const json& arg : body["args"]) {
      if (!arg.is_string()) invalid("args", "must be an array of strings");
      request.args.push_back(arg.get<std::string>());
    }
  }
  microsandbox::ExecOptions& options = request.options;
  if (body.contains("env")) {
    if (!body["env"].is_object()) invalid("env", "must be an object of strings");
    for (const auto& [key, value] : body["env"].items()) {
      if (!value.is_string()) invalid("env." + key, "must be a string");
      options.env.emplace_back(key, value.get<std::string>());
    }
  }
  if (body.contains("cwd")) options.cwd = text(body, "cwd");
  if (body.contains("user")) options.user = text(body, "user");
  if (body.contains("tty")) {
    if (!body["tty"].is_boolean()) invalid("tty", "must be true or false");
    options.tty = body["tty"].get<bool>();
  }
  if (body.contains("rows")) options.rows = static_cast<uint32_t>(whole(body, "rows", 10000));
  if (body.contains("cols")) options.cols = static_cast<uint32_t>(whole(body, "cols", 10000));
  if (body.contains("timeout_ms"))
    options.timeout = std::chrono::milliseconds(whole(body, "timeout_ms", 86400000ull * 365));
  if (streamed) {
    // "pipe" (the default): stdin comes through POST /v1/execs/{id}/stdin; "null": none.
    std::string mode = body.contains("stdin") ? text(body, "stdin") : "pipe";
    if (mode != "pipe" && mode != "null") invalid("stdin", "must be pipe or null");
    options.stdin_stream = mode == "pipe";
  } else if (body.contains("stdin")) {
    options.stdin_data = text(body, "stdin");
  }
  return request;
}

}  // namespace msb::server
