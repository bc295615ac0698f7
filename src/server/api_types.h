// One API request and its answer, independent of the HTTP library that carries them: the
// routes are plain functions from ApiRequest to ApiResponse, testable without a socket.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msb::server {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/sandboxes/job", without the query
  std::multimap<std::string, std::string> query;
  std::string body;
  // Routes added with Router::add_streaming get their body piece by piece instead of in
  // `body`: read_body reads the next piece into `buffer` (at most `size` bytes) and returns
  // its length, or 0 at the end of the body. It blocks until bytes arrive, and throws
  // microsandbox::Error when the client goes away or is too slow (kIo) or the body is over
  // the upload limit (kInvalidArgument; the transport answers 413). Empty for other routes.
  std::function<size_t(char* buffer, size_t size)> read_body;
  // Header fields by lower-cased name (a repeated field: its values joined by ", ").
  std::map<std::string, std::string> headers;
  // Filled by the router from the matched pattern: {"name": "job"} for /v1/sandboxes/{name}.
  std::map<std::string, std::string> params;

  // The first value of query parameter `key`, or `fallback`.
  std::string query_value(const std::string& key, const std::string& fallback = "") const {
    auto it = query.find(key);
    return it == query.end() ? fallback : it->second;
  }
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Routes added with Router::add_streaming get their body piece by piece instead of in
  // `body`: read_body reads the next piece into `buffer` (at most `size` bytes) and returns
  // its length, or 0 at the end of the body. It blocks until bytes arrive, and throws
  // microsandbox::Error when the client goes away or is too slow (kIo) or the body is over
  // the upload limit (kInvalidArgument; the transport answers 413). Empty for other routes.
  std::function<size_t(char* buffer, size_t size)> read_body;
  // Header fields to send besides Content-Type ("Allow" on a 405, ...).
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed answer (Server-Sent Events) instead of `body`: called on a thread of its own
  // once the header is sent; `send` writes one chunk and returns false when the client is
  // gone or too slow (the write timeout). The connection closes after it returns.
  std::function<void(const std::function<bool(std::string_view)>& send)> stream;
};

}  // namespace msb::server
