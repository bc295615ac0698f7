#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/runtime_main.h"

namespace msb::runtime {
namespace {

Error parse_error(const std::vector<std::string>& args) {
  Result<RuntimeArgs> parsed = parse_runtime_args(args);
  EXPECT_FALSE(parsed.has_value());
  return parsed ? Error{} : parsed.error();
}

TEST(RuntimeArgs, ParsesAllFlags) {
  Result<RuntimeArgs> parsed =
      parse_runtime_args({"--name", "box", "--status-fd", "5", "--watchdog-fd", "17"});
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->name, "box");
  EXPECT_EQ(parsed->status_fd, 5);
  EXPECT_EQ(parsed->watchdog_fd, 17);
}

TEST(RuntimeArgs, DescriptorsAreOptional) {
  Result<RuntimeArgs> parsed = parse_runtime_args({"--name", "box"});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->name, "box");
  EXPECT_EQ(parsed->status_fd, -1);
  EXPECT_EQ(parsed->watchdog_fd, -1);
}

TEST(RuntimeArgs, NameIsRequired) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"--status-fd", "3"}, {"--name", ""}}) {
    Error error = parse_error(args);
    EXPECT_EQ(error.kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(error.message.find("--name"), std::string::npos) << error.message;
  }
}

TEST(RuntimeArgs, DescriptorMustBeANumberOfThreeOrMore) {
  for (const char* flag : {"--status-fd", "--watchdog-fd"}) {
    for (const char* value : {"abc", "", "4x", " 4", "-1", "0", "2", "99999999999"}) {
      Error error = parse_error({"--name", "box", flag, value});
      EXPECT_EQ(error.kind, ErrorKind::kInvalidArgument) << flag << " " << value;
      EXPECT_NE(error.message.find(flag), std::string::npos) << error.message;
    }
  }
  Result<RuntimeArgs> three = parse_runtime_args({"--name", "box", "--status-fd", "3"});
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(three->status_fd, 3);
}

TEST(RuntimeArgs, UnknownFlagIsRefused) {
  Error error = parse_error({"--name", "box", "--verbose", "1"});
  EXPECT_EQ(error.kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(error.message.find("--verbose"), std::string::npos) << error.message;
}

TEST(RuntimeArgs, FlagWithoutValueIsRefused) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--name"},
                                               {"--name", "box", "--status-fd"},
                                               {"--name", "box", "--verbose"}}) {
    Error error = parse_error(args);
    EXPECT_EQ(error.kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(error.message.find(args.back()), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace msb::runtime
