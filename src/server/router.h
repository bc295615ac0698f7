// Router: the API's route table. Patterns are paths with {param} segments
// ("/v1/sandboxes/{name}/stop"); a segment matches one percent-decoded path segment. Each
// route has the operationId the OpenAPI document (docs/api/openapi.json) gives it, which a
// test checks in both directions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/api_types.h"

namespace msb::server {

using Handler = std::function<ApiResponse(const ApiRequest& request)>;

struct Route {
  std::string method;
  std::string pattern;
  std::string operation_id;
  Handler handler;
  bool streams_body = false;  // the body comes through ApiRequest::read_body
};

class Router {
 public:
  void add(std::string method, std::string pattern, std::string operation_id, Handler handler);
  // A route whose handler reads its body as it arrives (ApiRequest::read_body), past the
  // body limit: an upload.
  void add_streaming(std::string method, std::string pattern, std::string operation_id,
                     Handler handler);

  // Whether the route for `method` `path` streams its body (false when there is none).
  bool streams_body(const std::string& method, const std::string& path) const;

  // Runs the matching route with request.params filled. No route for the path: 404; the
  // path exists for other methods: 405. A handler's microsandbox::Error becomes its JSON
  // error (api_error.h); a body that is not valid JSON, 400; any other exception, 500.
  ApiResponse dispatch(ApiRequest request) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// "a%2Fb" -> "a/b" into `out`; false for a malformed escape ("%", "%4", "%zz").
bool percent_decode(const std::string& text, std::string& out);

}  // namespace msb::server
