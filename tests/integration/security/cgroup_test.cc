// CgroupDir on the host's real cgroup filesystem (v1 or v2, whichever is mounted).
// Needs root and a writable cgroupfs mounted; skips with the reason otherwise, and fails when
// the driver cannot use the cgroupfs that is there.
#include "engine/ns/cgroup.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/ns/cgroup_driver.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"
#include "os/process_handle.h"

namespace msb::engine::ns {
namespace {

using std::chrono::milliseconds;

std::string name_prefix() { return fmt::format("msb-test-{}-", ::getpid()); }

std::string unique_name(std::string_view what) {
  static int counter = 0;
  return fmt::format("{}{}-{}", name_prefix(), what, counter++);
}

// A control file's content without the trailing newline; "<error>" when unreadable.
std::string control(const std::string& path) {
  Result<std::string> text = os::read_file(path);
  if (!text) return "<" + text.error().message + ">";
  while (!text->empty() && text->back() == '\n') text->pop_back();
  return *text;
}

bool lists_pid(const std::string& dir, int pid) {
  for (int listed : parse_cgroup_procs(control(dir + "/cgroup.procs"))) {
    if (listed == pid) return true;
  }
  return false;
}

bool all_gone(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (os::path_exists(path)) return false;
  }
  return true;
}

// The first read-write cgroup or cgroup2 mount at or under `root`, as "<type> at <path>";
// "" when there is none.
std::string writable_cgroupfs(const std::string& root) {
  Result<std::string> mounts = os::read_file("/proc/self/mounts");
  if (!mounts) return "";
  std::istringstream lines(*mounts);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string source, path, type, options;
    if (!(fields >> source >> path >> type >> options)) continue;
    bool under_root = path == root || path.rfind(root + "/", 0) == 0;
    bool read_write = options == "rw" || options.rfind("rw,", 0) == 0;
    if ((type == "cgroup" || type == "cgroup2") && under_root && read_write)
      return type + " at " + path;
  }
  return "";
}

// Holds forked children at their start until the test has moved them into a cgroup.
class Gate {
 public:
  Gate() : pipe_(std::move(*os::make_pipe())) {}
  // In the child: blocks until open() (or the test is gone).
  void pass() const {
    char byte;
    (void)os::read_some(pipe_.read.get(), std::span(&byte, 1));
  }
  void open() { ASSERT_TRUE(os::write_all(pipe_.write.get(), "go").has_value()); }

 private:
  os::PipePair pipe_;
};

// A child body that never returns (until killed).
int sleep_forever() {
  for (;;) ::pause();
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root";
    // What the host offers is read from /proc/self/mounts, apart from the code under test:
    // with a writable cgroupfs mounted, the driver and a first cgroup must work.
    std::string writable = writable_cgroupfs(cgroup_root());
    if (writable.empty())
      GTEST_SKIP() << "no writable cgroup filesystem mounted under " << cgroup_root();
    Result<const CgroupDriver*> driver = detect_cgroup_driver(cgroup_root());
    ASSERT_TRUE(driver.has_value()) << "with " << writable << ": " << driver.error().message;
    driver_ = *driver;
    Result<CgroupDir> probe = CgroupDir::create(unique_name("probe"), {});
    ASSERT_TRUE(probe.has_value()) << "with " << writable << ": " << probe.error().message;
  }

  // Nothing of ours is left behind in any hierarchy.
  void TearDown() override {
    if (driver_ == nullptr) return;
    for (const std::string& leaf : driver_->leaf_paths(cgroup_root(), "x")) {
      std::string parent = leaf.substr(0, leaf.rfind('/'));
      for (const std::string& name : os::list_dir(parent)) {
        EXPECT_NE(name.rfind(name_prefix(), 0), 0u) << parent << "/" << name << " left behind";
      }
    }
  }

  // Forks a child that waits at `gate` and then runs `body`, and moves it into `cgroup`.
  os::ChildProcess start_inside(CgroupDir& cgroup, Gate& gate, const std::function<int()>& body) {
    Result<os::ChildProcess> child = os::ChildProcess::fork_and_run([&] {
      gate.pass();
      return body();
    });
    MSB_CHECK(child.has_value());
    Result<void> added = cgroup.add_process(child->pid());
    EXPECT_TRUE(added.has_value()) << added.error().message;
    gate.open();
    return std::move(*child);
  }

  const CgroupDriver* driver_ = nullptr;
};

