// A minimal HTTP client for the API tests (libcurl): one request, status and body back.
#pragma once

#include <string>

namespace msb::testing {

struct HttpReply {
  long status = 0;  // 0: no answer (connection failed, timed out)
  std::string body;
  std::string error;  // libcurl's, when status is 0
};

// `method` `url` with `body` (JSON) and `Authorization: Bearer <token>` unless token is empty.
HttpReply http_request(const std::string& method, const std::string& url, const std::string& token,
                       const std::string& body = "", long timeout_seconds = 300);

}  // namespace msb::testing
