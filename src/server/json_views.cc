#include "server/json_views.h"

#include "common/base64.h"

namespace msb::server {

nlohmann::json sandbox_json(const microsandbox::SandboxInfo& info) {
  nlohmann::json config = nlohmann::json::parse(info.config_json, nullptr, false);
  return {{"name", info.name},
          {"status", microsandbox::status_name(info.status)},
          {"ephemeral", info.ephemeral},
          {"image", info.image},
          {"cpus", info.cpus},
          {"memory_mib", info.memory_mib},
          {"isolation", info.isolation},
          {"labels", info.labels},
          {"created_at", rfc3339(info.created_at)},
          {"updated_at", rfc3339(info.updated_at)},
          {"last_error", info.last_error},
          {"config", config.is_discarded() ? nlohmann::json(nullptr) : config}};
}

ApiResponse json_response(int status, const nlohmann::json& body) {
  return ApiResponse{status, "application/json", body.dump()};
}

nlohmann::json exec_output_json(const microsandbox::ExecOutput& output) {
  nlohmann::json body = {{"exit_code", output.exit_code},
                         {"signal", output.signal},
                         {"timed_out", output.timed_out},
                         {"success", output.success()}};
  auto put = [&](const char* key, const std::string& data) {
    if (valid_utf8(data))
      body[key] = data;
    else
      body[std::string(key) + "_base64"] = msb::base64_encode(data);
  };
  put("stdout", output.stdout_data);
  put("stderr", output.stderr_data);
  return body;
}

}  // namespace msb::server
