// `msb run` against real microVMs (TCG here, KVM where usable): one behaviour per case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "engine/vm/accel.h"
#include "msb_harness.h"
#include "os/io.h"
#include "os/system.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

// Reads `fd` until `marker` shows up, the writer closes it, or `timeout` passes; what it read.
std::string read_until(int fd, std::string_view marker, std::chrono::milliseconds timeout) {
  std::string seen;
  bool open = true;
  wait_until(
      [&] {
        pollfd entry{fd, POLLIN, 0};
        Result<int> ready = os::poll_fds({&entry, 1}, 100);
        if (ready && *ready > 0) {
          char buffer[256];
          Result<size_t> n = os::read_some(fd, buffer);
          open = n && *n > 0;
          if (open) seen.append(buffer, *n);
        }
        return !open || seen.find(marker) != std::string::npos;
      },
      timeout, std::chrono::milliseconds(0));
  return seen;
}

class MsbRun : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(harness_.wait_no_qemu(std::chrono::seconds(5))) << "a QEMU process was left behind";
    EXPECT_TRUE(harness_.leftover_run_dirs().empty()) << "a runtime directory was left behind";
  }
  MsbHarness harness_;
};

struct RunCase {
  const char* name;
  std::vector<std::string> argv;
  int exit_code;
  std::string out;
};

void PrintTo(const RunCase& c, std::ostream* os) { *os << c.name; }

class MsbRunTable : public MsbRun, public ::testing::WithParamInterface<RunCase> {};

TEST_P(MsbRunTable, ExitCodeAndStdout) {
  const RunCase& c = GetParam();
  if (std::find(c.argv.begin(), c.argv.end(), "--accel") != c.argv.end())
    MSB_SKIP_UNLESS_VM_ENGINE("accelerators");
  MsbResult result = harness_.run(c.argv);
  EXPECT_EQ(result.exit_code, c.exit_code) << result.err;
  EXPECT_EQ(result.out, c.out) << result.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MsbRunTable,
    ::testing::Values(
        RunCase{"EchoHello", {"run", "--", "echo", "hello"}, 0, "hello\n"},
        RunCase{"ExitZero", {"run", "--", "sh", "-c", "exit 0"}, 0, ""},
        RunCase{"ExitOne", {"run", "--", "sh", "-c", "exit 1"}, 1, ""},
        RunCase{"ExitFortyTwo", {"run", "--", "sh", "-c", "echo out; exit 42"}, 42, "out\n"},
        RunCase{"SigkillGives137", {"run", "--", "sh", "-c", "kill -9 $$"}, 137, ""},
        RunCase{"SigtermGives143", {"run", "--", "sh", "-c", "kill -TERM $$"}, 143, ""},
        RunCase{"ExplicitBaseImage", {"run", "base", "--", "echo", "base"}, 0, "base\n"},
        RunCase{"EnvAndWorkdir",
                {"run", "-e", "GREETING=hi there", "-w", "/tmp", "--", "sh", "-c",
                 "echo \"$GREETING\" $(pwd)"},
                0,
                "hi there /tmp\n"},
        RunCase{"ForcedTcg", {"run", "--accel", "tcg", "--", "true"}, 0, ""},
        // A hostname may hold any byte (as the reference's): it reaches the guest as data,
        // never as words of the kernel command line (where "init=/bin/sh" would be one).
        RunCase{"HostnameWithKernelParameter",
                {"run", "-H", "a init=/bin/sh", "--", "hostname"},
                0,
                "a init=/bin/sh\n"},
        RunCase{"HostnameWithQuotesSpacesAndNewline",
                {"run", "-H", "q\"x' y=z\n rdinit=/bin/sh", "--", "hostname"},
                0,
                "q\"x' y=z\n rdinit=/bin/sh\n"},
        RunCase{"HostnameOf64Bytes",
                {"run", "-H", std::string(64, 'h'), "--", "hostname"},
                0,
                std::string(64, 'h') + "\n"},
        RunCase{"EnvValueVerbatim",
                {"run", "-e", "V=a b=c \"d\" 'e'\nf\t$(g) `h` \\i", "--", "sh", "-c",
                 "printf '%s|' \"$V\""},
                0,
                "a b=c \"d\" 'e'\nf\t$(g) `h` \\i|"},
        // Configuration errors are usage errors (exit 2), for unnamed runs too.
        RunCase{"EmptyHostnameIsAConfigError", {"run", "-H", "", "--", "true"}, 2, ""},
        RunCase{
            "LongHostnameIsAConfigError", {"run", "-H", std::string(65, 'h'), "--", "true"}, 2, ""},
        RunCase{"ZeroCpusIsAConfigError", {"run", "--cpus", "0", "--", "true"}, 2, ""},
        RunCase{"TooManyCpusIsAConfigError", {"run", "-c", "65", "--", "true"}, 2, ""},
        RunCase{"NegativeCpusIsAUsageError", {"run", "--cpus", "-1", "--", "true"}, 2, ""},
        RunCase{"TooLittleMemoryIsAConfigError", {"run", "-m", "63", "--", "true"}, 2, ""},
        RunCase{"TooMuchMemoryIsAConfigError", {"run", "--memory", "1048577", "--", "true"}, 2, ""},
        RunCase{"ReservedEnvIsAConfigError", {"run", "-e", "MSB_X=1", "--", "true"}, 2, ""},
        RunCase{
            "ReservedLabelIsAConfigError", {"run", "--label", "sandbox.x=1", "--", "true"}, 2, ""},
        RunCase{"RelativeShellIsAConfigError", {"run", "--shell", "sh", "--", "true"}, 2, ""}),
    [](const ::testing::TestParamInfo<RunCase>& info) { return info.param.name; });

