// docs/api/openapi.json, compiled in (CMake reads it at configure time; editing the file
// re-runs the configure step). Served at GET /openapi.json.
#pragma once

#include <string_view>

namespace msb::server {

std::string_view openapi_document();

}  // namespace msb::server
