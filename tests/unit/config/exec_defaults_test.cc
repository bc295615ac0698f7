#include "config/exec_defaults.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::config {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

ExecSettings resolve(const SandboxConfig& config, const Env& exec_env = {},
                     std::string_view cwd = "", std::string_view user = "", bool tty = false,
                     std::string_view host_term = "") {
  return resolve_exec_settings(config, exec_env, cwd, user, tty, host_term);
}

TEST(ResolveExecSettings, DefaultsAreEmptyEnvRootCwdAndImageUser) {
  ExecSettings settings = resolve(SandboxConfig{});
  EXPECT_EQ(settings.env, Strings{});
  EXPECT_EQ(settings.cwd, "/");
  EXPECT_EQ(settings.user, "");
}

TEST(ResolveExecSettings, SandboxEnvComesFirstThenExecEnv) {
  SandboxConfig config;
  config.env = {{"A", "1"}, {"B", "2"}};
  EXPECT_EQ(resolve(config, {{"C", "3"}, {"D", "4"}}).env, (Strings{"A=1", "B=2", "C=3", "D=4"}));
}

TEST(ResolveExecSettings, LaterWinsAndFirstPositionIsKept) {
  SandboxConfig config;
  config.env = {{"A", "1"}, {"B", "2"}, {"A", "3"}};
  EXPECT_EQ(resolve(config, {{"C", "x"}, {"B", "exec"}, {"C", "y"}}).env,
            (Strings{"A=3", "B=exec", "C=y"}));
}

TEST(ResolveExecSettings, EmptyValuesAndEqualsInValuesAreKept) {
  SandboxConfig config;
  config.env = {{"A", ""}};
  EXPECT_EQ(resolve(config, {{"B", "x=y"}}).env, (Strings{"A=", "B=x=y"}));
}

TEST(ResolveExecSettings, CwdPrefersExecThenWorkdirThenRoot) {
  SandboxConfig config;
  EXPECT_EQ(resolve(config).cwd, "/");
  config.workdir = "/app";
  EXPECT_EQ(resolve(config).cwd, "/app");
  EXPECT_EQ(resolve(config, {}, "/tmp").cwd, "/tmp");
}

TEST(ResolveExecSettings, UserPrefersExecThenSandbox) {
  SandboxConfig config;
  config.user = "app";
  EXPECT_EQ(resolve(config).user, "app");
  EXPECT_EQ(resolve(config, {}, "", "root").user, "root");
}

TEST(ResolveExecSettings, NoTermWithoutTty) {
  EXPECT_EQ(resolve(SandboxConfig{}, {}, "", "", false, "xterm-256color").env, Strings{});
}

TEST(ResolveExecSettings, TtyTakesTheHostTerm) {
  SandboxConfig config;
  config.env = {{"A", "1"}};
  EXPECT_EQ(resolve(config, {{"B", "2"}}, "", "", true, "screen-256color").env,
            (Strings{"A=1", "TERM=screen-256color", "B=2"}));
}

TEST(ResolveExecSettings, TtyFallsBackToXtermForUnsetBlankOrDumbHostTerm) {
  // The callers pass "" for an unset $TERM.
  for (std::string_view host_term : {"", " ", "\t", " \n ", "dumb"}) {
    EXPECT_EQ(resolve(SandboxConfig{}, {}, "", "", true, host_term).env, Strings{"TERM=xterm"})
        << "'" << host_term << "'";
  }
  EXPECT_EQ(resolve(SandboxConfig{}, {}, "", "", true, "dumb-ish").env, Strings{"TERM=dumb-ish"});
}

TEST(ResolveExecSettings, ExecTermWinsOverTheHostTerm) {
  EXPECT_EQ(resolve(SandboxConfig{}, {{"TERM", "vt100"}}, "", "", true, "xterm-kitty").env,
            Strings{"TERM=vt100"});
  EXPECT_EQ(resolve(SandboxConfig{}, {{"TERM", ""}}, "", "", true, "xterm-kitty").env,
            Strings{"TERM="});
}

// The sandbox's TERM is what its author chose for the terminal inside: the host's does not
// replace it, with or without a TTY, and whatever the host's TERM is.
TEST(ResolveExecSettings, SandboxTermWinsOverTheHostTerm) {
  SandboxConfig config;
  config.env = {{"TERM", "linux"}, {"A", "1"}};
  for (std::string_view host_term : {"xterm", "", " ", "dumb"}) {
    EXPECT_EQ(resolve(config, {}, "", "", true, host_term).env, (Strings{"TERM=linux", "A=1"}));
    EXPECT_EQ(resolve(config, {}, "", "", false, host_term).env, (Strings{"TERM=linux", "A=1"}));
  }
  config.env = {{"TERM", ""}};  // even an empty one
  EXPECT_EQ(resolve(config, {}, "", "", true, "xterm").env, Strings{"TERM="});
}

// Precedence, highest first: the exec's TERM, the sandbox's TERM, the host's TERM, xterm.
TEST(ResolveExecSettings, ExecTermWinsOverSandboxAndHostTerms) {
  SandboxConfig config;
  config.env = {{"TERM", "linux"}};
  EXPECT_EQ(resolve(config, {{"TERM", "vt100"}}, "", "", true, "xterm-kitty").env,
            Strings{"TERM=vt100"});
  EXPECT_EQ(resolve(config, {{"TERM", "vt100"}}, "", "", true, "").env, Strings{"TERM=vt100"});
  EXPECT_EQ(resolve(config, {{"TERM", "vt100"}}, "", "", false, "").env, Strings{"TERM=vt100"});
}

}  // namespace
}  // namespace msb::config
