// Rootfs patches on real sandboxes, on each engine: one sandbox created with every kind of
// patch, checked from inside by one shell script, and one create whose patch cannot apply,
// which must leave nothing behind. One sandbox per suite (booting under TCG takes seconds),
// under the suite's own $MSB_HOME.
#include "microsandbox/patch.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "microsandbox/sandbox.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "suite_sandbox.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::Patch;
using microsandbox::Sandbox;

SuiteSandbox& suite() {
  static SuiteSandbox instance;
  return instance;
}

std::string host(const std::string& relative) { return suite().scratch->path() + "/" + relative; }

void write_host(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

// Every kind, in an order where later patches build on earlier ones.
Sandbox create_patched() {
  return Sandbox::builder("patched")
      .isolation(test_isolation())
      .patch(Patch::text("/etc/patched/hello.txt", "hello\n").mode(0600).owner(1000, 1001))
      .patch(Patch::append("/etc/patched/hello.txt", "world\n"))
      .patch(Patch::file("/opt/blob.bin", std::string("\0\x01\xff", 3)))
      .patch(Patch::copy_file(host("app.conf"), "/etc/app.conf"))
      .patch(Patch::copy_dir(host("site"), "/srv/www").owner(33, 33))
      .patch(Patch::mkdir("/var/lib/app/data").mode(0700))
      .patch(Patch::symlink("/etc/app.conf", "/etc/app-link"))
      .patch(Patch::text("/tmp/doomed/file", "x"))
      .patch(Patch::remove("/tmp/doomed"))
      .patch(Patch::remove("/no/such/path"))
      .create();
}

class PatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite().begin("msb-patch-");
    std::filesystem::create_directories(host("site/sub"));
    write_host(host("app.conf"), "from the host\n", 0640);
    write_host(host("site/index.html"), "<h1>hi</h1>\n", 0644);
    write_host(host("site/sub/run.sh"), "#!/bin/sh\n", 0755);
    std::filesystem::create_symlink("index.html", host("site/link"));
    suite().create(create_patched);
  }

  static void TearDownTestSuite() { suite().end(); }
};

TEST_F(PatchTest, EveryKindIsInTheRootBeforeCreateReturns) {
  ASSERT_TRUE(suite().sandbox) << "the sandbox was not created: " << suite().setup_error;
  ExecOutput out = suite().sandbox->shell(
      "cat /etc/patched/hello.txt; stat -c '%a %u:%g' /etc/patched/hello.txt; "
      "wc -c < /opt/blob.bin; stat -c %a /opt/blob.bin; "
      "cat /etc/app.conf; stat -c %a /etc/app.conf; "
      "cat /srv/www/index.html; stat -c '%a %u:%g' /srv/www/sub/run.sh; readlink /srv/www/link; "
      "stat -c '%a %u:%g' /srv/www /var/lib/app/data; readlink /etc/app-link; "
      "test -e /tmp/doomed && echo doomed-present || echo doomed-gone");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data,
            "hello\nworld\n600 1000:1001\n"
            "3\n644\n"
            "from the host\n640\n"
            "<h1>hi</h1>\n755 33:33\nindex.html\n"
            "755 33:33\n700 0:0\n/etc/app.conf\n"
            "doomed-gone\n");
}

TEST_F(PatchTest, APatchThatCannotApplyFailsCreateAndLeavesNothing) {
  try {
    Sandbox::builder("patch-fails")
        .isolation(test_isolation())
        .patch(Patch::text("/etc/first", "one\n"))
        .patch(Patch::text("/etc/first", "two\n").replace(false))
        .create();
    FAIL() << "create succeeded";
  } catch (const microsandbox::Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig);
    EXPECT_EQ(std::string(error.what()).rfind("patch 1 (text /etc/first): ", 0), 0u)
        << error.what();
  }
  EXPECT_EQ(error_of([] { Sandbox::get("patch-fails"); }).kind(), ErrorKind::kNotFound);
  const std::string home = suite().home->path();
  EXPECT_FALSE(std::filesystem::exists(home + "/sandboxes/patch-fails"));
  EXPECT_FALSE(std::filesystem::exists(home + "/run/patch-fails"));
}

TEST_F(PatchTest, AMissingHostSourceFailsBeforeAnythingIsCreated) {
  microsandbox::Error error = error_of([] {
    Sandbox::builder("no-source")
        .isolation(test_isolation())
        .patch(Patch::copy_file(host("missing"), "/etc/x"))
        .create();
  });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig);
  EXPECT_NE(std::string(error.what()).find("patch 0 (copy_file /etc/x): host path"),
            std::string::npos)
      << error.what();
  EXPECT_FALSE(std::filesystem::exists(suite().home->path() + "/sandboxes/no-source"));
}

}  // namespace
}  // namespace msb::testing
