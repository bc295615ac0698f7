#include "mcp/tool.h"

#include <gtest/gtest.h>

namespace msb::mcp {
namespace {

using nlohmann::json;

std::vector<Param> params() {
  return {{"name", ParamType::kString, "Sandbox name", true},
          {"count", ParamType::kInteger, "How many", false, {}, 1, 10},
          {"mode", ParamType::kString, "Mode", false, {"fast", "slow"}},
          {"force", ParamType::kBoolean, "Force"},
          {"env", ParamType::kStringMap, "Env"},
          {"args", ParamType::kStringArray, "Args"}};
}

std::string check_error(const json& arguments) {
  Result<ToolArgs> args = ToolArgs::check(params(), arguments);
  return args ? "" : args.error().message;
}

TEST(ToolArgs, AcceptsEveryTypeAndReadsItBack) {
  Result<ToolArgs> args = ToolArgs::check(params(), {{"name", "job"},
                                                     {"count", 3},
                                                     {"mode", "slow"},
                                                     {"force", true},
                                                     {"env", {{"A", "1"}}},
                                                     {"args", {"x", "y"}}});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->text("name"), "job");
  EXPECT_EQ(args->integer("count", 0), 3);
  EXPECT_EQ(args->text("mode"), "slow");
  EXPECT_TRUE(args->flag("force"));
  EXPECT_EQ(args->string_map("env").at("A"), "1");
  EXPECT_EQ(args->strings("args"), (std::vector<std::string>{"x", "y"}));
}

TEST(ToolArgs, MissingOptionalsAndNullsFallBack) {
  Result<ToolArgs> args = ToolArgs::check(params(), {{"name", "job"}, {"count", nullptr}});
  ASSERT_TRUE(args);
  EXPECT_FALSE(args->has("count"));
  EXPECT_EQ(args->integer("count", 7), 7);
  EXPECT_FALSE(args->flag("force"));
  EXPECT_TRUE(args->string_map("env").empty());
  EXPECT_EQ(args->optional_text("mode"), std::nullopt);
}

TEST(ToolArgs, NullArgumentsAreAnEmptyObject) {
  EXPECT_EQ(check_error(nullptr), "argument name: required but missing");
}

TEST(ToolArgs, RejectsWhatTheSchemaForbids) {
  EXPECT_EQ(check_error(json::array()), "arguments: must be an object");
  EXPECT_EQ(check_error({{"count", 1}}), "argument name: required but missing");
  EXPECT_EQ(check_error({{"name", 5}}), "argument name: must be a string");
  EXPECT_EQ(check_error({{"name", "x"}, {"count", 1.5}}), "argument count: must be an integer");
  EXPECT_EQ(check_error({{"name", "x"}, {"count", "3"}}), "argument count: must be an integer");
  EXPECT_EQ(check_error({{"name", "x"}, {"count", 11}}), "argument count: must be from 1 to 10");
  EXPECT_EQ(check_error({{"name", "x"}, {"count", 0}}), "argument count: must be from 1 to 10");
  EXPECT_EQ(check_error({{"name", "x"}, {"count", 18446744073709551615ull}}),
            "argument count: too large");
  EXPECT_EQ(check_error({{"name", "x"}, {"mode", "medium"}}),
            "argument mode: must be one of fast, slow");
  EXPECT_EQ(check_error({{"name", "x"}, {"force", "yes"}}),
            "argument force: must be true or false");
  EXPECT_EQ(check_error({{"name", "x"}, {"env", {{"A", 1}}}}),
            "argument env: must be an object of strings");
  EXPECT_EQ(check_error({{"name", "x"}, {"args", {"a", 2}}}),
            "argument args: must be an array of strings");
  EXPECT_EQ(check_error({{"name", "x"}, {"extra", 1}}), "argument extra: unknown");
}

TEST(Tool, DefinitionIsTheSchemaOfItsParameters) {
  Tool tool{"demo", "Demo", "Does a demo thing.", params(), {true, false, true, false}, nullptr};
  json definition = tool.definition();
  EXPECT_EQ(definition["name"], "demo");
  EXPECT_EQ(definition["inputSchema"]["type"], "object");
  EXPECT_EQ(definition["inputSchema"]["additionalProperties"], false);
  EXPECT_EQ(definition["inputSchema"]["required"], json::array({"name"}));
  const json& properties = definition["inputSchema"]["properties"];
  EXPECT_EQ(
      properties["count"],
      json({{"type", "integer"}, {"minimum", 1}, {"maximum", 10}, {"description", "How many"}}));
  EXPECT_EQ(properties["mode"]["enum"], json::array({"fast", "slow"}));
  EXPECT_EQ(properties["env"]["additionalProperties"]["type"], "string");
  EXPECT_EQ(properties["args"]["items"]["type"], "string");
  EXPECT_EQ(definition["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(definition["annotations"]["destructiveHint"], false);
}

}  // namespace
}  // namespace msb::mcp