// An unnamed run is checked with every rule of a named sandbox (config::validate), and
// says what was wrong in the reference's words, before anything boots.
TEST_F(MsbRun, ConfigErrorsSayWhatWasWrong) {
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"-H", ""}, "msb: error: invalid config: hostname must not be empty\n"},
      {{"-H", std::string(65, 'h')},
       "msb: error: invalid config: hostname is too long: 65 bytes "
       "(max 64)\n"},
      {{"--cpus", "0"}, "msb: error: invalid config: cpus must be greater than 0: use 1 to 64\n"},
      {{"--cpus", "65"}, "msb: error: invalid config: cpus must be from 1 to 64, got 65\n"},
      {{"--memory", "0"},
       "msb: error: invalid config: memory must be greater than 0: use 64 to 1048576 MiB\n"},
      {{"-m", "63"},
       "msb: error: invalid config: memory must be from 64 to 1048576 MiB, got 63 MiB\n"},
      {{"-e", "MSB_X=1"},
       "msb: error: invalid config: environment variable \"MSB_X\" uses the reserved MSB_ "
       "prefix: microsandbox sets those\n"},
      {{"-w", "tmp"},
       "msb: error: invalid config: workdir must be an absolute guest path, got "
       "'tmp'\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {"run"};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    argv.insert(argv.end(), {"--", "true"});
    MsbResult result = harness_.run(argv);
    EXPECT_EQ(result.exit_code, 2) << c.flags[0];
    EXPECT_EQ(result.err, c.message) << c.flags[0];
    EXPECT_EQ(result.out, "");
  }
  EXPECT_TRUE(harness_.live_qemu_pids().empty());
  EXPECT_TRUE(harness_.leftover_run_dirs().empty());
}

