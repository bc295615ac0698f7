// What a spawned child starts with: fds, environment, cwd, signal mask, session.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"
#include "os/signals.h"

namespace msb::os {
namespace {

using std::chrono::milliseconds;

struct Captured {
  ExitStatus status;
  std::string out;
};

// Runs `options` with child fd 1 on a pipe and returns what it printed and how it ended.
Result<Captured> run_capture(SpawnOptions options) {
  PipePair pipe = MSB_TRY(make_pipe());
  options.fds.push_back({pipe.write.get(), 1});
  ChildProcess child = MSB_TRY(ChildProcess::spawn(options));
  pipe.write.reset();
  std::string out = MSB_TRY(read_to_end(pipe.read.get()));
  ExitStatus status = MSB_TRY(child.wait());
  return Captured{status, std::move(out)};
}

// The fd numbers open in process `pid`, ascending.
std::vector<int> open_fds(pid_t pid) {
  std::vector<int> fds;
  std::string dir_path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(dir_path.c_str());
  if (dir == nullptr) return fds;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') fds.push_back(std::atoi(entry->d_name));
  }
  ::closedir(dir);
  std::sort(fds.begin(), fds.end());
  return fds;
}

std::string fd_target(pid_t pid, int fd) {
  std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  char target[PATH_MAX] = {};
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  return n < 0 ? "" : std::string(target, static_cast<size_t>(n));
}

TEST(ChildProcess, FdMappedToOneCapturesStdout) {
  Result<Captured> run = run_capture({.argv = {"echo", "hello"}});
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->out, "hello\n");
  EXPECT_TRUE(run->status.success());
}

// A free fd number in [first, 9]; dash's redirections only take single-digit fds.
int free_small_fd(int first) {
  for (int fd = first; fd <= 9; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) return fd;
  }
  return -1;
}

TEST(ChildProcess, OverlappingMappingsSwapFds) {
  Result<PipePair> a = make_pipe();
  Result<PipePair> b = make_pipe();
  ASSERT_TRUE(a.has_value() && b.has_value());
  // Put the write ends at fds x and y, then hand them over crossed.
  int x = free_small_fd(3);
  ASSERT_NE(x, -1);
  Fd fd_x(::dup3(a->write.get(), x, O_CLOEXEC));
  int y = free_small_fd(x + 1);
  ASSERT_NE(y, -1);
  Fd fd_y(::dup3(b->write.get(), y, O_CLOEXEC));
  ASSERT_EQ(fd_x.get(), x);
  ASSERT_EQ(fd_y.get(), y);
  a->write.reset();
  b->write.reset();
  std::string script = "echo to_x >&" + std::to_string(x) + "; echo to_y >&" + std::to_string(y);
  SpawnOptions options{.argv = {"sh", "-c", script}};
  options.fds = {{x, y}, {y, x}};
  Result<ChildProcess> child = ChildProcess::spawn(options);
  ASSERT_TRUE(child.has_value()) << child.error().message;
  fd_x.reset();
  fd_y.reset();
  ASSERT_TRUE(child->wait().value().success());
  EXPECT_EQ(read_to_end(a->read.get()).value(), "to_y\n");
  EXPECT_EQ(read_to_end(b->read.get()).value(), "to_x\n");
}

TEST(ChildProcess, UnmappedStdioIsDevNull) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  for (int fd : {0, 1, 2}) EXPECT_EQ(fd_target(child->pid(), fd), "/dev/null") << fd;
}

