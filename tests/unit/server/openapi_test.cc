// Every route of the API is in docs/api/openapi.json with its operationId, and every
// operation the document lists is a route.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "server/api.h"
#include "server/openapi_document.h"

namespace msb::server {
namespace {

using Operation = std::pair<std::string, std::string>;  // "GET /v1/x", operationId

TEST(OpenApiTest, DocumentAndRoutesListTheSameOperations) {
  nlohmann::json document = nlohmann::json::parse(openapi_document());
  EXPECT_EQ(document["openapi"], "3.1.0");
  std::set<Operation> documented;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper;
      for (char c : method) upper += static_cast<char>(std::toupper(c));
      documented.insert({upper + " " + path, operation["operationId"]});
    }
  }
  Router router;
  ApiState state;
  add_api_routes(router, state);
  std::set<Operation> routed;
  for (const Route& route : router.routes())
    routed.insert({route.method + " " + route.pattern, route.operation_id});
  EXPECT_EQ(documented, routed);
}

TEST(OpenApiTest, OperationIdsAreUniqueAndEveryRefResolves) {
  nlohmann::json document = nlohmann::json::parse(openapi_document());
  std::set<std::string> ids;
  for (const auto& [path, item] : document["paths"].items())
    for (const auto& [method, operation] : item.items())
      EXPECT_TRUE(ids.insert(operation["operationId"].get<std::string>()).second) << path;
  // Every "$ref" points at something the document defines.
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        std::string ref = node["$ref"];
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
        nlohmann::json::json_pointer pointer(ref.substr(1));
        EXPECT_TRUE(document.contains(pointer)) << ref;
      }
      for (const auto& [key, value] : node.items()) walk(value);
    } else if (node.is_array()) {
      for (const auto& value : node) walk(value);
    }
  };
  walk(document);
}

}  // namespace
}  // namespace msb::server
