// Sandbox::attach without a terminal (the tmux tests in cli_shell_test.cc drive the
// terminal side through `msb shell`, which runs on the same code).
#include <gtest/gtest.h>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::AttachOptions;
using microsandbox::AttachResult;

class SdkAttach : public SandboxSuite {};

AttachOptions without_tty() {
  AttachOptions options;
  options.tty = false;
  return options;
}

TEST_F(SdkAttach, ReturnsTheExitCodeOrTheSignal) {
  AttachResult exited = sandbox().attach("/bin/sh", {"-c", "exit 7"}, without_tty());
  EXPECT_FALSE(exited.detached);
  EXPECT_EQ(exited.exit_code, 7);
  EXPECT_EQ(exited.status(), 7);
  AttachResult killed = sandbox().attach("/bin/sh", {"-c", "kill -TERM $$"}, without_tty());
  EXPECT_EQ(killed.signal, 15);
  EXPECT_EQ(killed.status(), 143);
}

TEST_F(SdkAttach, UsesTheOptionsForTheProcess) {
  AttachOptions options = without_tty();
  options.env = {{"ATTACH_PROBE", "42"}};
  options.cwd = "/tmp";
  options.user = "65534";
  AttachResult result = sandbox().attach(
      "/bin/sh", {"-c", "[ \"$ATTACH_PROBE:$(pwd):$(id -u)\" = 42:/tmp:65534 ]"}, options);
  EXPECT_EQ(result.status(), 0);
}

TEST_F(SdkAttach, BadDetachKeysThrowInvalidArgumentBeforeTheProcessStarts) {
  AttachOptions options = without_tty();
  options.detach_keys = "ctrl-p,meta-q";
  microsandbox::Error error = error_of([&] {
    sandbox().attach("/bin/sh", {"-c", "touch /tmp/attach-started"}, options);
  });
  EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("unknown key 'meta-q'"), std::string::npos)
      << error.what();
  EXPECT_FALSE(sandbox().fs().exists("/tmp/attach-started"));
}

}  // namespace
}  // namespace msb::testing
