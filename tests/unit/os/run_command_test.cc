#include "os/run_command.h"

#include <gtest/gtest.h>

namespace msb::os {
namespace {

TEST(RunCommand, ReturnsStdoutAndStderr) {
  Result<std::string> out = run_command({"sh", "-c", "echo out; echo err >&2"});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, "out\nerr\n");
}

TEST(RunCommand, FailureCarriesTheExitCodeAndOutput) {
  Result<std::string> out = run_command({"sh", "-c", "echo broken; exit 4"});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().kind, ErrorKind::kIo);
  EXPECT_NE(out.error().message.find("exited with 4: broken"), std::string::npos)
      << out.error().message;
}

TEST(RunCommand, MissingToolIsNotFound) {
  EXPECT_EQ(run_command({"msb-no-such-tool"}).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
