#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "mcp/clipped_output.h"
#include "mcp/tool_catalog.h"
#include "microsandbox/sandbox.h"

namespace msb::mcp {

namespace {

using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::Sandbox;
using nlohmann::json;

constexpr int64_t kMaxTimeoutSeconds = 24 * 3600;

Param timeout_param(const McpOptions& options) {
  return {"timeout",
          ParamType::kInteger,
          fmt::format("Seconds before the command is killed (default {})",
                      options.exec_timeout.count()),
          false,
          {},
          1,
          kMaxTimeoutSeconds};
}

Param output_param(const McpOptions& options) {
  return {"maxOutputBytes",
          ParamType::kInteger,
          fmt::format("Bytes of stdout and of stderr to return; past it the middle is left out "
                      "with a note (default {})",
                      options.output_bytes),
          false,
          {},
          256,
          static_cast<int64_t>(McpOptions::kMaxOutputBytes)};
}

ExecOptions exec_options(const ToolArgs& args, const McpOptions& options) {
  ExecOptions exec;
  exec.timeout = std::chrono::seconds(args.integer("timeout", options.exec_timeout.count()));
  exec.cwd = args.text("cwd");
  for (const auto& [key, value] : args.string_map("env")) exec.env.emplace_back(key, value);
  if (args.has("stdin")) exec.stdin_data = args.text("stdin");
  return exec;
}

// A finished command: its output, an error result only when it was killed by the time limit
// (a non-zero exit is the command's answer, not the tool failing).
ToolResult output_result(const ExecOutput& output, const ToolArgs& args,
                         const McpOptions& options) {
  size_t limit = static_cast<size_t>(
      args.integer("maxOutputBytes", static_cast<int64_t>(options.output_bytes)));
  return {exec_output_json(output, limit), output.timed_out};
}

// A fresh ephemeral sandbox for one command: stopped (and so removed) whatever happens.
ToolResult run_in_fresh_sandbox(const std::string& image, const ToolArgs& args,
                                const McpOptions& options, const std::string& cmd,
                                const std::vector<std::string>& argv, ExecOptions exec) {
  std::random_device random;
  const std::string name = fmt::format("mcp-run-{:08x}{:08x}", random(), random());
  microsandbox::SandboxBuilder builder = Sandbox::builder(name);
  builder.image(image).ephemeral();
  if (!options.isolation.empty()) builder.isolation(options.isolation);
  if (args.has("cpus")) builder.cpus(static_cast<uint32_t>(args.integer("cpus", 1)));
  if (args.has("memoryMib"))
    builder.memory_mib(static_cast<uint32_t>(args.integer("memoryMib", 0)));
  if (args.has("network")) builder.network(microsandbox::Network::preset(args.text("network")));
  Sandbox sandbox = builder.create();
  ExecOutput output;
  try {
    output = sandbox.exec(cmd, argv, exec);
  } catch (...) {
    sandbox.kill();
    throw;
  }
  sandbox.stop_and_wait();
  return output_result(output, args, options);
}

Param network_param() {
  return {"network",
          ParamType::kString,
          "Network preset: public (the default), all, none",
          false,
          {"public", "all", "none"}};
}

Tool exec_tool(const McpOptions& options) {
  return {"sandbox_exec",
          "Execute Command in Sandbox",
          "Run a program with arguments (no shell) in a running sandbox and return its stdout, "
          "stderr and exit code.",
          {{"name", ParamType::kString, "Sandbox name", true},
           {"command", ParamType::kString, "Program to run (a path or a name on PATH)", true},
           {"args", ParamType::kStringArray, "Arguments"},
           {"cwd", ParamType::kString, "Working directory"},
           {"env", ParamType::kStringMap, "Extra environment variables"},
           {"stdin", ParamType::kString, "Text given on standard input"},
           timeout_param(options),
           output_param(options)},
          {false, false, false, false},
          [options](const ToolArgs& args) {
            ExecOutput output =
                Sandbox::connect(args.text("name"))
                    .exec(args.text("command"), args.strings("args"), exec_options(args, options));
            return output_result(output, args, options);
          }};
}

Tool shell_tool(const McpOptions& options) {
  return {"sandbox_shell",
          "Run Shell Command in Sandbox",
          "Run a shell command line or script (pipes, redirects, &&) with the sandbox's shell "
          "and return its stdout, stderr and exit code.",
          {{"name", ParamType::kString, "Sandbox name", true},
           {"command", ParamType::kString, "Shell command or script", true},
           {"cwd", ParamType::kString, "Working directory"},
           {"env", ParamType::kStringMap, "Extra environment variables"},
           timeout_param(options),
           output_param(options)},
          {false, false, false, false},
          [options](const ToolArgs& args) {
            ExecOutput output = Sandbox::connect(args.text("name"))
                                    .shell(args.text("command"), exec_options(args, options));
            return output_result(output, args, options);
          }};
}

Tool run_tool(const McpOptions& options) {
  return {"sandbox_run",
          "Run Command in Ephemeral Sandbox",
          "Create a fresh sandbox, run one shell command in it, return the output, and remove "
          "the sandbox. For one-off tasks.",
          {{"image", ParamType::kString, "OCI image reference; default: base (busybox)"},
           {"command", ParamType::kString, "Shell command or script", true},
           {"env", ParamType::kStringMap, "Environment variables"},
           {"cpus", ParamType::kInteger, "Virtual CPUs (default 1)", false, {}, 1, 64},
           {"memoryMib", ParamType::kInteger, "Memory in MiB (default 512)", false, {}, 64, 65536},
           network_param(),
           timeout_param(options),
           output_param(options)},
          {false, false, false, true},
          [options](const ToolArgs& args) {
            return run_in_fresh_sandbox(args.text("image", "base"), args, options, "/bin/sh",
                                        {"-c", args.text("command")}, exec_options(args, options));
          }};
}

// How each language reads a program from standard input.
std::pair<std::string, std::vector<std::string>> interpreter(const std::string& language) {
  if (language == "python") return {"python3", {"-"}};
  if (language == "node") return {"node", {"-"}};
  return {"/bin/sh", {"-s"}};
}

Tool run_code_tool(const McpOptions& options) {
  std::string images;
  for (const auto& [language, image] : options.code_images)
    images += fmt::format("{}{}: {}", images.empty() ? "" : ", ", language, image);
  return {"sandbox_run_code",
          "Run Code",
          "Run a program in python, node or sh and return its output. Runs in the named "
          "sandbox if given, else in a fresh one from the language's image (" +
              images + ") that is removed afterwards.",
          {{"language", ParamType::kString, "Language of the code", true, {"python", "node", "sh"}},
           {"code", ParamType::kString, "The program's source", true},
           {"name", ParamType::kString, "Run in this running sandbox instead of a fresh one"},
           {"image", ParamType::kString, "Image for the fresh sandbox instead of the default"},
           {"env", ParamType::kStringMap, "Extra environment variables"},
           network_param(),
           timeout_param(options),
           output_param(options)},
          {false, false, false, true},
          [options](const ToolArgs& args) {
            auto [cmd, argv] = interpreter(args.text("language"));
            ExecOptions exec = exec_options(args, options);
            exec.stdin_data = args.text("code");
            if (args.has("name")) {
              if (args.has("image") || args.has("network"))
                throw microsandbox::Error(microsandbox::ErrorKind::kInvalidArgument,
                                          "image and network apply to a fresh sandbox, not to "
                                          "the named one");
              ExecOutput output = Sandbox::connect(args.text("name")).exec(cmd, argv, exec);
              return output_result(output, args, options);
            }
            auto image = options.code_images.find(args.text("language"));
            return run_in_fresh_sandbox(args.text("image", image->second), args, options, cmd, argv,
                                        exec);
          }};
}

}  // namespace

std::vector<Tool> exec_tools(const McpOptions& options) {
  return {exec_tool(options), shell_tool(options), run_tool(options), run_code_tool(options)};
}

}  // namespace msb::mcp
