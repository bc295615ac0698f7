// SDK values as the API's JSON (docs/design/server.md): times as RFC 3339 UTC strings with
// milliseconds, a sandbox's recorded config as an object.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/utc_time.h"
#include "common/utf8.h"
#include "microsandbox/exec.h"
#include "microsandbox/sandbox.h"
#include "server/api_types.h"

namespace msb::server {

// A JSON answer.
ApiResponse json_response(int status, const nlohmann::json& body);
inline std::string rfc3339(std::chrono::system_clock::time_point time) {
  return rfc3339_millis(time);
}
nlohmann::json sandbox_json(const microsandbox::SandboxInfo& info);
// Output as UTF-8 text when it is valid UTF-8 ("stdout"), else base64 ("stdout_base64").
nlohmann::json exec_output_json(const microsandbox::ExecOutput& output);
// Well-formed UTF-8 is what nlohmann-json's dump() accepts (common/utf8.h).
using msb::valid_utf8;

}  // namespace msb::server
