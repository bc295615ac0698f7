// Between Beast's HTTP messages and the routes' ApiRequest/ApiResponse (api_types.h).
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "server/api_types.h"

namespace msb::server {

using HttpHeader = boost::beast::http::request_header<>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// "a=1&b=x%2Fy" -> {a: 1, b: x/y} ('+' is a space); a malformed escape drops its pair.
std::multimap<std::string, std::string> parse_query(std::string_view query);

// The request line and header fields as an ApiRequest, without the body. The
// Authorization field is left out: the transport checks it, and no route needs the token.
ApiRequest to_api_request(const HttpHeader& header);

// The path of the request target, without its query.
std::string target_path(const HttpHeader& header);

HttpResponse to_http(const ApiResponse& api, unsigned version, bool keep_alive);

// 429 rate-limited with Retry-After: `wait`.
ApiResponse rate_limited(std::chrono::seconds wait);
// 413 for a body over `limit` bytes.
ApiResponse body_too_large(uint64_t limit);

}  // namespace msb::server
