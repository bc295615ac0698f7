// SDK values as the API's JSON (docs/design/server.md): times as RFC 3339 UTC strings with
// milliseconds, a sandbox's recorded config as an object; and the Server-Sent Events frame
// the streamed answers share.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/utc_time.h"
#include "common/utf8.h"
#include "microsandbox/exec.h"
#include "microsandbox/image.h"
#include "microsandbox/sandbox.h"
#include "server/api_types.h"

namespace msb::server {

// A JSON answer.
ApiResponse json_response(int status, const nlohmann::json& body);
inline std::string rfc3339(std::chrono::system_clock::time_point time) {
  return rfc3339_millis(time);
}
nlohmann::json sandbox_json(const microsandbox::SandboxInfo& info);
// One log entry: time, source, stream, session, and text (or text_base64 when not UTF-8).
nlohmann::json log_entry_json(const microsandbox::LogEntry& entry);
nlohmann::json image_info_json(const microsandbox::ImageInfo& info);
// image_info_json's fields plus the layers and what the config gives a sandbox.
nlohmann::json image_detail_json(const microsandbox::ImageDetail& detail);
// One pull progress event: stage, reference, and the fields that stage fills.
nlohmann::json pull_progress_json(const microsandbox::PullProgress& progress);
// One Server-Sent Event: "event: <name>\ndata: <json>\n\n".
std::string sse_event(const std::string& name, const nlohmann::json& data);
// Output as UTF-8 text when it is valid UTF-8 ("stdout"), else base64 ("stdout_base64").
nlohmann::json exec_output_json(const microsandbox::ExecOutput& output);
// Well-formed UTF-8 is what nlohmann-json's dump() accepts (common/utf8.h).
using msb::valid_utf8;

}  // namespace msb::server
