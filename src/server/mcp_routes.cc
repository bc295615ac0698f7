#include "server/mcp_routes.h"

#include <atomic>
#include <cctype>
#include <string>

#include "common/defer.h"

namespace msb::server {

namespace {

std::string rpc_error_body(int code, const std::string& message) {
  return mcp::serialize(mcp::error_message({nullptr, code, message, nullptr}));
}

ApiResponse rpc_error(int status, int code, const std::string& message) {
  return ApiResponse{status, "application/json", rpc_error_body(code, message)};
}

std::string header(const ApiRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? "" : it->second;
}

// SECURITY: a browser page on another origin must not drive the server (DNS rebinding); the
// token already stops it, and the protocol asks servers to check Origin as well. Clients
// that are not browsers send none.
bool local_origin(const std::string& origin) {
  if (origin.empty()) return true;
  for (const char* allowed : {"http://127.0.0.1", "http://localhost", "http://[::1]",
                              "https://127.0.0.1", "https://localhost", "https://[::1]"}) {
    std::string prefix(allowed);
    if (origin == prefix || (origin.starts_with(prefix) && origin[prefix.size()] == ':'))
      return true;
  }
  return false;
}

// MCP calls at once over HTTP: a tool call holds one of the server's worker threads (16)
// for as long as its command runs, so past this many the rest of the API would wait.
constexpr int kMaxConcurrentCalls = 8;
std::atomic<int> calls_in_progress{0};

ApiResponse post(const mcp::McpServer& server, const ApiRequest& request) {
  if (!local_origin(header(request, "origin")))
    return rpc_error(403, mcp::rpc_code::kInvalidRequest, "Forbidden: origin not allowed");
  std::string content_type = header(request, "content-type");
  for (char& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (content_type.find("application/json") == std::string::npos)
    return rpc_error(415, mcp::rpc_code::kInvalidRequest,
                     "Unsupported Media Type: Content-Type must be application/json");
  if (calls_in_progress.fetch_add(1) >= kMaxConcurrentCalls) {
    --calls_in_progress;
    ApiResponse busy = rpc_error(503, -32000, "Server busy: too many MCP calls at once");
    busy.headers.emplace_back("Retry-After", "1");
    return busy;
  }
  MSB_DEFER { --calls_in_progress; };
  mcp::Connection connection;
  connection.http_headers = &request.headers;
  mcp::McpAnswer answer = server.handle(request.body, connection);
  if (!answer.message) return ApiResponse{202, "application/json", ""};
  return ApiResponse{answer.http_status, "application/json", mcp::serialize(*answer.message)};
}

ApiResponse not_allowed(const ApiRequest&) {
  ApiResponse response = rpc_error(405, -32000, "Method not allowed: use POST");
  response.headers.emplace_back("Allow", "POST");
  return response;
}

}  // namespace

void add_mcp_routes(Router& router, const mcp::McpServer& server) {
  router.add("POST", "/mcp", "mcpPost",
             [&server](const ApiRequest& request) { return post(server, request); });
  router.add("GET", "/mcp", "mcpGet", not_allowed);
  router.add("DELETE", "/mcp", "mcpDelete", not_allowed);
}

}  // namespace msb::server
