#include "server/http_messages.h"

#include <cctype>

#include "server/api_error.h"
#include "server/router.h"

namespace msb::server {

namespace http = boost::beast::http;

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    std::string raw_key(pair.substr(0, eq));
    std::string raw_value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    for (char& c : raw_key) c = c == '+' ? ' ' : c;
    for (char& c : raw_value) c = c == '+' ? ' ' : c;
    if (percent_decode(raw_key, key) && percent_decode(raw_value, value))
      out.emplace(std::move(key), std::move(value));
  }
  return out;
}

std::string target_path(const HttpHeader& header) {
  std::string_view target(header.target().data(), header.target().size());
  return std::string(target.substr(0, target.find('?')));
}

ApiRequest to_api_request(const HttpHeader& header) {
  ApiRequest api;
  api.method = std::string(header.method_string());
  std::string_view target(header.target().data(), header.target().size());
  size_t question = target.find('?');
  api.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) api.query = parse_query(target.substr(question + 1));
  for (const auto& field : header) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "authorization") continue;
    std::string& value = api.headers[name];
    value += (value.empty() ? "" : ", ") + std::string(field.value());
  }
  return api;
}

HttpResponse to_http(const ApiResponse& api, unsigned version, bool keep_alive) {
  HttpResponse response{static_cast<http::status>(api.status), version};
  response.set(http::field::server, "msb-server");
  if (!api.body.empty() || api.status != 204) {
    response.set(http::field::content_type, api.content_type);
    response.body() = api.body;
  }
  for (const auto& [name, value] : api.headers) response.set(name, value);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

ApiResponse rate_limited(std::chrono::seconds wait) {
  ApiResponse response = error_response(
      429, "rate-limited",
      "too many requests for this token; retry after " + std::to_string(wait.count()) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

ApiResponse body_too_large(uint64_t limit) {
  return error_response(413, "invalid-argument",
                        "request body over the limit of " + std::to_string(limit) + " bytes");
}

}  // namespace msb::server
