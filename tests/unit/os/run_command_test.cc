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

TEST(RunCommandWithInput, FeedsStdinAndKeepsStdoutAndStderrApart) {
  std::string input(300000, 'x');  // more than a pipe or socket buffer
  Result<CommandOutput> ran = run_command_with_input({"sh", "-c", "wc -c; echo note >&2; exit 3"},
                                                     input, std::chrono::seconds(30));
  ASSERT_TRUE(ran.has_value()) << ran.error().message;
  EXPECT_EQ(ran->out, "300000\n");
  EXPECT_EQ(ran->err, "note\n");
  EXPECT_EQ(ran->status.code, 3);
}

TEST(RunCommandWithInput, AToolThatNeverReadsItsStdinNeitherBlocksNorKillsUs) {
  Result<CommandOutput> ran = run_command_with_input(
      {"sh", "-c", "exec 0<&-; echo done"}, std::string(1 << 20, 'y'), std::chrono::seconds(30));
  ASSERT_TRUE(ran.has_value()) << ran.error().message;
  EXPECT_EQ(ran->out, "done\n");
}

TEST(RunCommandWithInput, OutputIsCappedAndASlowToolTimesOut) {
  Result<CommandOutput> capped = run_command_with_input({"sh", "-c", "head -c 100000 /dev/zero"},
                                                        "", std::chrono::seconds(30), 1000);
  ASSERT_TRUE(capped.has_value()) << capped.error().message;
  EXPECT_EQ(capped->out.size(), 1000u);
  Result<CommandOutput> slow =
      run_command_with_input({"sleep", "30"}, "", std::chrono::milliseconds(200));
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(run_command_with_input({"msb-no-such-tool"}, "", std::chrono::seconds(1)).error().kind,
            ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