TEST_F(MsbRun, StdoutAndStderrStaySeparate) {
  MsbResult result =
      harness_.run({"run", "--", "sh", "-c", "echo to-out; echo to-err >&2; echo more-out"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "to-out\nmore-out\n");
  EXPECT_EQ(result.err, "to-err\n");
}

TEST_F(MsbRun, OneMebibyteOfOutputArrivesByteExact) {
  // seq's output is deterministic: rebuild it here and compare the first MiB exactly.
  MsbResult result = harness_.run({"run", "--", "sh", "-c", "seq 1 200000 | head -c 1048576"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string expected;
  for (int i = 1; expected.size() < 1048576; ++i) expected += std::to_string(i) + "\n";
  expected.resize(1048576);
  ASSERT_EQ(result.out.size(), expected.size());
  EXPECT_TRUE(result.out == expected) << "output differs from seq 1 200000";
}

TEST_F(MsbRun, MissingCommandIsAClearErrorWith127) {
  MsbResult result = harness_.run({"run", "--", "no-such-command", "x"});
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_THAT(result.err, HasSubstr("command not found: no-such-command"));
  EXPECT_EQ(result.out, "");
}

TEST_F(MsbRun, NonExecutableFileGives126) {
  MsbResult result = harness_.run({"run", "--", "/etc/passwd"});
  EXPECT_EQ(result.exit_code, 126) << result.err;
  EXPECT_THAT(result.err, HasSubstr("/etc/passwd"));
}

TEST_F(MsbRun, GuestRunsOurKernel) {
  MsbResult result = harness_.run({"run", "--", "uname", "-r"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  if (on_vm_engine()) {
    EXPECT_THAT(result.out, EndsWith("-microsandbox\n"));
  } else {
    // The namespace engine shares the host's kernel (docs/design/namespace-engine.md).
    EXPECT_EQ(result.out, os::kernel_release() + "\n");
  }
}

TEST_F(MsbRun, GuestHasWritableRootAndTmp) {
  MsbResult result = harness_.run(
      {"run", "--", "sh", "-c",
       "echo data > /root/file && cat /root/file && touch /tmp/x && mount | grep -c overlay"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "data\n1\n");
}

// The run's writable layer is deleted when it ends: its overlay is never synced. (The
// host kernel of the namespace engine may spell it "fsync=volatile".)
TEST_F(MsbRun, ThrowawayRootIsAVolatileOverlay) {
  MsbResult result = harness_.run({"run", "--", "grep", " / overlay ", "/proc/mounts"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("upperdir="));
  EXPECT_THAT(result.out, HasSubstr("volatile"));
  // Nothing of the host's layout shows inside (the namespace engine passes its layers by
  // descriptor; the vm's are guest paths).
  EXPECT_THAT(result.out, Not(HasSubstr(harness_.home())));
}

TEST_F(MsbRun, TimingsAreReported) {
  MsbResult result = harness_.run({"run", "--timings", "--", "true"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("\"kernel_boot_ms\""));
  EXPECT_THAT(result.err,
              HasSubstr(on_vm_engine() ? "\"engine\":\"vm (" : "\"engine\":\"namespace\""));
}

TEST_F(MsbRun, MissingCommandAfterDashesIsUsageError) {
  MsbResult result = harness_.run({"run"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("missing command"));
}

TEST_F(MsbRun, UnknownImageIsImageNotFound) {
  // --pull never: the test must not reach out to Docker Hub.
  MsbResult result = harness_.run({"run", "--pull", "never", "python", "--", "true"});
  EXPECT_EQ(result.exit_code, 125);
  EXPECT_THAT(result.err,
              HasSubstr("image docker.io/library/python:latest is not in the local store"));
  EXPECT_TRUE(harness_.leftover_run_dirs().empty());
}

TEST_F(MsbRun, MissingKernelNamesThePath) {
  MSB_SKIP_UNLESS_VM_ENGINE("QEMU and its guest kernel");
  harness_.set_env("MSB_KERNEL", harness_.home() + "/no-such-vmlinux");
  MsbResult result = harness_.run({"run", "--", "true"});
  EXPECT_EQ(result.exit_code, 125);
  EXPECT_THAT(result.err,
              HasSubstr("guest kernel missing: " + harness_.home() + "/no-such-vmlinux"));
}

TEST_F(MsbRun, MissingQemuSaysHowToInstallIt) {
  MSB_SKIP_UNLESS_VM_ENGINE("QEMU and its guest kernel");
  harness_.set_env("MSB_QEMU", "/nonexistent/qemu-system-x86_64");
  MsbResult result = harness_.run({"run", "--", "true"});
  EXPECT_EQ(result.exit_code, 125);
  EXPECT_THAT(result.err, HasSubstr("QEMU not found"));
  EXPECT_THAT(result.err, HasSubstr("apt-get install qemu-system-x86"));
}

TEST_F(MsbRun, MissingSandboxSaysNothingAboutQemuOrSetup) {
  for (const char* command : {"start", "stop", "exec", "logs", "inspect"}) {
    std::vector<std::string> argv = {command, "no-such-sandbox"};
    if (std::string(command) == "exec") argv.insert(argv.end(), {"--", "true"});
    MsbResult result = harness_.run(argv);
    EXPECT_EQ(result.exit_code, 125) << command << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr("sandbox 'no-such-sandbox' not found")) << command;
    EXPECT_THAT(result.err, Not(HasSubstr("QEMU"))) << command;
    EXPECT_THAT(result.err, Not(HasSubstr("setup.sh"))) << command;
  }
}

TEST_F(MsbRun, BootFailureShowsTheConsoleTail) {
  MSB_SKIP_UNLESS_VM_ENGINE("QEMU and its guest kernel");
  // A kernel image QEMU cannot load: the failure must say so and show QEMU's reason.
  std::string bogus = harness_.home() + "/bogus-vmlinux";
  ASSERT_TRUE(os::write_file(bogus, "this is not a kernel"));
  harness_.set_env("MSB_KERNEL", bogus);
  MsbResult result = harness_.run({"run", "--", "true"});
  EXPECT_EQ(result.exit_code, 125);
  EXPECT_THAT(result.err, HasSubstr("boot failed"));
  EXPECT_THAT(result.err, HasSubstr("QEMU says:"));
}

TEST_F(MsbRun, KvmRequestMatchesTheProbe) {
  MSB_SKIP_UNLESS_VM_ENGINE("QEMU and its guest kernel");
  MsbResult result = harness_.run({"run", "--accel", "kvm", "--", "true"});
  if (engine::vm::probe_kvm().usable) {
    EXPECT_EQ(result.exit_code, 0) << result.err;
  } else {
    EXPECT_EQ(result.exit_code, 125);
    EXPECT_THAT(result.err, HasSubstr("KVM requested but not usable"));
  }
}

TEST_F(MsbRun, CtrlCTearsTheSandboxDown) {
  // Interrupted once the guest command runs, which it says on its stdout.
  os::PipePair out = std::move(*os::make_pipe());
  os::ChildProcess msb =
      harness_.start({"run", "--", "sh", "-c", "echo ready; exec sleep 600"}, out.write.get());
  out.write.reset();
  ASSERT_EQ(read_until(out.read.get(), "ready\n", std::chrono::seconds(120)), "ready\n")
      << harness_.started_stderr();
  ASSERT_TRUE(msb.signal(SIGINT));
  Result<std::optional<os::ExitStatus>> status = msb.wait_for(std::chrono::seconds(15));
  ASSERT_TRUE(status && *status) << "msb did not exit after SIGINT";
  EXPECT_EQ((*status)->shell_code(), 130);
}

TEST_F(MsbRun, ClosedStdoutEndsTheRunQuietlyLikeSigpipe) {
  // msb run -- yes | head -c 100: the reader leaves, msb tears down and exits 128+SIGPIPE.
  os::PipePair out = std::move(*os::make_pipe());
  os::ChildProcess msb = harness_.start({"run", "--", "yes"}, out.write.get());
  out.write.reset();
  char buffer[100];
  ASSERT_TRUE(os::read_exact(out.read.get(), buffer));
  out.read.reset();
  Result<std::optional<os::ExitStatus>> status = msb.wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(status && *status) << "msb kept running after its stdout closed";
  EXPECT_EQ((*status)->shell_code(), 128 + SIGPIPE);
  EXPECT_EQ(harness_.started_stderr(), "");
}

TEST_F(MsbRun, KillingMsbTakesQemuWithIt) {
  os::ChildProcess msb = harness_.start({"run", "--", "sleep", "600"});
  ASSERT_TRUE(
      wait_until([&] { return !harness_.live_qemu_pids().empty(); }, std::chrono::seconds(120)));
  ASSERT_TRUE(msb.kill_and_wait());
  EXPECT_TRUE(harness_.wait_no_qemu(std::chrono::seconds(5)));
  // SIGKILL leaves the runtime directory behind; the next run sweeps it.
  EXPECT_EQ(harness_.leftover_run_dirs().size(), 1u);
  MsbResult next = harness_.run({"run", "--", "true"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
}

}  // namespace
}  // namespace msb::testing
