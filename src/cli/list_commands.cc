#include "cli/list_commands.h"

#include <fmt/format.h>
#include <time.h>

#include <nlohmann/json.hpp>

#include "cli/network_view.h"
#include "cli/out.h"
#include "cli/sandbox_flags.h"
#include "common/shown.h"
#include "config/sandbox_config.h"
#include "sdk/lifecycle.h"
#include "sdk/sandbox_list.h"

namespace msb::cli {
namespace {

// The recorded image and engine ("?" when the stored config does not parse).
struct Described {
  std::string image = "?";
  std::string isolation = "?";
};

Described describe(const store::SandboxRecord& record) {
  Result<config::SandboxConfig> config = config::config_from_json(record.config_json);
  if (!config) return {};
  return {config->image, config->isolation};
}

nlohmann::json run_json(const store::RunRecord& run) {
  nlohmann::json json = {{"pid", run.pid},
                         {"status", run.running ? "running" : "terminated"},
                         {"started_at", utc_time(run.started_at_ns)}};
  if (run.terminated_at_ns) json["terminated_at"] = utc_time(*run.terminated_at_ns);
  if (run.reason) json["termination_reason"] = store::termination_reason_name(*run.reason);
  if (run.exit_code) json["exit_code"] = *run.exit_code;
  if (run.exit_signal) json["exit_signal"] = *run.exit_signal;
  return json;
}

nlohmann::json record_json(const store::SandboxRecord& record) {
  Described described = describe(record);
  nlohmann::json json = {{"name", record.name},
                         {"status", store::sandbox_status_name(record.status)},
                         {"image", described.image},
                         {"isolation", described.isolation},
                         {"ephemeral", record.ephemeral},
                         {"labels", record.labels},
                         {"created_at", utc_time(record.created_at_ns)},
                         {"updated_at", utc_time(record.updated_at_ns)},
                         {"last_error", record.last_error}};
  return json;
}

Result<void> check_format(const std::string& format, const char* other) {
  if (format == "json" || format == other) return {};
  return err(ErrorKind::kInvalidArgument, "--format must be {} or json, got '{}'", other, format);
}

}  // namespace

CLI::App* ListCommand::add_to(CLI::App& app) {
  CLI::App* list = app.add_subcommand("ls", "List sandboxes");
  list->alias("list");
  list->add_flag("--running", running_, "Only running (and draining) ones");
  list->add_flag("--stopped", stopped_, "Only stopped and crashed ones");
  list->add_option("--label", labels_, "Only those with label KEY=VALUE (all must match)");
  list->add_option("--format", format_, "table or json");
  return list;
}

Result<int> ListCommand::run() {
  MSB_TRY(check_format(format_, "table"));
  std::map<std::string, std::string> selector = MSB_TRY(parse_label_selector(labels_));
  std::vector<store::SandboxRecord> records = MSB_TRY(sdk::list_sandboxes(selector));
  std::erase_if(records, [&](const store::SandboxRecord& record) {
    bool active = sdk::is_active(record.status);
    return (running_ && !active) || (stopped_ && active);
  });
  if (format_ == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const store::SandboxRecord& record : records) list.push_back(record_json(record));
    print_json(list);
    return 0;
  }
  fmt::print("{:<32} {:<9} {:<16} {}\n", "NAME", "STATUS", "IMAGE", "CREATED");
  for (const store::SandboxRecord& record : records) {
    fmt::print("{:<32} {:<9} {:<16} {}\n", record.name, store::sandbox_status_name(record.status),
               describe(record).image, utc_time(record.created_at_ns));
  }
  return 0;
}

CLI::App* StatusCommand::add_to(CLI::App& app) {
  CLI::App* status = app.add_subcommand("ps", "Status of sandboxes: supervisor and last run");
  status->alias("status");
  targets_.add_to(*status);
  status->add_option("--format", format_, "table or json");
  return status;
}

