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

nlohmann::json log_entry_json(const microsandbox::LogEntry& entry) {
  nlohmann::json line = {{"time", rfc3339(entry.time)},
                         {"source", microsandbox::log_source_name(entry.source)},
                         {"stream", entry.stream},
                         {"session", entry.session}};
  if (valid_utf8(entry.text))
    line["text"] = entry.text;
  else
    line["text_base64"] = msb::base64_encode(entry.text);
  return line;
}

nlohmann::json image_info_json(const microsandbox::ImageInfo& info) {
  return {{"references", info.references},
          {"manifest_digest", info.manifest_digest},
          {"os", info.os},
          {"architecture", info.architecture},
          {"layer_count", info.layer_count},
          {"size_bytes", info.size_bytes},
          {"created_at", rfc3339(info.created_at)}};
}

nlohmann::json image_detail_json(const microsandbox::ImageDetail& detail) {
  nlohmann::json out = image_info_json(detail.info);
  nlohmann::json layers = nlohmann::json::array();
  for (const microsandbox::ImageLayer& layer : detail.layers) {
    layers.push_back({{"digest", layer.digest},
                      {"diff_id", layer.diff_id},
                      {"media_type", layer.media_type},
                      {"size", layer.size}});
  }
  nlohmann::json config = nlohmann::json::parse(detail.config_json, nullptr, false);
  out.update({{"layers", layers},
              {"env", detail.env},
              {"entrypoint", detail.entrypoint},
              {"cmd", detail.cmd},
              {"working_dir", detail.working_dir},
              {"user", detail.user},
              {"labels", detail.labels},
              {"exposed_ports", detail.exposed_ports},
              {"config", config.is_discarded() ? nlohmann::json(nullptr) : config}});
  return out;
}

nlohmann::json pull_progress_json(const microsandbox::PullProgress& progress) {
  using microsandbox::PullStage;
  nlohmann::json out = {{"stage", microsandbox::pull_stage_name(progress.stage)},
                        {"reference", progress.reference}};
  switch (progress.stage) {
    case PullStage::kResolving:
      break;
    case PullStage::kResolved:
      out.update({{"manifest_digest", progress.manifest_digest},
                  {"layer_count", progress.layer_count},
                  {"total_bytes", progress.total_bytes}});
      break;
    case PullStage::kLayerBytes:
      out.update({{"layer", progress.layer},
                  {"bytes", progress.bytes},
                  {"total_bytes", progress.total_bytes}});
      break;
    case PullStage::kLayerCached:
    case PullStage::kExtracting:
    case PullStage::kLayerDone:
      out["layer"] = progress.layer;
      break;
    case PullStage::kComplete:
      out["manifest_digest"] = progress.manifest_digest;
      break;
  }
  return out;
}

std::string sse_event(const std::string& name, const nlohmann::json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

}  // namespace msb::server
