// The bodies of the two exec routes: POST /v1/sandboxes/{name}/exec (one-shot: "stdin" is
// data) and POST /v1/sandboxes/{name}/execs (streamed: "stdin" is "pipe" or "null"), and
// the JSON-object and true/false query checks every route shares.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microsandbox/exec.h"
#include "server/api_types.h"

namespace msb::server {

struct ExecRequest {
  std::string cmd;
  std::vector<std::string> args;
  microsandbox::ExecOptions options;
};

// An empty body is {}; anything else must be a JSON object (kInvalidArgument).
nlohmann::json body_object(const ApiRequest& request);
// Query parameter `key` as a flag: absent is false; "true" or "false", else kInvalidArgument.
bool query_flag(const ApiRequest& request, const std::string& key);

// Unknown keys and wrong types are kInvalidArgument naming the key.
ExecRequest parse_exec_request(const nlohmann::json& body, bool streamed);

}  // namespace msb::server