// Opens a marker file without O_CLOEXEC, as careless code in our process might. The test
// looks for the marker, not for fd numbers: the child's loader briefly opens fds of its own.
class LeakedFd {
 public:
  void open_marker() {
    Result<TempDir> dir = TempDir::create("msb-child-leak-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    path_ = dir_->path() + "/leak-marker";
    fd_ = Fd(::open(path_.c_str(), O_WRONLY | O_CREAT, 0600));  // deliberately no O_CLOEXEC
    ASSERT_GE(fd_.get(), 3);
  }
  bool reached(pid_t pid) const {
    for (int fd : open_fds(pid)) {
      if (fd_target(pid, fd) == path_) return true;
    }
    return false;
  }
  int fd() const { return fd_.get(); }

 private:
  std::optional<TempDir> dir_;
  std::string path_;
  Fd fd_;
};

TEST(ChildProcess, NonCloexecFdDoesNotLeakIntoTheChild) {
  LeakedFd leaked;
  ASSERT_NO_FATAL_FAILURE(leaked.open_marker());
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(leaked.reached(::getpid()));
  EXPECT_FALSE(leaked.reached(child->pid()));
}

TEST(ChildProcess, NonCloexecFdBelowAHighMappingDoesNotLeak) {
  LeakedFd leaked;
  ASSERT_NO_FATAL_FAILURE(leaked.open_marker());
  ASSERT_LT(leaked.fd(), 100);
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  SpawnOptions options{.argv = {"sleep", "100"}};
  options.fds = {{pipe->write.get(), 100}};
  Result<ChildProcess> child = ChildProcess::spawn(options);
  ASSERT_TRUE(child.has_value());
  EXPECT_FALSE(leaked.reached(child->pid()));
  EXPECT_EQ(fd_target(child->pid(), 100), fd_target(::getpid(), pipe->write.get()));
}

TEST(ChildProcess, FailureIsReportedWhenAMappingTargetsTheReportFd) {
  Result<PipePair> pipe = make_pipe();
  ASSERT_TRUE(pipe.has_value());
  // spawn's internal report pipe takes the lowest free fds; map onto all of them.
  int lowest = free_small_fd(3);
  ASSERT_NE(lowest, -1);
  SpawnOptions options{.argv = {"true"}, .cwd = "/nonexistent-msb-cwd"};
  for (int fd = lowest; fd < lowest + 4; ++fd) options.fds.push_back({pipe->write.get(), fd});
  Result<ChildProcess> child = ChildProcess::spawn(options);
  ASSERT_FALSE(child.has_value()) << "the chdir failure was lost";
  EXPECT_EQ(child.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(child.error().message.find("chdir"), std::string::npos);
}

TEST(ChildProcess, TooManyFdMappingsAreRejected) {
  SpawnOptions options{.argv = {"true"}};
  for (int fd = 3; fd < 3 + 65; ++fd) options.fds.push_back({2, fd});
  Result<ChildProcess> child = ChildProcess::spawn(options);
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().kind, ErrorKind::kInvalidArgument);
}

TEST(ChildProcess, BlockedSigtermInTheParentIsUnblockedInTheChild) {
  Result<SignalFd> signals = SignalFd::create({SIGTERM});
  ASSERT_TRUE(signals.has_value());
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}});
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(child->signal(SIGTERM).has_value());
  Result<std::optional<ExitStatus>> status = child->wait_for(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->has_value()) << "SIGTERM stayed blocked in the child";
  EXPECT_EQ((*status)->signal, SIGTERM);
}

TEST(ChildProcess, EnvReplacesOurs) {
  ::setenv("MSB_CHILD_TEST_VAR", "leak", 1);
  Result<Captured> run = run_capture({.argv = {"env"}, .env = std::vector<std::string>{"A=1"}});
  ::unsetenv("MSB_CHILD_TEST_VAR");
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->out, "A=1\n");
}

TEST(ChildProcess, EnvIsInheritedByDefault) {
  ::setenv("MSB_CHILD_TEST_VAR", "inherited", 1);
  Result<Captured> run = run_capture({.argv = {"sh", "-c", "echo $MSB_CHILD_TEST_VAR"}});
  ::unsetenv("MSB_CHILD_TEST_VAR");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->out, "inherited\n");
}

TEST(ChildProcess, CwdIsApplied) {
  Result<TempDir> dir = TempDir::create("msb-child-cwd-");
  ASSERT_TRUE(dir.has_value());
  char* real = ::realpath(dir->path().c_str(), nullptr);
  ASSERT_NE(real, nullptr);
  std::string expected = std::string(real) + "\n";
  ::free(real);
  Result<Captured> run = run_capture({.argv = {"/bin/pwd", "-P"}, .cwd = dir->path()});
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->out, expected);
}

TEST(ChildProcess, MissingCwdIsNotFoundNamingChdir) {
  Result<ChildProcess> child =
      ChildProcess::spawn({.argv = {"true"}, .cwd = "/nonexistent-msb-cwd"});
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(child.error().message.find("chdir"), std::string::npos);
}

TEST(ChildProcess, NewSessionMakesTheChildASessionLeader) {
  Result<ChildProcess> child = ChildProcess::spawn({.argv = {"sleep", "100"}, .new_session = true});
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(::getsid(child->pid()), child->pid());
}

}  // namespace
}  // namespace msb::os
