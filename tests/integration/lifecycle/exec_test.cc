// Exec in named sandboxes through the public SDK: results, failures, and the defaults a
// command inherits from its sandbox (env, cwd, user, shell, hostname).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "lifecycle_fixture.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::Sandbox;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(LifecycleTest, ExecReportsExitCodesSeparateStreamsAndStdin) {
  Sandbox sandbox = sandbox_builder("exec").create();
  for (int code : {0, 1, 42}) {
    ExecOutput out = sandbox.exec("sh", {"-c", "exit " + std::to_string(code)});
    EXPECT_EQ(out.exit_code, code);
    EXPECT_EQ(out.signal, 0);
    EXPECT_EQ(out.success(), code == 0);
  }
  ExecOutput streams = sandbox.exec("sh", {"-c", "echo to-out; echo to-err >&2; echo more-out"});
  EXPECT_EQ(streams.stdout_data, "to-out\nmore-out\n");
  EXPECT_EQ(streams.stderr_data, "to-err\n");

  ExecOutput piped = sandbox.exec("cat", {}, {.stdin_data = "line one\nline two"});
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.stdout_data, "line one\nline two");

  ExecOutput killed = sandbox.exec("sh", {"-c", "kill -9 $$"});
  EXPECT_EQ(killed.signal, 9);
  EXPECT_FALSE(killed.success());
  sandbox.stop_and_wait();
  Sandbox::remove("exec");
}

TEST_F(LifecycleTest, ExecFailuresAreTypedAndLeaveTheSandboxUsable) {
  Sandbox sandbox = sandbox_builder("failing").create();
  microsandbox::Error missing = error_of([&] { sandbox.exec("no-such-command", {"x"}); });
  EXPECT_EQ(missing.kind(), ErrorKind::kExecFailed) << missing.what();
  EXPECT_EQ(missing.sys_errno(), ENOENT) << missing.what();
  EXPECT_THAT(missing.what(), HasSubstr("no-such-command"));

  // A timeout is not an error (sandbox.h): the command is killed and the output says so.
  auto started = std::chrono::steady_clock::now();
  ExecOutput timed_out =
      sandbox.exec("sleep", {"100"}, {.timeout = std::chrono::milliseconds(1500)});
  EXPECT_TRUE(timed_out.timed_out);
  EXPECT_EQ(timed_out.signal, SIGKILL);
  EXPECT_FALSE(timed_out.success());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));

  // The sandbox still answers, and the timed-out command is gone from it.
  ExecOutput after = sandbox.exec("echo", {"still here"});
  EXPECT_EQ(after.stdout_data, "still here\n");
  ExecOutput sleepers = sandbox.shell("ps | grep -c '[s]leep 100' || true");
  EXPECT_EQ(sleepers.stdout_data, "0\n");
  sandbox.stop_and_wait();
  Sandbox::remove("failing");
}

TEST_F(LifecycleTest, ExecInheritsEnvWorkdirUserAndShellFromTheSandbox) {
  Sandbox sandbox = sandbox_builder("defaults")
                        .env("A", "1")
                        .env("B", "2")
                        .workdir("/tmp")
                        .user("65534:65534")
                        .create();
  ExecOutput env = sandbox.exec("env", {}, {.env = {{"B", "3"}}});
  EXPECT_THAT(env.stdout_data, HasSubstr("A=1\n"));
  EXPECT_THAT(env.stdout_data, HasSubstr("B=3\n"));
  EXPECT_THAT(env.stdout_data, Not(HasSubstr("B=2")));
  EXPECT_THAT(sandbox.exec("env").stdout_data, HasSubstr("B=2\n"));

  EXPECT_EQ(sandbox.exec("pwd").stdout_data, "/tmp\n");
  EXPECT_EQ(sandbox.exec("pwd", {}, {.cwd = "/"}).stdout_data, "/\n");

  EXPECT_EQ(sandbox.exec("id", {"-u"}).stdout_data, "65534\n");
  EXPECT_EQ(sandbox.exec("id", {"-g"}).stdout_data, "65534\n");
  EXPECT_EQ(sandbox.exec("id", {"-u"}, {.user = "0"}).stdout_data, "0\n");

  EXPECT_EQ(sandbox.shell("echo $0").stdout_data, "/bin/sh\n");
  EXPECT_EQ(sandbox.exec("hostname").stdout_data, "defaults\n");
  sandbox.stop_and_wait();
  Sandbox::remove("defaults");
}

