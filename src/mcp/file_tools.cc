#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/base64.h"
#include "common/utc_time.h"
#include "common/utf8.h"
#include "mcp/tool_catalog.h"
#include "microsandbox/sandbox.h"

namespace msb::mcp {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using microsandbox::FileType;
using microsandbox::Sandbox;
using nlohmann::json;

std::string octal(uint32_t mode) { return fmt::format("{:04o}", mode & 07777); }

Param sandbox_param() { return {"name", ParamType::kString, "Sandbox name", true}; }
Param path_param(std::string what) { return {"path", ParamType::kString, std::move(what), true}; }

// The guest path of a call: absolute, as relative paths would depend on the agent's cwd.
std::string guest_path(const ToolArgs& args) {
  std::string path = args.text("path");
  if (path.empty() || path.front() != '/')
    throw Error(ErrorKind::kInvalidArgument, "argument path: must be an absolute guest path");
  return path;
}

ToolResult read(const ToolArgs& args, const McpOptions& options) {
  microsandbox::SandboxFs fs = Sandbox::connect(args.text("name")).fs();
  std::string path = guest_path(args);
  uint64_t offset = static_cast<uint64_t>(args.integer("offset", 0));
  uint64_t limit =
      static_cast<uint64_t>(args.integer("maxBytes", static_cast<int64_t>(options.output_bytes)));
  microsandbox::FileStat stat = fs.stat(path);
  if (!stat.exists) throw Error(ErrorKind::kNotFound, "read " + path + ": no such file");
  if (stat.type != FileType::kFile)
    throw Error(ErrorKind::kInvalidArgument, "read " + path + ": not a regular file");
  // Read one byte past the limit so a file that grew since stat() still says "truncated".
  std::string data = fs.read(path, offset, limit + 1);
  bool truncated = data.size() > limit;
  if (truncated) data.resize(limit);
  // A cut inside a UTF-8 character would send a text file's chunk as base64: end it before
  // that character instead (at most 3 bytes back); `bytes` says where to read on.
  for (size_t cut = 1; truncated && cut <= 3 && cut < data.size() && !valid_utf8(data); ++cut) {
    if (valid_utf8(std::string_view(data).substr(0, data.size() - cut)))
      data.resize(data.size() - cut);
  }
  json result = {{"path", path},
                 {"size", stat.size},
                 {"offset", offset},
                 {"bytes", data.size()},
                 {"truncated", truncated}};
  if (valid_utf8(data)) {
    result["encoding"] = "utf8";
    result["content"] = data;
  } else {
    result["encoding"] = "base64";
    result["content"] = base64_encode(data);
  }
  return {result};
}

ToolResult write(const ToolArgs& args) {
  std::string path = guest_path(args);
  std::string data = args.text("content");
  if (args.text("encoding", "utf8") == "base64") {
    std::optional<std::string> decoded = base64_decode(data);
    if (!decoded) throw Error(ErrorKind::kInvalidArgument, "argument content: not valid base64");
    data = std::move(*decoded);
  }
  microsandbox::WriteOptions write;
  write.append = args.flag("append");
  if (args.has("mode")) {
    std::string mode = args.text("mode");
    if (mode.empty() || mode.size() > 4 || mode.find_first_not_of("01234567") != std::string::npos)
      throw Error(ErrorKind::kInvalidArgument, "argument mode: octal permission bits, e.g. 0644");
    write.mode = static_cast<uint32_t>(std::stoul(mode, nullptr, 8));
  }
  Sandbox::connect(args.text("name")).fs().write(path, data, write);
  return {{{"path", path}, {"bytes", data.size()}, {"append", write.append}}};
}

ToolResult list(const ToolArgs& args) {
  json entries = json::array();
  for (const microsandbox::DirEntry& entry :
       Sandbox::connect(args.text("name")).fs().list(guest_path(args))) {
    json item = {{"name", entry.name},
                 {"type", microsandbox::file_type_name(entry.type)},
                 {"size", entry.size},
                 {"mode", octal(entry.mode)},
                 {"modified", rfc3339_seconds(entry.mtime)}};
    if (!entry.link_target.empty()) item["linkTarget"] = entry.link_target;
    entries.push_back(std::move(item));
  }
  return {{{"path", args.text("path")}, {"entries", entries}}};
}

ToolResult stat(const ToolArgs& args) {
  microsandbox::FileStat stat = Sandbox::connect(args.text("name")).fs().stat(guest_path(args));
  json result = {{"path", args.text("path")}, {"exists", stat.exists}};
  if (stat.exists) {
    result.update({{"type", microsandbox::file_type_name(stat.type)},
                   {"size", stat.size},
                   {"mode", octal(stat.mode)},
                   {"uid", stat.uid},
                   {"gid", stat.gid},
                   {"modified", rfc3339_seconds(stat.mtime)}});
  }
  return {result};
}

ToolResult mkdir(const ToolArgs& args) {
  Sandbox::connect(args.text("name")).fs().mkdir(guest_path(args), args.flag("parents", true));
  return {{{"path", args.text("path")}, {"created", true}}};
}

ToolResult remove(const ToolArgs& args) {
  microsandbox::SandboxFs fs = Sandbox::connect(args.text("name")).fs();
  std::string path = guest_path(args);
  if (args.flag("recursive") && fs.stat(path, false).type == FileType::kDir) {
    fs.remove_dir(path, true);
  } else {
    fs.remove(path);
  }
  return {{{"path", path}, {"removed", true}}};
}

}  // namespace

