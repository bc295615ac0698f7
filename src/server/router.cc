#include "server/router.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "microsandbox/error.h"
#include "server/api_error.h"

namespace msb::server {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Whether `path` matches `pattern`; fills `params`. Segments are decoded after splitting,
// so "%2F" inside a parameter stays inside it.
bool match(const std::string& pattern, const std::string& path,
           std::map<std::string, std::string>& params) {
  std::vector<std::string> want = split_path(pattern);
  std::vector<std::string> got = split_path(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    std::string segment;
    if (!percent_decode(got[i], segment)) return false;
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (segment.empty()) return false;
      found[want[i].substr(1, want[i].size() - 2)] = std::move(segment);
    } else if (want[i] != segment) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

bool percent_decode(const std::string& text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

void Router::add(std::string method, std::string pattern, std::string operation_id,
                 Handler handler) {
  routes_.push_back(
      Route{std::move(method), std::move(pattern), std::move(operation_id), std::move(handler)});
}

void Router::add_streaming(std::string method, std::string pattern, std::string operation_id,
                           Handler handler) {
  add(std::move(method), std::move(pattern), std::move(operation_id), std::move(handler));
  routes_.back().streams_body = true;
}

bool Router::streams_body(const std::string& method, const std::string& path) const {
  // Only the streaming routes are matched: this runs for every request.
  for (const Route& route : routes_) {
    if (!route.streams_body || route.method != method) continue;
    std::map<std::string, std::string> params;
    if (match(route.pattern, path, params)) return true;
  }
  return false;
}

ApiResponse Router::dispatch(ApiRequest request) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route.pattern, request.path, params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.params = std::move(params);
    try {
      return route.handler(request);
    } catch (const microsandbox::Error& error) {
      return error_response(error);
    } catch (const nlohmann::json::exception& error) {
      return error_response(400, "invalid-argument",
                            std::string("request body: not the expected JSON: ") + error.what());
    } catch (const std::exception& error) {
      return error_response(500, "internal", error.what());
    }
  }
  if (path_known)
    return error_response(405, "invalid-argument",
                          request.method + " is not allowed on " + request.path);
  return error_response(404, "not-found", "no such route: " + request.path);
}

}  // namespace msb::server