TEST_F(CgroupTest, LimitsAreWrittenAndReadBack) {
  Result<CgroupDir> cgroup = CgroupDir::create(
      unique_name("limits"), {.memory_bytes = 64 << 20, .pids_max = 32, .cpus = 2});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  std::vector<std::string> paths = cgroup->paths();
  if (cgroup->is_v2()) {
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_EQ(control(paths[0] + "/memory.max"), "67108864");
    if (os::path_exists(paths[0] + "/memory.swap.max")) {
      EXPECT_EQ(control(paths[0] + "/memory.swap.max"), "0");
    }
    EXPECT_EQ(control(paths[0] + "/pids.max"), "32");
    EXPECT_EQ(control(paths[0] + "/cpu.max"), "200000 100000");
  } else {
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(control(paths[0] + "/memory.limit_in_bytes"), "67108864");
    if (os::path_exists(paths[0] + "/memory.memsw.limit_in_bytes")) {
      EXPECT_EQ(control(paths[0] + "/memory.memsw.limit_in_bytes"), "67108864");
    }
    EXPECT_EQ(control(paths[1] + "/pids.max"), "32");
    EXPECT_EQ(control(paths[2] + "/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(control(paths[2] + "/cpu.cfs_quota_us"), "200000");
  }
  Result<uint64_t> oom_kills = cgroup->oom_kills();
  ASSERT_TRUE(oom_kills.has_value()) << oom_kills.error().message;
  EXPECT_EQ(*oom_kills, 0u);
}

TEST_F(CgroupTest, AddedProcessIsListedInEveryHierarchy) {
  Result<CgroupDir> cgroup = CgroupDir::create(unique_name("add"), {});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  Gate gate;
  os::ChildProcess child = start_inside(*cgroup, gate, [] { return sleep_forever(); });
  for (const std::string& path : cgroup->paths()) EXPECT_TRUE(lists_pid(path, child.pid())) << path;
  EXPECT_FALSE(lists_pid(cgroup->paths()[0], ::getpid()));
}

TEST_F(CgroupTest, ForkBombIsBoundedByPidsMax) {
  Result<CgroupDir> cgroup = CgroupDir::create(unique_name("pids"), {.pids_max = 16});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  Gate gate;
  // Exit code: how many children it forked before fork failed with EAGAIN.
  os::ChildProcess bomb = start_inside(*cgroup, gate, [] {
    for (int forked = 0; forked < 100; ++forked) {
      Result<os::ChildProcess> child =
          os::ChildProcess::fork_and_run([] { return sleep_forever(); });
      if (!child) return child.error().sys_errno == EAGAIN ? forked : 250;
      child->detach();  // left running inside for remove() to kill
    }
    return 251;
  });
  Result<std::optional<os::ExitStatus>> status = bomb.wait_for(milliseconds(10000));
  ASSERT_TRUE(status.has_value() && status->has_value()) << "fork bomb did not stop";
  EXPECT_EQ((*status)->code, 15);  // 16 with itself
  Result<void> removed = cgroup->remove();
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
}

TEST_F(CgroupTest, MemoryHogIsOomKilled) {
  Result<CgroupDir> cgroup = CgroupDir::create(unique_name("oom"), {.memory_bytes = 32 << 20});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  Gate gate;
  os::ChildProcess hog = start_inside(*cgroup, gate, [] {
    // 256 MiB, every page touched, nothing freed.
    for (int mib = 0; mib < 256; ++mib) {
      void* chunk = std::malloc(1 << 20);
      if (chunk == nullptr) return 1;
      std::memset(chunk, 0x5a, 1 << 20);
      asm volatile("" : : "r"(chunk) : "memory");  // the compiler must not drop the pages
    }
    return 0;
  });
  Result<std::optional<os::ExitStatus>> status = hog.wait_for(milliseconds(30000));
  ASSERT_TRUE(status.has_value() && status->has_value()) << "memory hog did not stop";
  EXPECT_EQ((*status)->signal, SIGKILL) << "exit code " << (*status)->code;
  Result<uint64_t> oom_kills = cgroup->oom_kills();
  ASSERT_TRUE(oom_kills.has_value()) << oom_kills.error().message;
  EXPECT_GE(*oom_kills, 1u);
}

TEST_F(CgroupTest, RemoveKillsLeftoversAndDeletesEveryDirectory) {
  Result<CgroupDir> cgroup = CgroupDir::create(unique_name("remove"), {.pids_max = 8});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  os::PipePair report = *os::make_pipe();
  Gate gate;
  // The child forks a grandchild (which is not our child: only the cgroup finds it).
  os::ChildProcess child = start_inside(*cgroup, gate, [&] {
    Result<os::ChildProcess> grandchild =
        os::ChildProcess::fork_and_run([] { return sleep_forever(); });
    if (!grandchild) return 1;
    int pid = grandchild->pid();
    grandchild->detach();
    (void)os::write_all(report.write.get(),
                        std::string_view(reinterpret_cast<char*>(&pid), sizeof pid));
    return sleep_forever();
  });
  int grandchild_pid = 0;
  ASSERT_TRUE(os::read_exact(report.read.get(), std::span(reinterpret_cast<char*>(&grandchild_pid),
                                                          sizeof grandchild_pid))
                  .has_value());
  Result<std::optional<os::ProcessHandle>> grandchild = os::ProcessHandle::open(grandchild_pid, 0);
  ASSERT_TRUE(grandchild.has_value() && grandchild->has_value());
  std::vector<std::string> paths = cgroup->paths();

  Result<void> removed = cgroup->remove();
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  EXPECT_TRUE(all_gone(paths));
  EXPECT_TRUE(cgroup->paths().empty());
  Result<os::ExitStatus> status = child.wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL);
  Result<bool> grandchild_exited = (*grandchild)->wait_exit(milliseconds(5000));
  EXPECT_TRUE(grandchild_exited.has_value() && *grandchild_exited);
  // Idempotent.
  EXPECT_TRUE(cgroup->remove().has_value());
  Result<void> added = cgroup->add_process(::getpid());
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().kind, ErrorKind::kNotFound);
}

