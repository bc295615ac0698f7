#include "os/process_stat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include "os/child_process.h"
#include "os/system.h"
#include "wait_until.h"

namespace msb::os {
namespace {

using ::msb::testing::wait_until;
using std::chrono::seconds;

// A real line's shape (a kernel 6.1 /proc/<pid>/stat), fields 1-25 of 52.
constexpr std::string_view kLineTail =
    " S 1 4242 4242 0 -1 4194560 1092 0 0 0 3 1 0 0 20 0 1 0 98765 2453504 190";

TEST(ProcessStat, ParsesPlainLine) {
  std::optional<ProcessStat> stat = ProcessStat::parse("4242 (sleep)" + std::string(kLineTail));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "sleep");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent_pid, 1);
  EXPECT_EQ(stat->process_group, 4242);
  EXPECT_EQ(stat->start_time, 98765u);
  EXPECT_TRUE(stat->alive());
}

// A process may name itself anything (prctl PR_SET_NAME): the name ends at the last ')'.
TEST(ProcessStat, CommWithSpacesAndParenthesesEndsAtLastParenthesis) {
  std::string line = "4242 (a) Z 7 ( x) R)" + std::string(kLineTail) + "\n";
  std::optional<ProcessStat> stat = ProcessStat::parse(line);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "a) Z 7 ( x) R");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent_pid, 1);
  EXPECT_EQ(stat->start_time, 98765u);
}

TEST(ProcessStat, ZombieAndDeadTaskAreNotAlive) {
  for (char state : {'Z', 'X'}) {
    std::string line = "4242 (sleep) " + std::string(1, state) + std::string(kLineTail.substr(2));
    std::optional<ProcessStat> stat = ProcessStat::parse(line);
    ASSERT_TRUE(stat.has_value()) << line;
    EXPECT_EQ(stat->state, state);
    EXPECT_FALSE(stat->alive()) << state;
  }
}

TEST(ProcessStat, RejectsTruncatedAndGarbageLines) {
  for (std::string_view text :
       {"", "4242", "4242 (sleep", "(sleep) S 1", "x42 (sleep) S 1 2 3", "4242 (sleep) S 1 4242",
        "4242 (sleep) S 1 4242 4242 0 -1 4194560 1092 0 0 0 3 1 0 0 20 0 1 0 notanumber 1",
        "4242 (sleep) SS 1 4242 4242 0 -1 4194560 1092 0 0 0 3 1 0 0 20 0 1 0 98765 1"}) {
    EXPECT_FALSE(ProcessStat::parse(text).has_value()) << text;
  }
}

TEST(ProcessStat, ReadsOurOwnProcess) {
  std::optional<ProcessStat> stat = ProcessStat::read(current_pid());
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, current_pid());
  EXPECT_EQ(stat->parent_pid, static_cast<int>(::getppid()));
  EXPECT_EQ(stat->process_group, static_cast<int>(::getpgrp()));
  EXPECT_EQ(stat->state, 'R');  // it is reading its own stat
  EXPECT_TRUE(stat->alive());
  EXPECT_GT(stat->start_time, 0u);
  EXPECT_EQ(process_start_time(current_pid()), stat->start_time);
}

TEST(ProcessStat, ExitedUnreapedChildIsAZombieThenGone) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"true"}});
  ASSERT_TRUE(child.has_value()) << child.error().message;
  int pid = child->pid();
  std::optional<ProcessStat> last;
  // It exits at once, and stays a zombie until we reap it.
  EXPECT_TRUE(wait_until(
      [&] {
        last = ProcessStat::read(pid);
        return last && last->state == 'Z';
      },
      seconds(10)))
      << "state " << (last ? last->state : '-');
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->pid, pid);
  EXPECT_EQ(last->parent_pid, current_pid());
  EXPECT_FALSE(last->alive());
  ASSERT_TRUE(child->wait().has_value());
  EXPECT_FALSE(ProcessStat::read(pid).has_value()) << "a reaped child has no /proc entry";
}

TEST(ProcessStat, NoSuchProcess) {
  EXPECT_FALSE(ProcessStat::read(0x3fffffff).has_value());  // above any pid_max
  EXPECT_FALSE(ProcessStat::read(0).has_value());
  EXPECT_FALSE(ProcessStat::read(-1).has_value());
}

}  // namespace
}  // namespace msb::os
