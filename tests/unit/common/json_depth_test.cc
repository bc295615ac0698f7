#include "common/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace msb {
namespace {

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonDepth, CountsArraysAndObjectsUpToTheLimit) {
  EXPECT_FALSE(json_nests_deeper_than("{}", 1));
  EXPECT_FALSE(json_nests_deeper_than(nested(64), 64));
  EXPECT_TRUE(json_nests_deeper_than(nested(65), 64));
  EXPECT_TRUE(json_nests_deeper_than(R"({"a":{"b":[1]}})", 2));
  EXPECT_FALSE(json_nests_deeper_than(R"({"a":{"b":[1]}})", 3));
  // Siblings do not add up.
  EXPECT_FALSE(json_nests_deeper_than("[[],[],[[]]]", 3));
}

TEST(JsonDepth, BracketsInStringsDoNotCount) {
  EXPECT_FALSE(json_nests_deeper_than(R"({"text":"[[[[[[[["})", 1));
  EXPECT_FALSE(json_nests_deeper_than(R"(["\"[[[[", "\\"])", 1));
  EXPECT_TRUE(json_nests_deeper_than(R"(["\\", [[]]])", 2));  // the string ends at \\"
}

TEST(JsonDepth, StaysLinearOnAHugeHostileInput) {
  EXPECT_TRUE(json_nests_deeper_than(std::string(1 << 20, '['), 64));
  EXPECT_FALSE(json_nests_deeper_than(std::string(1 << 20, ']'), 64));
}

}  // namespace
}  // namespace msb
