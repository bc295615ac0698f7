// `msb exec` and `msb cp` against a real sandbox: table rows of {argv, exit code, stdout}
// (with "NAME" standing for the suite's sandbox), then copies, large stdin and a stopped
// sandbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "os/file.h"
#include "sandbox_suite.h"

namespace msb::testing {
namespace {

namespace stdfs = std::filesystem;
using microsandbox::SandboxStatus;
using ::testing::HasSubstr;

struct ExecCase {
  const char* name;
  std::vector<std::string> argv;
  std::optional<std::string> stdin_data;
  int exit_code;
  std::string out;
};

void PrintTo(const ExecCase& c, std::ostream* os) { *os << c.name; }

class MsbExecTable : public SandboxSuite, public ::testing::WithParamInterface<ExecCase> {};

TEST_P(MsbExecTable, ExitCodeAndStdout) {
  const ExecCase& c = GetParam();
  std::vector<std::string> argv = c.argv;
  for (std::string& arg : argv) {
    if (arg == "NAME") arg = sandbox_name();
  }
  auto started = std::chrono::steady_clock::now();
  CliResult result = msb(argv, c.stdin_data);
  EXPECT_EQ(result.exit_code, c.exit_code) << result.err;
  EXPECT_EQ(result.out, c.out) << result.err;
  // Nothing here runs long; `--timeout 1 ... sleep 10` must not wait for the sleep.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MsbExecTable,
    ::testing::Values(
        ExecCase{"Echo", {"exec", "NAME", "--", "echo", "hi"}, std::nullopt, 0, "hi\n"},
        ExecCase{"ExitThree", {"exec", "NAME", "--", "sh", "-c", "exit 3"}, std::nullopt, 3, ""},
        ExecCase{"StdinPipedToCat", {"exec", "NAME", "--", "cat"}, "hi\n", 0, "hi\n"},
        ExecCase{"NoStdinIsEmpty", {"exec", "NAME", "--", "wc", "-c"}, std::nullopt, 0, "0\n"},
        ExecCase{"TimeoutGives124",
                 {"exec", "--timeout", "1", "NAME", "--", "sleep", "10"},
                 std::nullopt,
                 124,
                 ""},
        ExecCase{"MissingCommandGives127",
                 {"exec", "NAME", "--", "no-such-command-xyz"},
                 std::nullopt,
                 127,
                 ""},
        ExecCase{"SignalGives143",
                 {"exec", "NAME", "--", "sh", "-c", "kill -TERM $$"},
                 std::nullopt,
                 143,
                 ""},
        ExecCase{"EnvWorkdirAndUser",
                 {"exec", "-e", "GREETING=hi there", "-w", "/tmp", "-u", "65534", "NAME", "--",
                  "sh", "-c", "echo \"$GREETING\" $(pwd) $(id -u)"},
                 std::nullopt,
                 0,
                 "hi there /tmp 65534\n"},
        ExecCase{"Rlimit",
                 {"exec", "--rlimit", "nofile=64", "NAME", "--", "sh", "-c", "ulimit -n"},
                 std::nullopt,
                 0,
                 "64\n"},
        ExecCase{
            "NoTtyWithoutATerminal", {"exec", "NAME", "--", "tty"}, std::nullopt, 1, "not a tty\n"},
        ExecCase{"ForcedTty",
                 {"exec", "-t", "NAME", "--", "stty", "size"},
                 std::nullopt,
                 0,
                 "24 80\r\n"}),
    [](const ::testing::TestParamInfo<ExecCase>& info) { return info.param.name; });

class MsbCli : public SandboxSuite {};

TEST_F(MsbCli, HostTreeIntoTheSandbox) {
  std::string host = scratch_dir("cp-in-");
  stdfs::create_directories(host + "/proj/src");
  ASSERT_TRUE(os::write_file(host + "/proj/README", "read me\n"));
  ASSERT_TRUE(os::write_file(host + "/proj/src/main.sh", "#!/bin/sh\necho main\n"));
  ::chmod((host + "/proj/src/main.sh").c_str(), 0755);
  ::chmod((host + "/proj/README").c_str(), 0640);
  stdfs::create_symlink("src/main.sh", host + "/proj/run");
  CliResult result = msb({"cp", host + "/proj", sandbox_name() + ":/tmp/proj"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  microsandbox::SandboxFs fs = sandbox().fs();
  EXPECT_EQ(fs.read("/tmp/proj/README"), "read me\n");
  EXPECT_EQ(fs.stat("/tmp/proj/README").mode, 0640u);
  EXPECT_EQ(fs.stat("/tmp/proj/src/main.sh").mode, 0755u);
  EXPECT_EQ(fs.read_link("/tmp/proj/run"), "src/main.sh");
  EXPECT_EQ(sandbox().exec("/tmp/proj/run").stdout_data, "main\n");

  // Into an existing directory: under the source's own name.
  result = msb({"cp", host + "/proj/README", sandbox_name() + ":/tmp/proj/src"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(fs.read("/tmp/proj/src/README"), "read me\n");
}

TEST_F(MsbCli, SandboxTreeToTheHost) {
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.mkdir("/tmp/out/logs", true);
  fs.write("/tmp/out/result.txt", "42\n");
  microsandbox::WriteOptions executable;
  executable.mode = 0700;
  fs.write("/tmp/out/logs/tool", "#!/bin/sh\n", executable);
  fs.symlink("../result.txt", "/tmp/out/logs/latest");
  std::string host = scratch_dir("cp-out-");
  CliResult result = msb({"cp", sandbox_name() + ":/tmp/out", host + "/copy"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  Result<std::string> text = os::read_file(host + "/copy/result.txt");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "42\n");
  EXPECT_EQ(stdfs::status(host + "/copy/logs/tool").permissions() & stdfs::perms::all,
            static_cast<stdfs::perms>(0700));
  EXPECT_EQ(stdfs::read_symlink(host + "/copy/logs/latest"), "../result.txt");
  Result<std::string> through_link = os::read_file(host + "/copy/logs/latest");
  ASSERT_TRUE(through_link);
  EXPECT_EQ(*through_link, "42\n");
}

TEST_F(MsbCli, MissingSandboxPathFailsNamingIt) {
  std::string host = scratch_dir("cp-missing-");
  CliResult result = msb({"cp", sandbox_name() + ":/tmp/not-there", host + "/x"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("/tmp/not-there"));
  EXPECT_FALSE(stdfs::exists(host + "/x"));
}

TEST_F(MsbCli, LargeStdinArrivesByteExact) {
  std::string input = random_bytes(20 << 20, 31);
  CliResult result = msb({"exec", sandbox_name(), "--", "sha256sum"}, input);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, sha256_hex(input) + "  -\n");
}

TEST_F(MsbCli, ExecOnAStoppedSandboxStartsItForTheCommandOnly) {
  Watchdog watchdog("exec on a stopped sandbox", std::chrono::seconds(600));
  {
    microsandbox::Sandbox cold =
        microsandbox::Sandbox::builder("cold").isolation(test_isolation()).create();
    cold.fs().write("/root/note", "kept\n");
    cold.stop_and_wait(std::chrono::seconds(30));
  }
  ASSERT_EQ(microsandbox::Sandbox::get("cold").status, SandboxStatus::kStopped);
  CliResult stopped_cp = msb({"cp", "cold:/root/note", scratch_dir("cold-") + "/note"});
  EXPECT_NE(stopped_cp.exit_code, 0);
  EXPECT_THAT(stopped_cp.err, HasSubstr("not running"));

  CliResult result = msb({"exec", "cold", "--", "sh", "-c", "cat /root/note; exit 5"});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_EQ(result.out, "kept\n");
  EXPECT_EQ(microsandbox::Sandbox::get("cold").status, SandboxStatus::kStopped);
  // Its QEMU (disk paths under sandboxes/cold/) and its msb-runtime (--name cold) are gone.
  auto cold_processes = [] {
    std::vector<std::string> found = leftover_processes("/cold/");
    for (const std::string& entry : leftover_processes(std::string("\0cold\0", 6)))
      found.push_back(entry);
    return found;
  };
  EXPECT_TRUE(wait_until([&] { return cold_processes().empty(); }, std::chrono::seconds(30)))
      << "left running: " << ::testing::PrintToString(cold_processes());
  microsandbox::Sandbox::remove("cold");
}

}  // namespace
}  // namespace msb::testing
