// A small libcurl HTTP GET client for the registry client: one exchange per call (no
// redirect following, no retries, no auth logic: the caller decides), handles pooled so
// connections are reused, safe to call from several threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace msb::image {

struct CurlApi;

struct HttpResponse {
  long status = 0;  // 0 when the exchange failed before a status line
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names, in order
  std::string body;          // error bodies and bodies without a sink (capped)
  std::string redirect_url;  // absolute Location of a 3xx
  // Set when the transfer failed (connect, TLS, cut connection, stall, aborted by sink).
  int curl_code = 0;
  std::string transport_error;
  bool body_too_large = false;

  // The first value of header `name` (lowercase), or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
};

// Receives the body of a 2xx response instead of HttpResponse::body. `begin` is called
// once, before the first chunk, with the status and headers; returning false (or false
// from `write`) aborts the transfer.
struct BodySink {
  std::function<bool(const HttpResponse&)> begin;
  std::function<bool(std::string_view)> write;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<uint64_t> range_start;
  const BodySink* sink = nullptr;
  size_t body_limit = 1 << 20;  // for bodies kept in memory
};

struct HttpOptions {
  bool allow_plain_http = false;
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::seconds stall_timeout{60};  // abort when no byte arrived for this long
  std::string user_agent = "microsandbox/" MSB_VERSION;
};

struct UrlParts {
  std::string scheme, host, port;
  // "host:port" with the scheme's default port filled in.
  std::string authority() const { return host + ":" + port; }
};
// Splits an absolute URL. kInvalidArgument when it does not parse.
Result<UrlParts> parse_url(const std::string& url);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

class HttpClient {
 public:
  // Loads libcurl if no client did yet (image/curl_api.h). Errors: kUnsupported when
  // libcurl is missing, kInternal when it cannot be initialized.
  static Result<std::unique_ptr<HttpClient>> create(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One GET. Transport failures come back in the response (transport_error), so the
  // caller can retry them; an Error only for setup failures. Thread-safe.
  Result<HttpResponse> get(const HttpRequest& request);
  bool allow_plain_http() const { return options_.allow_plain_http; }

 private:
  HttpClient(const CurlApi* curl, HttpOptions options)
      : curl_(curl), options_(std::move(options)) {}
  void* take_handle();
  void return_handle(void* handle);

  const CurlApi* curl_;
  HttpOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_handles_;  // CURL*, GUARDED_BY(mutex_)
};

}  // namespace msb::image
