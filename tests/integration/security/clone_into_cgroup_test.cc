// clone_sandbox_child straight into a cgroup v2 directory (CLONE_INTO_CGROUP) on the
// host's real cgroup v2 tree: the unified tree of a v2 host, or the controller-less one a
// hybrid host mounts at /sys/fs/cgroup/unified (this CI machine). Needs root; skips with
// the reason otherwise.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "engine/ns/child.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"
#include "os/system.h"

namespace msb::engine::ns {
namespace {

std::optional<std::string> v2_tree() {
  for (std::string root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (os::is_regular_file(root + "/cgroup.controllers")) return root;
  }
  return std::nullopt;
}

// A child that blocks waiting for its root mount (the first thing it does), until killed.
struct BlockedChild {
  os::Fd ours;
  os::ChildProcess process;
  bool in_cgroup;
};

BlockedChild clone_blocked(int cgroup_fd) {
  Result<os::SocketPair> pair = os::make_socketpair(SOCK_STREAM);
  EXPECT_TRUE(pair) << pair.error().message;
  os::Fd ours = std::move(pair->first);
  os::Fd theirs = std::move(pair->second);
  ChildPlan plan;
  plan.control_fd = theirs.get();
  plan.finalize();
  Result<ClonedChild> cloned = clone_sandbox_child(plan, cgroup_fd);
  EXPECT_TRUE(cloned) << cloned.error().message;
  return BlockedChild{std::move(ours),
                      os::ChildProcess::adopt(cloned->pid, std::move(cloned->pidfd)),
                      cloned->in_cgroup};
}

std::string cgroup_of(pid_t pid) {
  Result<std::string> text = os::read_file(fmt::format("/proc/{}/cgroup", pid));
  return text ? *text : "<" + text.error().message + ">";
}

TEST(CloneIntoCgroup, TheChildIsBornInTheV2Cgroup) {
  if (!os::running_as_root()) GTEST_SKIP() << "needs root";
  std::optional<std::string> tree = v2_tree();
  if (!tree) GTEST_SKIP() << "no cgroup v2 tree on this host";
  std::string name = fmt::format("msb-test-clone-{}", ::getpid());
  std::string dir = *tree + "/" + name;
  ASSERT_TRUE(os::make_dirs(dir)) << dir;
  Result<os::Fd> fd = os::open_file(dir, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(fd) << fd.error().message;

  BlockedChild child = clone_blocked(fd->get());
  EXPECT_TRUE(child.in_cgroup);
  // Read in our cgroup namespace: the full path, on the v2 line ("0::").
  EXPECT_NE(cgroup_of(child.process.pid()).find("0::/" + name + "\n"), std::string::npos)
      << cgroup_of(child.process.pid());
  Result<std::string> procs = os::read_file(dir + "/cgroup.procs");
  ASSERT_TRUE(procs) << procs.error().message;
  EXPECT_EQ(*procs, fmt::format("{}\n", child.process.pid()));

  Result<os::ExitStatus> status = child.process.kill_and_wait();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_EQ(::rmdir(dir.c_str()), 0) << dir;
}

TEST(CloneIntoCgroup, WithoutACgroupTheChildStaysInOurs) {
  if (!os::running_as_root()) GTEST_SKIP() << "needs root";
  std::string ours = cgroup_of(::getpid());
  BlockedChild child = clone_blocked(-1);
  EXPECT_FALSE(child.in_cgroup);
  EXPECT_EQ(cgroup_of(child.process.pid()), ours);
  Result<os::ExitStatus> status = child.process.kill_and_wait();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->signal, SIGKILL);
}

}  // namespace
}  // namespace msb::engine::ns