TEST_F(CgroupTest, DestructorRemovesTheCgroupAndItsProcesses) {
  std::vector<std::string> paths;
  std::optional<os::ChildProcess> child;
  {
    Result<CgroupDir> cgroup = CgroupDir::create(unique_name("dtor"), {});
    ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
    paths = cgroup->paths();
    Gate gate;
    child = start_inside(*cgroup, gate, [] { return sleep_forever(); });
  }
  EXPECT_TRUE(all_gone(paths));
  Result<std::optional<os::ExitStatus>> status = child->wait_for(milliseconds(5000));
  ASSERT_TRUE(status.has_value() && status->has_value());
  EXPECT_EQ((*status)->signal, SIGKILL);
}

TEST_F(CgroupTest, TwoCgroupsCoexist) {
  Result<CgroupDir> first = CgroupDir::create(unique_name("first"), {.pids_max = 10});
  Result<CgroupDir> second = CgroupDir::create(unique_name("second"), {.pids_max = 20});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  std::vector<std::string> first_paths = first->paths();
  std::vector<std::string> second_paths = second->paths();
  EXPECT_NE(first_paths, second_paths);
  size_t pids = first->is_v2() ? 0 : 1;
  EXPECT_EQ(control(first_paths[pids] + "/pids.max"), "10");
  EXPECT_EQ(control(second_paths[pids] + "/pids.max"), "20");
  ASSERT_TRUE(first->remove().has_value());
  EXPECT_TRUE(all_gone(first_paths));
  for (const std::string& path : second_paths) EXPECT_TRUE(os::is_directory(path)) << path;
}

TEST_F(CgroupTest, ExistingNameIsAlreadyExistsAndLeftAlone) {
  std::string name = unique_name("twice");
  Result<CgroupDir> first = CgroupDir::create(name, {});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  Result<CgroupDir> second = CgroupDir::create(name, {});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_NE(second.error().message.find(first->paths()[0]), std::string::npos)
      << second.error().message;
  for (const std::string& path : first->paths()) EXPECT_TRUE(os::is_directory(path)) << path;
}

TEST_F(CgroupTest, BadNamesAreRejected) {
  for (const char* name : {"", "..", "a/b", "../escape"}) {
    Result<CgroupDir> cgroup = CgroupDir::create(name, {});
    ASSERT_FALSE(cgroup.has_value()) << name;
    EXPECT_EQ(cgroup.error().kind, ErrorKind::kInvalidArgument) << name;
  }
}

TEST_F(CgroupTest, MovedFromCgroupOwnsNothing) {
  Result<CgroupDir> cgroup = CgroupDir::create(unique_name("move"), {});
  ASSERT_TRUE(cgroup.has_value()) << cgroup.error().message;
  std::vector<std::string> paths = cgroup->paths();
  CgroupDir moved = std::move(*cgroup);
  EXPECT_TRUE(cgroup->paths().empty());
  EXPECT_EQ(moved.paths(), paths);
  ASSERT_TRUE(cgroup->remove().has_value());
  for (const std::string& path : paths) EXPECT_TRUE(os::is_directory(path)) << path;
}

}  // namespace
}  // namespace msb::engine::ns