// Hostnames, env values and working directories may hold spaces, '=', quotes and newlines:
// each arrives in the guest byte for byte. The hostname goes to the vm's kernel as hex (a
// raw "init=/bin/sh" would be a kernel parameter), env and cwd by the agent protocol.
TEST_F(LifecycleTest, HostileHostnameEnvAndWorkdirArriveVerbatim) {
  const std::string hostname = "a init=/bin/sh \"q\" 'r'\nx=y";
  const std::string value = "a b=c \"d\" 'e'\nf\tg $(h) `i` \\j";
  const std::string dir = "/tmp/a b=c \"d\" 'e'\nf";
  Sandbox sandbox = sandbox_builder("hostile").hostname(hostname).env("V", value).create();
  EXPECT_EQ(sandbox.exec("hostname").stdout_data, hostname + "\n");
  EXPECT_EQ(sandbox.exec("cat", {"/proc/sys/kernel/hostname"}).stdout_data, hostname + "\n");
  if (on_vm_engine()) {
    // Our agent is PID 1, and the kernel took none of the hostname's words as its own.
    std::string cmdline = sandbox.exec("cat", {"/proc/cmdline"}).stdout_data;
    EXPECT_THAT(cmdline, Not(HasSubstr("init=/bin/sh"))) << cmdline;
    EXPECT_THAT(cmdline, HasSubstr(" msb.hostname=6120696e69743d2f62696e2f7368")) << cmdline;
    EXPECT_THAT(sandbox.exec("cat", {"/proc/1/cmdline"}).stdout_data, Not(HasSubstr("sh")));
  }

  // busybox has no printenv: the shell prints the variable's bytes, nothing added.
  auto env_value = [&](const std::string& key, ExecOptions options = {}) {
    return sandbox.exec("sh", {"-c", "printf %s \"$" + key + "\""}, options).stdout_data;
  };
  EXPECT_EQ(env_value("V"), value);
  EXPECT_EQ(env_value("W", {.env = {{"W", value}}}), value);
  EXPECT_EQ(env_value("V", {.env = {{"V", value + "2"}}}), value + "2");

  ASSERT_EQ(sandbox.exec("mkdir", {"-p", dir}).exit_code, 0);
  EXPECT_EQ(sandbox.exec("pwd", {}, {.cwd = dir}).stdout_data, dir + "\n");
  EXPECT_EQ(sandbox.shell("pwd", {.cwd = dir}).stdout_data, dir + "\n");
  sandbox.stop_and_wait();
  Sandbox::remove("hostile");
}

// With a TTY, TERM comes from the exec's env, else the sandbox's env, else the host's
// $TERM, else (unset, blank or "dumb") xterm. Without one the host's TERM never applies.
TEST_F(LifecycleTest, TtyTermPrefersExecThenSandboxThenHostThenXterm) {
  auto term_of = [](Sandbox& sandbox, ExecOptions options) {
    options.tty = true;
    return sandbox.exec("sh", {"-c", "printf %s \"${TERM-unset}\""}, options).stdout_data;
  };
  Sandbox plain = sandbox_builder("term-plain").create();
  {
    ScopedEnv host("TERM", "screen-256color");
    EXPECT_EQ(term_of(plain, {}), "screen-256color");
    EXPECT_EQ(term_of(plain, {.env = {{"TERM", "vt100"}}}), "vt100");
    EXPECT_EQ(plain.exec("sh", {"-c", "printf %s \"${TERM-unset}\""}).stdout_data, "unset");
  }
  for (std::optional<std::string> blank :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("  "), std::optional<std::string>("dumb")}) {
    ScopedEnv host("TERM", blank);
    EXPECT_EQ(term_of(plain, {}), "xterm") << blank.value_or("<unset>");
  }
  plain.stop_and_wait();
  Sandbox::remove("term-plain");

  Sandbox with_term = sandbox_builder("term-set").env("TERM", "linux").create();
  {
    ScopedEnv host("TERM", "screen-256color");
    EXPECT_EQ(term_of(with_term, {}), "linux");
    EXPECT_EQ(term_of(with_term, {.env = {{"TERM", "vt100"}}}), "vt100");
  }
  {
    ScopedEnv host("TERM", std::nullopt);
    EXPECT_EQ(term_of(with_term, {}), "linux");
  }
  with_term.stop_and_wait();
  Sandbox::remove("term-set");
}

// The socket path rule (<MSB_HOME>/run/<name>/agent.sock fits 107 bytes) caps names far
// below the 128 bytes validate_name allows: a 100-byte name never fits, whatever MSB_HOME
// is. The longest name that fits here is still over 64 bytes, so it gets a derived
// hostname: its first 55 bytes, '-', and 8 hex digits of its SHA-256.
TEST_F(LifecycleTest, ExecRunsInRootWithoutWorkdirAndLongNamesGetADerivedHostname) {
  microsandbox::Error too_long =
      error_of([] { sandbox_builder("n" + std::string(99, 'x')).create(); });
  EXPECT_EQ(too_long.kind(), ErrorKind::kInvalidConfig);
  EXPECT_THAT(too_long.what(), HasSubstr("is too long for MSB_HOME"));

  size_t longest = 107 - home().size() - std::string("/run//agent.sock").size();
  ASSERT_GT(longest, 64u);
  std::string name = "long-name-";
  for (char c = 'a'; name.size() < longest; c = c == 'z' ? 'a' : char(c + 1)) name += c;
  Sandbox sandbox = sandbox_builder(name).create();
  EXPECT_EQ(sandbox.exec("pwd").stdout_data, "/\n");

  ExecOutput digest = sandbox.exec("sha256sum", {}, {.stdin_data = name});
  ASSERT_EQ(digest.exit_code, 0) << digest.stderr_data;
  std::string expected = name.substr(0, 55) + "-" + digest.stdout_data.substr(0, 8) + "\n";
  ExecOutput hostname = sandbox.exec("hostname");
  EXPECT_EQ(hostname.stdout_data, expected);
  EXPECT_EQ(hostname.stdout_data.size(), 65u);
  sandbox.stop_and_wait();
  Sandbox::remove(name);
}

}  // namespace
}  // namespace msb::testing
