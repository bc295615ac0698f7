#include "runtime/startup_status.h"

#include <nlohmann/json.hpp>

namespace msb::runtime {
namespace {

Result<nlohmann::json> parse_object(std::string_view text, const char* what) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return err(ErrorKind::kProtocol, "{}: not a JSON object: '{}'", what, text.substr(0, 200));
  return json;
}

template <class T>
T field(const nlohmann::json& json, const char* key, T fallback) {
  auto found = json.find(key);
  if (found == json.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return found->is_string() ? found->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    return found->is_boolean() ? found->get<bool>() : fallback;
  } else {
    return found->is_number_integer() ? found->get<T>() : fallback;
  }
}

}  // namespace

std::string encode_startup_status(const StartupStatus& status) {
  nlohmann::json json = {{"ok", status.ok}, {"pid", status.pid}};
  if (!status.ok) {
    json["kind"] = std::string(error_kind_name(status.kind));
    json["message"] = status.message;
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<StartupStatus> decode_startup_status(std::string_view text) {
  nlohmann::json json = MSB_TRY(parse_object(text, "supervisor status"));
  StartupStatus status;
  status.ok = field(json, "ok", false);
  status.pid = field(json, "pid", 0);
  status.kind = parse_error_kind(field(json, "kind", std::string()));
  status.message = field(json, "message", std::string());
  return status;
}

std::string encode_supervisor_record(const SupervisorRecord& record) {
  return nlohmann::json{{"pid", record.pid},
                        {"pid_start_time", record.pid_start_time},
                        {"engine_pid", record.engine_pid},
                        {"engine_start_time", record.engine_start_time}}
             .dump() +
         "\n";
}

Result<SupervisorRecord> decode_supervisor_record(std::string_view text) {
  nlohmann::json json = MSB_TRY(parse_object(text, "supervisor record"));
  SupervisorRecord record;
  record.pid = field(json, "pid", 0);
  record.pid_start_time = field<uint64_t>(json, "pid_start_time", 0);
  record.engine_pid = field(json, "engine_pid", 0);
  record.engine_start_time = field<uint64_t>(json, "engine_start_time", 0);
  return record;
}

}  // namespace msb::runtime