Result<int> StatusCommand::run() {
  MSB_TRY(check_format(format_, "table"));
  nlohmann::json all = nlohmann::json::array();
  if (format_ != "json")
    fmt::print("{:<32} {:<9} {:>8} {:<21} {}\n", "NAME", "STATUS", "PID", "STARTED", "LAST END");
  int code = MSB_TRY(
      for_each_target(MSB_TRY(targets_.resolve()), [&](const std::string& name) -> Result<void> {
        store::SandboxRecord record = MSB_TRY(sdk::get_sandbox(name));
        std::vector<store::RunRecord> runs = MSB_TRY(sdk::sandbox_runs(name));
        nlohmann::json json = record_json(record);
        json["last_run"] = runs.empty() ? nlohmann::json() : run_json(runs.back());
        all.push_back(json);
        if (format_ == "json") return {};
        std::string pid = "-", started = "-", ended = "-";
        if (!runs.empty()) {
          const store::RunRecord& last = runs.back();
          if (last.running) pid = std::to_string(last.pid);
          started = utc_time(last.started_at_ns);
          if (last.reason) ended = std::string(store::termination_reason_name(*last.reason));
        }
        fmt::print("{:<32} {:<9} {:>8} {:<21} {}\n", name,
                   store::sandbox_status_name(record.status), pid, started, ended);
        return {};
      }));
  if (format_ == "json") print_json(all);
  return code;
}

CLI::App* InspectCommand::add_to(CLI::App& app) {
  CLI::App* inspect = app.add_subcommand("inspect", "Everything recorded about a sandbox");
  inspect->add_option("name", name_, "Sandbox name")->required();
  inspect->add_option("--format", format_, "text or json");
  return inspect;
}

namespace {

// "/data  bind /srv/data  ro,noexec" (the options nosuid and nodev are always on).
std::string mount_line(const config::VolumeMount& mount) {
  std::string options = mount.read_only ? "ro" : "rw";
  if (mount.noexec) options += ",noexec";
  options += ",nosuid,nodev";
  std::string source = mount.kind == config::VolumeMount::Kind::kTmpfs
                           ? (mount.size_mib ? std::to_string(mount.size_mib) + " MiB" : "-")
                           : mount.source;
  return fmt::format("{}  {} {}  {}", shown(mount.target), config::volume_kind_name(mount.kind),
                     shown(source), options);
}

}  // namespace

Result<int> InspectCommand::run() {
  MSB_TRY(check_format(format_, "text"));
  store::SandboxRecord record = MSB_TRY(sdk::get_sandbox(name_));
  std::vector<store::RunRecord> runs = MSB_TRY(sdk::sandbox_runs(name_));
  nlohmann::json json = record_json(record);
  nlohmann::json config = nlohmann::json::parse(record.config_json, nullptr, false);
  json["config"] = config.is_discarded() ? nlohmann::json(record.config_json) : config;
  // The effective policy, preset rules included; absent when the stored config is damaged.
  Result<config::SandboxConfig> parsed = config::config_from_json(record.config_json);
  if (parsed) json["network"] = network_view_json(parsed->network);
  json["runs"] = nlohmann::json::array();
  for (const store::RunRecord& run : runs) json["runs"].push_back(run_json(run));
  if (format_ == "json") {
    print_json(json);
    return 0;
  }
  for (const auto& [key, value] : json.items()) {
    if (key == "config" || key == "runs" || key == "network") continue;
    fmt::print("{:<12} {}\n", key + ":",
               value.is_string() ? value.get<std::string>() : value.dump());
  }
  fmt::print("config:\n");
  for (const auto& [key, value] : json["config"].items()) {
    // Shown below: the effective network rules, one line per mount, patches counted.
    if ((key == "network" || key == "mounts" || key == "patches" || key == "root_disk") && parsed)
      continue;
    fmt::print("  {:<20} {}\n", key,
               value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (parsed) {
    fmt::print("root disk:    {}\n", config::describe_root_disk(
                                         parsed->root_disk, parsed->memory_mib, parsed->isolation));
    fmt::print("network:\n");
    for (const std::string& line : network_view_lines(parsed->network)) fmt::print("  {}\n", line);
    fmt::print("mounts:\n");
    for (const config::VolumeMount& mount : parsed->mounts) fmt::print("  {}\n", mount_line(mount));
    fmt::print("patches:      {}\n", parsed->patches.size());
  }
  fmt::print("runs:\n");
  for (const nlohmann::json& run : json["runs"]) fmt::print("  {}\n", run.dump());
  return 0;
}

}  // namespace msb::cli
