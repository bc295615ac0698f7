#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/utc_time.h"
#include "mcp/tool_catalog.h"
#include "microsandbox/sandbox.h"

namespace msb::mcp {

namespace {

using microsandbox::Sandbox;
using microsandbox::SandboxInfo;
using nlohmann::json;

Param name_param() { return {"name", ParamType::kString, "Sandbox name", true}; }

json info_json(const SandboxInfo& info, bool with_config) {
  json view = {{"name", info.name},
               {"status", microsandbox::status_name(info.status)},
               {"image", info.image},
               {"isolation", info.isolation},
               {"cpus", info.cpus},
               {"memoryMib", info.memory_mib},
               {"ephemeral", info.ephemeral},
               {"labels", info.labels},
               {"createdAt", rfc3339_millis(info.created_at)},
               {"updatedAt", rfc3339_millis(info.updated_at)}};
  if (!info.last_error.empty()) view["lastError"] = info.last_error;
  if (with_config) {
    json config = json::parse(info.config_json, nullptr, false);
    if (!config.is_discarded()) view["config"] = config;
  }
  return view;
}

ToolResult create(const ToolArgs& args, const McpOptions& options) {
  auto builder = Sandbox::builder(args.text("name"));
  if (!options.isolation.empty()) builder.isolation(options.isolation);
  if (args.has("image")) builder.image(args.text("image"));
  if (args.has("cpus")) builder.cpus(static_cast<uint32_t>(args.integer("cpus", 1)));
  if (args.has("memoryMib"))
    builder.memory_mib(static_cast<uint32_t>(args.integer("memoryMib", 0)));
  for (const auto& [key, value] : args.string_map("env")) builder.env(key, value);
  for (const auto& [key, value] : args.string_map("labels")) builder.label(key, value);
  if (args.has("workdir")) builder.workdir(args.text("workdir"));
  if (args.has("hostname")) builder.hostname(args.text("hostname"));
  if (args.has("network")) builder.network(microsandbox::Network::preset(args.text("network")));
  for (const auto& [guest_path, volume] : args.string_map("volumes"))
    builder.volume(guest_path, microsandbox::Mount::named(volume));
  if (args.flag("replace")) builder.replace();
  // Detached: a sandbox an agent made outlives this MCP server until it is stopped or removed.
  Sandbox sandbox = builder.create_detached();
  return {info_json(Sandbox::get(sandbox.name()), false)};
}

ToolResult list(const ToolArgs& args) {
  json sandboxes = json::array();
  for (const SandboxInfo& info : Sandbox::list(args.string_map("labels")))
    sandboxes.push_back(info_json(info, false));
  return {{{"sandboxes", sandboxes}}};
}

ToolResult inspect(const ToolArgs& args) {
  return {info_json(Sandbox::get(args.text("name")), true)};
}

// The sandbox after a stop: its record, or "removed" for an ephemeral one (gone with it).
json state_after_stop(const std::string& name) {
  try {
    SandboxInfo info = Sandbox::get(name);
    return {{"name", name}, {"status", microsandbox::status_name(info.status)}};
  } catch (const microsandbox::Error& error) {
    if (error.kind() != microsandbox::ErrorKind::kNotFound) throw;
    return {{"name", name}, {"status", "removed"}};
  }
}

ToolResult stop(const ToolArgs& args) {
  const std::string name = args.text("name");
  Sandbox sandbox = Sandbox::connect(name);
  if (args.flag("force")) {
    sandbox.kill();
  } else {
    sandbox.stop_and_wait(std::chrono::seconds(args.integer("timeout", 10)));
  }
  return {state_after_stop(name)};
}

ToolResult remove(const ToolArgs& args) {
  const std::string name = args.text("name");
  if (args.flag("force")) {
    microsandbox::SandboxStatus status = Sandbox::get(name).status;
    if (status == microsandbox::SandboxStatus::kRunning ||
        status == microsandbox::SandboxStatus::kDraining)
      Sandbox::connect(name).kill();
  }
  Sandbox::remove(name);
  return {{{"name", name}, {"removed", true}}};
}

ToolResult logs(const ToolArgs& args) {
  microsandbox::LogOptions options;
  options.tail = static_cast<size_t>(args.integer("tail", 200));
  json entries = json::array();
  for (const microsandbox::LogEntry& entry : Sandbox::connect(args.text("name")).logs(options))
    entries.push_back({{"time", rfc3339_millis(entry.time)},
                       {"source", microsandbox::log_source_name(entry.source)},
                       {"stream", entry.stream},
                       {"text", entry.text}});
  return {{{"entries", entries}}};
}

}  // namespace

std::vector<Tool> sandbox_tools(const McpOptions& options) {
  std::vector<Tool> tools;
  tools.push_back(
      {"sandbox_create",
       "Create Sandbox",
       "Create and boot a named sandbox (a microVM, or namespaces with --isolation). It keeps "
       "running, also after this server exits, until sandbox_stop or sandbox_remove.",
       {name_param(),
        {"image", ParamType::kString, "OCI image reference; default: base (busybox)"},
        {"cpus", ParamType::kInteger, "Virtual CPUs (default 1)", false, {}, 1, 64},
        {"memoryMib", ParamType::kInteger, "Memory in MiB (default 512)", false, {}, 64, 65536},
        {"env", ParamType::kStringMap, "Environment variables"},
        {"labels", ParamType::kStringMap, "Labels, for sandbox_list filters"},
        {"workdir", ParamType::kString, "Default working directory in the sandbox"},
        {"hostname", ParamType::kString, "Guest hostname"},
        {"network",
         ParamType::kString,
         "Network preset: public (internet, no private hosts; the default), all, none",
         false,
         {"public", "all", "none"}},
        {"volumes", ParamType::kStringMap,
         "Named volumes to mount: guest path -> volume name (see volume_create)"},
        {"replace", ParamType::kBoolean, "Replace a sandbox of the same name"}},
       {false, false, false, true},
       [options](const ToolArgs& args) { return create(args, options); }});
  tools.push_back({"sandbox_list",
                   "List Sandboxes",
                   "List sandboxes with their status, newest first.",
                   {{"labels", ParamType::kStringMap, "Only sandboxes with all these labels"}},
                   {true, false, true, false},
                   list});
  tools.push_back({"sandbox_inspect",
                   "Inspect Sandbox",
                   "A sandbox's status, resources, labels and full recorded configuration.",
                   {name_param()},
                   {true, false, true, false},
                   inspect});
  tools.push_back({"sandbox_stop",
                   "Stop Sandbox",
                   "Stop a running sandbox and wait until it has stopped: gracefully, or with "
                   "force at once (SIGKILL).",
                   {name_param(),
                    {"force", ParamType::kBoolean, "Kill at once instead of stopping"},
                    {"timeout",
                     ParamType::kInteger,
                     "Seconds to wait for a graceful stop before killing (default 10)",
                     false,
                     {},
                     1,
                     600}},
                   {false, true, true, false},
                   stop});
  tools.push_back({"sandbox_remove",
                   "Remove Sandbox",
                   "Remove a stopped sandbox and its state; with force, kill it first.",
                   {name_param(), {"force", ParamType::kBoolean, "Kill it first if running"}},
                   {false, true, false, false},
                   remove});
  tools.push_back(
      {"sandbox_logs",
       "Sandbox Logs",
       "The last entries of a sandbox's log: what its commands printed and what "
       "its runtime reported.",
       {name_param(),
        {"tail", ParamType::kInteger, "Entries to return (default 200)", false, {}, 1, 10000}},
       {true, false, true, false},
       logs});
  return tools;
}

std::vector<Tool> all_tools(const McpOptions& options) {
  std::vector<Tool> tools = sandbox_tools(options);
  for (auto group : {exec_tools(options), file_tools(options), store_tools()})
    for (Tool& tool : group) tools.push_back(std::move(tool));
  return tools;
}

}  // namespace msb::mcp
