// `msb shell` on a real terminal: tmux gives msb a pseudo-terminal of a known size, keys
// are typed with send-keys and the screen is read with capture-pane.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <sstream>
#include <thread>

#include "os/child_process.h"
#include "os/file.h"
#include "sandbox_suite.h"

namespace msb::testing {
namespace {

// A private tmux server (its own socket), killed when this goes.
class TmuxServer {
 public:
  explicit TmuxServer(std::string socket) : socket_(std::move(socket)) {}
  ~TmuxServer() { (void)run({"kill-server"}); }

  CliResult run(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"tmux", "-L", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    return SandboxSuite::run_host(argv, std::nullopt, std::chrono::seconds(30));
  }
  // The pane's text with its history, wrapped lines joined.
  std::string screen() const {
    return run({"capture-pane", "-p", "-J", "-S", "-500", "-t", "T"}).out;
  }
  // Polls the screen until `found` holds for it; returns the last screen.
  bool wait_for(const std::function<bool(const std::string&)>& found, std::string& last,
                std::chrono::seconds timeout = kSlow) const {
    return wait_until(
        [&] {
          last = screen();
          return found(last);
        },
        timeout);
  }

 private:
  std::string socket_;
};

bool has_line(const std::string& screen, const std::string& line) {
  for (const std::string& candidate : lines_of(screen)) {
    // Trailing blanks are the pane's padding.
    std::string trimmed = candidate.substr(0, candidate.find_last_not_of(' ') + 1);
    if (trimmed == line) return true;
  }
  return false;
}

// The whitespace-separated words of `text` (stty -a lists settings as words).
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) {
    if (word.back() == ';') word.pop_back();
    words.push_back(word);
  }
  return words;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class MsbShell : public SandboxSuite {};

TEST_F(MsbShell, InteractiveShellUnderTmuxResizesDetachesAndRestoresTheTerminal) {
  if (!os::find_host_executable("tmux")) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh)";
  Watchdog watchdog("msb shell under tmux", std::chrono::seconds(600));
  std::string config = scratch_dir("tmux-") + "/tmux.conf";
  // No status line: the pane is the whole 100x30 window.
  ASSERT_TRUE(os::write_file(config, "set -g status off\n"));
  TmuxServer tmux("msb-xfs-" + std::to_string(::getpid()));
  std::string pane_command = "env MSB_HOME=" + shell_quote(home()) + " " + shell_quote(MSB_BIN) +
                             " shell " + sandbox_name() + "; echo msb-exit=$?; stty -a; sleep 120";
  CliResult started = tmux.run(
      {"-f", config, "new-session", "-d", "-s", "T", "-x", "100", "-y", "30", pane_command});
  ASSERT_EQ(started.exit_code, 0) << started.err;

  std::string screen;
  // busybox ash's prompt for root ends in "# ".
  ASSERT_TRUE(tmux.wait_for(
      [](const std::string& text) { return text.find("# ") != std::string::npos; }, screen))
      << "no prompt:\n"
      << screen;
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "echo hello-$((6*7))", "Enter"}).exit_code, 0);
  EXPECT_TRUE(
      tmux.wait_for([](const std::string& text) { return has_line(text, "hello-42"); }, screen))
      << screen;
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "stty size", "Enter"}).exit_code, 0);
  EXPECT_TRUE(
      tmux.wait_for([](const std::string& text) { return has_line(text, "30 100"); }, screen))
      << screen;

  // ctrl-] detaches: msb ends (exit 0), and the pane's own terminal is cooked again.
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "C-]"}).exit_code, 0);
  auto settings_after_exit = [](const std::string& text) {
    size_t marker = text.find("msb-exit=");
    if (marker == std::string::npos) return std::vector<std::string>();
    return words_of(text.substr(marker));
  };
  bool listed = tmux.wait_for(
      [&](const std::string& text) {
        std::vector<std::string> words = settings_after_exit(text);
        auto has = [&](const char* word) {
          return std::find(words.begin(), words.end(), word) != words.end();
        };
        return (has("icanon") || has("-icanon")) && (has("echo") || has("-echo")) &&
               (has("isig") || has("-isig"));
      },
      screen);
  ASSERT_TRUE(listed) << "msb did not end, or stty -a did not run:\n" << screen;
  std::vector<std::string> words = settings_after_exit(screen);
  ASSERT_FALSE(words.empty());
  EXPECT_EQ(words.front(), "msb-exit=0") << screen;
  for (const char* setting : {"icanon", "echo", "isig", "opost"}) {
    EXPECT_NE(std::find(words.begin(), words.end(), setting), words.end())
        << setting << " is off: the terminal was left raw\n"
        << screen;
  }
  EXPECT_EQ(tmux.run({"kill-server"}).exit_code, 0);
}

