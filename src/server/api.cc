#include "server/api.h"

#include <string>

#include "server/exec_routes.h"
#include "server/file_routes.h"
#include "server/image_routes.h"
#include "server/mcp_routes.h"
#include "server/openapi_document.h"

namespace msb::server {

void add_api_routes(Router& router, ApiState& state) {
  router.add("GET", "/openapi.json", "getOpenApi", [](const ApiRequest&) {
    return ApiResponse{200, "application/json", std::string(openapi_document())};
  });
  add_sandbox_routes(router, state);
  add_exec_routes(router, state);
  add_file_routes(router, state);
  add_image_routes(router, state);
  add_mcp_routes(router, state.mcp);
}

}  // namespace msb::server
