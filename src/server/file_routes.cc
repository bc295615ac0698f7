#include "server/file_routes.h"

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/exec_request.h"
#include "server/json_views.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using microsandbox::FileType;
using nlohmann::json;

std::string guest_path(const ApiRequest& request, const std::string& key = "path") {
  std::string path = request.query_value(key);
  if (path.empty() || path.front() != '/')
    throw Error(ErrorKind::kInvalidArgument,
                "query " + key + ": an absolute guest path is required");
  return path;
}

uint32_t query_mode(const ApiRequest& request, uint32_t fallback) {
  std::string text = request.query_value("mode");
  if (text.empty()) return fallback;
  if (text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    throw Error(ErrorKind::kInvalidArgument, "query mode: octal permission bits, e.g. 0644");
  return static_cast<uint32_t>(std::stoul(text, nullptr, 8));
}

json stat_json(const microsandbox::FileStat& stat) {
  return {{"exists", stat.exists},
          {"type", microsandbox::file_type_name(stat.type)},
          {"mode", stat.mode},
          {"size", stat.size},
          {"mtime", rfc3339(stat.mtime)},
          {"uid", stat.uid},
          {"gid", stat.gid}};
}

// A piece of an upload: read from the client, then written to the sandbox.
constexpr size_t kUploadChunkBytes = 1 << 20;

void remove_quietly(microsandbox::SandboxFs& fs, const std::string& path) {
  try {
    fs.remove(path);
  } catch (const Error&) {
    // Gone already, or the sandbox is: the upload's own error is the one to report.
  }
}

microsandbox::SandboxFs fs_of(ApiState& state, const ApiRequest& request) {
  SandboxHandles::Lease sandbox = state.handles.borrow(request.params.at("name"));
  return sandbox->fs();
}

ApiResponse download(ApiState& state, const ApiRequest& request) {
  std::string path = guest_path(request);
  auto fs = std::make_shared<microsandbox::SandboxFs>(fs_of(state, request));
  // Errors before the first byte: a missing file is a 404, not a cut-off stream.
  microsandbox::FileStat stat = fs->stat(path);
  if (!stat.exists) throw Error(ErrorKind::kNotFound, path + ": no such file or directory");
  if (stat.type != FileType::kFile)
    throw Error(ErrorKind::kInvalidArgument, path + ": not a regular file");
  ApiResponse response{200, "application/octet-stream", ""};
  response.stream = [fs, path](const std::function<bool(std::string_view)>& send) {
    struct ClientGone {};
    try {
      fs->read_stream(path, [&](std::string_view chunk) {
        if (!send(chunk)) throw ClientGone{};  // cancels the sandbox's read
      });
    } catch (const ClientGone&) {
    } catch (const Error&) {
      // Failed mid-way: the chunked body ends without its last chunk, which tells the client.
    }
  };
  return response;
}

// The body into `path`. Streamed (request.read_body) and not appending, it goes to a
// sibling temporary file renamed over `path` once complete, so an upload cut short leaves
// neither a partial file nor a damaged old one; the temporary file is removed.
ApiResponse upload(ApiState& state, const ApiRequest& request) {
  std::string path = guest_path(request);
  microsandbox::WriteOptions options;
  options.mode = query_mode(request, 0644);
  options.append = query_flag(request, "append");
  microsandbox::SandboxFs fs = fs_of(state, request);
  if (!request.read_body) {
    fs.write(path, request.body, options);
    return json_response(200, {{"path", path}, {"bytes", request.body.size()}});
  }
  static std::atomic<uint64_t> uploads{0};
  std::string target = options.append ? path : path + ".msb-upload-" + std::to_string(++uploads);
  uint64_t bytes = 0;
  try {
    microsandbox::FileWriter writer = fs.open_write(target, options);
    // The body arrives in socket-sized pieces; the sandbox is written in whole chunks,
    // since each write waits for the agent.
    std::vector<char> chunk(kUploadChunkBytes);
    size_t filled = 0;
    while (size_t got = request.read_body(chunk.data() + filled, chunk.size() - filled)) {
      filled += got;
      bytes += got;
      if (filled < chunk.size()) continue;
      writer.write(std::string_view(chunk.data(), filled));
      filled = 0;
    }
    if (filled > 0) writer.write(std::string_view(chunk.data(), filled));
    writer.close();
    if (target != path) fs.rename(target, path);
  } catch (const Error&) {
    if (target != path) remove_quietly(fs, target);
    throw;
  }
  return json_response(200, {{"path", path}, {"bytes", bytes}});
}

}  // namespace

void add_file_routes(Router& router, ApiState& state) {
  router.add("GET", "/v1/sandboxes/{name}/files", "downloadFile",
             [&state](const ApiRequest& request) { return download(state, request); });
  router.add_streaming("PUT", "/v1/sandboxes/{name}/files", "uploadFile",
                       [&state](const ApiRequest& request) { return upload(state, request); });
  router.add("DELETE", "/v1/sandboxes/{name}/files", "removeFile",
             [&state](const ApiRequest& request) {
               std::string path = guest_path(request);
               microsandbox::SandboxFs fs = fs_of(state, request);
               if (query_flag(request, "recursive"))
                 fs.remove_dir(path, true);
               else
                 fs.remove(path);
               return ApiResponse{204, "application/json", ""};
             });
  router.add("GET", "/v1/sandboxes/{name}/fs/list", "listFiles",
             [&state](const ApiRequest& request) {
               std::string path = guest_path(request);
               json entries = json::array();
               for (const microsandbox::DirEntry& entry : fs_of(state, request).list(path)) {
                 json item = {{"name", entry.name},
                              {"type", microsandbox::file_type_name(entry.type)},
                              {"mode", entry.mode},
                              {"size", entry.size},
                              {"mtime", rfc3339(entry.mtime)}};
                 if (entry.type == FileType::kSymlink) item["link_target"] = entry.link_target;
                 entries.push_back(std::move(item));
               }
               return json_response(200, {{"path", path}, {"entries", entries}});
             });
  router.add("GET", "/v1/sandboxes/{name}/fs/stat", "statFile",
             [&state](const ApiRequest& request) {
               std::string path = guest_path(request);
               return json_response(200, stat_json(fs_of(state, request).stat(path)));
             });
  router.add("POST", "/v1/sandboxes/{name}/fs/mkdir", "makeDirectory",
             [&state](const ApiRequest& request) {
               json body = body_object(request);
               if (!body.contains("path") || !body["path"].is_string())
                 throw Error(ErrorKind::kInvalidArgument,
                             "request body: path: a string is required");
               fs_of(state, request)
                   .mkdir(body["path"].get<std::string>(), body.value("parents", false),
                          body.value("mode", 0755u));
               return ApiResponse{204, "application/json", ""};
             });
  router.add("POST", "/v1/sandboxes/{name}/fs/rename", "renameFile",
             [&state](const ApiRequest& request) {
               json body = body_object(request);
               if (!body.contains("from") || !body["from"].is_string() || !body.contains("to") ||
                   !body["to"].is_string())
                 throw Error(ErrorKind::kInvalidArgument, "request body: from and to: strings");
               fs_of(state, request)
                   .rename(body["from"].get<std::string>(), body["to"].get<std::string>());
               return ApiResponse{204, "application/json", ""};
             });
}

}  // namespace msb::server