TEST_F(MsbShell, CustomDetachKeysLeaveOtherKeysAloneAndTheTerminalAsItWas) {
  if (!os::find_host_executable("tmux")) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh)";
  Watchdog watchdog("msb shell --detach-keys under tmux", std::chrono::seconds(600));
  std::string scratch = scratch_dir("tmux-keys-");
  ASSERT_TRUE(os::write_file(scratch + "/tmux.conf", "set -g status off\n"));
  TmuxServer tmux("msb-xfs-keys-" + std::to_string(::getpid()));
  // The pane's terminal settings before and after msb, compared in the pane itself.
  std::string before = shell_quote(scratch + "/stty.before");
  std::string after = shell_quote(scratch + "/stty.after");
  std::string pane_command = "stty -a > " + before + "; env MSB_HOME=" + shell_quote(home()) + " " +
                             shell_quote(MSB_BIN) + " shell --detach-keys ctrl-p,ctrl-q " +
                             sandbox_name() + "; echo msb-exit=$?; stty -a > " + after +
                             "; cmp -s " + before + " " + after +
                             " && echo stty-unchanged || echo stty-changed; sleep 120";
  CliResult started = tmux.run({"-f", scratch + "/tmux.conf", "new-session", "-d", "-s", "T", "-x",
                                "100", "-y", "30", pane_command});
  ASSERT_EQ(started.exit_code, 0) << started.err;

  std::string screen;
  ASSERT_TRUE(tmux.wait_for(
      [](const std::string& text) { return text.find("# ") != std::string::npos; }, screen))
      << "no prompt:\n"
      << screen;
  // The default key is plain input now: the shell gets it (and an Enter to end the line).
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "C-]", "Enter"}).exit_code, 0);
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "echo still-$((6*7))", "Enter"}).exit_code, 0);
  EXPECT_TRUE(
      tmux.wait_for([](const std::string& text) { return has_line(text, "still-42"); }, screen))
      << screen;
  EXPECT_EQ(screen.find("msb-exit="), std::string::npos) << "ctrl-] detached:\n" << screen;

  // ctrl-p then ctrl-q detaches; msb says so, exits 0 and leaves the terminal as it was.
  ASSERT_EQ(tmux.run({"send-keys", "-t", "T", "C-p", "C-q"}).exit_code, 0);
  bool compared = tmux.wait_for(
      [](const std::string& text) { return text.find("stty-") != std::string::npos; }, screen);
  ASSERT_TRUE(compared) << "msb did not end:\n" << screen;
  EXPECT_TRUE(has_line(screen, "msb-exit=0")) << screen;
  EXPECT_NE(screen.find("msb: detached"), std::string::npos) << screen;
  EXPECT_TRUE(has_line(screen, "stty-unchanged")) << screen;
  Result<std::string> settings_before = os::read_file(scratch + "/stty.before");
  Result<std::string> settings_after = os::read_file(scratch + "/stty.after");
  ASSERT_TRUE(settings_before && settings_after);
  EXPECT_EQ(*settings_after, *settings_before);
  EXPECT_EQ(tmux.run({"kill-server"}).exit_code, 0);
}

TEST_F(MsbShell, BadDetachKeysAreRejectedBeforeAnythingRuns) {
  CliResult result = msb({"shell", "--detach-keys", "ctrl-p,ctrl-", sandbox_name()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("--detach-keys: detach keys 'ctrl-p,ctrl-'"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("unknown key 'ctrl-'"));
}

}  // namespace
}  // namespace msb::testing