std::vector<Tool> file_tools(const McpOptions& options) {
  std::vector<Tool> tools;
  tools.push_back(
      {"sandbox_fs_read",
       "Read File",
       "Read a file in a sandbox: text as is, other bytes as base64 (the result's encoding "
       "says which). Large files come back cut at maxBytes; read on with offset.",
       {sandbox_param(),
        path_param("Absolute path of the file"),
        {"offset", ParamType::kInteger, "Byte to start at (default 0)", false, {}, 0, INT64_MAX},
        {"maxBytes",
         ParamType::kInteger,
         fmt::format("Bytes to return at most (default {})", options.output_bytes),
         false,
         {},
         1,
         static_cast<int64_t>(McpOptions::kMaxOutputBytes)}},
       {true, false, true, false},
       [options](const ToolArgs& args) { return read(args, options); }});
  tools.push_back(
      {"sandbox_fs_write",
       "Write File",
       "Write a file in a sandbox (made or replaced; parent directories must exist).",
       {sandbox_param(),
        path_param("Absolute path of the file"),
        {"content", ParamType::kString, "What to write", true},
        {"encoding",
         ParamType::kString,
         "How content is encoded (default utf8)",
         false,
         {"utf8", "base64"}},
        {"append", ParamType::kBoolean, "Append instead of replacing"},
        {"mode", ParamType::kString, "Octal permission bits for a new file, e.g. 0755"}},
       {false, true, false, false},
       write});
  tools.push_back({"sandbox_fs_list",
                   "List Directory",
                   "The entries of a directory in a sandbox, sorted by name.",
                   {sandbox_param(), path_param("Absolute path of the directory")},
                   {true, false, true, false},
                   list});
  tools.push_back({"sandbox_fs_stat",
                   "File Metadata",
                   "Whether a path exists in a sandbox, and its type, size, mode and time.",
                   {sandbox_param(), path_param("Absolute path")},
                   {true, false, true, false},
                   stat});
  tools.push_back({"sandbox_fs_mkdir",
                   "Make Directory",
                   "Make a directory in a sandbox, with its parents unless parents is false.",
                   {sandbox_param(),
                    path_param("Absolute path of the directory"),
                    {"parents", ParamType::kBoolean, "Make missing parents too (default true)"}},
                   {false, false, true, false},
                   mkdir});
  tools.push_back({"sandbox_fs_remove",
                   "Remove Path",
                   "Remove a file, symlink or empty directory in a sandbox; a directory with "
                   "its contents when recursive.",
                   {sandbox_param(),
                    path_param("Absolute path"),
                    {"recursive", ParamType::kBoolean, "Remove a directory with its contents"}},
                   {false, true, true, false},
                   remove});
  return tools;
}

}  // namespace msb::mcp
