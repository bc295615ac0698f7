// A minimal HTTP client for the API tests (libcurl): one request, status and body back.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace msb::testing {

struct HttpReply {
  long status = 0;  // 0: no answer (connection failed, timed out)
  std::string body;
  std::string error;                           // libcurl's, when status is 0
  std::map<std::string, std::string> headers;  // by lower-cased name
};

// `method` `url` with `body` (JSON) and `Authorization: Bearer <token>` unless token is empty.
// An https URL is verified against `ca_file` (PEM) when given.
HttpReply http_request(const std::string& method, const std::string& url, const std::string& token,
                       const std::string& body = "", long timeout_seconds = 300,
                       const std::string& ca_file = "");

// GET `url` (POST `post_body` as JSON when it is not empty), accepting text/event-stream, and hand
// each piece of the body to `on_data` as it arrives; on_data returning false drops the connection
// (a client that goes away). Returns the status (0: failed).
long http_stream(const std::string& url, const std::string& token,
                 const std::function<bool(const std::string&)>& on_data, long timeout_seconds = 600,
                 const std::string& post_body = "", const std::string& ca_file = "");

}  // namespace msb::testing
