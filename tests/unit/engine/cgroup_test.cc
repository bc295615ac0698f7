// The pure parts of CgroupDir: names, detection, paths and control-file contents for both
// cgroup versions. Creating real cgroups needs root: tests/integration/security.
#include "engine/ns/cgroup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/ns/cgroup_driver.h"
#include "os/file.h"
#include "scoped_env.h"

namespace msb::engine::ns {

// Found by argument-dependent lookup: outside the anonymous namespace.
void PrintTo(const CgroupWrite& write, std::ostream* out) {
  *out << write.path << " = \"" << write.value << "\"";
  if (write.only_if_present) *out << " (if present)";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(CgroupName, AcceptsSandboxStyleNames) {
  for (const char* name : {"a", "job-1", "my_box.v2-0123abcd", "A9"}) {
    EXPECT_TRUE(validate_cgroup_name(name).has_value()) << name;
  }
  EXPECT_TRUE(validate_cgroup_name(std::string(255, 'x')).has_value());
}

TEST(CgroupName, RejectsNamesThatLeaveTheParent) {
  for (const char* name : {"", ".", "..", "a/b", "/abs", "../x", ".hidden", "a b", "a\nb"}) {
    Result<void> valid = validate_cgroup_name(name);
    ASSERT_FALSE(valid.has_value()) << name;
    EXPECT_EQ(valid.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_FALSE(validate_cgroup_name(std::string(256, 'x')).has_value());
}

TEST(CgroupName, CreateRejectsABadNameBeforeTouchingAnything) {
  testing::ScopedEnv root("MSB_CGROUP_ROOT", "/msb-no-such-cgroup-root");
  for (const char* name : {"", "..", "a/b"}) {
    Result<CgroupDir> dir = CgroupDir::create(name, {});
    ASSERT_FALSE(dir.has_value());
    EXPECT_EQ(dir.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(CgroupRoot, DefaultsToSysFsCgroup) {
  testing::ScopedEnv root("MSB_CGROUP_ROOT", std::nullopt);
  EXPECT_EQ(cgroup_root(), "/sys/fs/cgroup");
}

TEST(CgroupRoot, EnvironmentOverrides) {
  testing::ScopedEnv root("MSB_CGROUP_ROOT", "/tmp/fake-cgroup");
  EXPECT_EQ(cgroup_root(), "/tmp/fake-cgroup");
}

class CgroupDetection : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-cgroup-detect-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
  }
  const std::string& root() const { return dir_->path(); }

  std::optional<os::TempDir> dir_;
};

TEST_F(CgroupDetection, UnifiedTreeIsV2) {
  ASSERT_TRUE(os::write_file(root() + "/cgroup.controllers", "cpu memory pids\n").has_value());
  Result<const CgroupDriver*> driver = detect_cgroup_driver(root());
  ASSERT_TRUE(driver.has_value()) << driver.error().message;
  EXPECT_TRUE((*driver)->is_v2());
}

TEST_F(CgroupDetection, ControllerHierarchiesAreV1) {
  ASSERT_TRUE(os::make_dirs(root() + "/memory").has_value());
  ASSERT_TRUE(os::make_dirs(root() + "/unified").has_value());  // hybrid mode
  Result<const CgroupDriver*> driver = detect_cgroup_driver(root());
  ASSERT_TRUE(driver.has_value()) << driver.error().message;
  EXPECT_FALSE((*driver)->is_v2());
}

TEST_F(CgroupDetection, NoCgroupFilesystemIsUnsupported) {
  Result<const CgroupDriver*> driver = detect_cgroup_driver(root());
  ASSERT_FALSE(driver.has_value());
  EXPECT_EQ(driver.error().kind, ErrorKind::kUnsupported);
  EXPECT_THAT(driver.error().message, ::testing::HasSubstr(root()));
}

TEST_F(CgroupDetection, V1WithoutItsHierarchiesIsUnsupported) {
  ASSERT_TRUE(os::make_dirs(root() + "/memory").has_value());
  testing::ScopedEnv env("MSB_CGROUP_ROOT", root());
  Result<CgroupDir> dir = CgroupDir::create("box", {});
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::kUnsupported);
  EXPECT_THAT(dir.error().message, ::testing::HasSubstr(root() + "/memory"));
}

TEST_F(CgroupDetection, V2WithoutTheControllersIsUnsupported) {
  ASSERT_TRUE(os::write_file(root() + "/cgroup.controllers", "cpuset io memory\n").has_value());
  testing::ScopedEnv env("MSB_CGROUP_ROOT", root());
  Result<CgroupDir> dir = CgroupDir::create("box", {});
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::kUnsupported);
  EXPECT_THAT(dir.error().message, ::testing::HasSubstr("controller cpu"));
}

TEST(CgroupV1, OneLeafPerHierarchyUnderMsb) {
  EXPECT_THAT(cgroup_v1_driver().leaf_paths("/r", "box-1"),
              ElementsAre("/r/memory/msb/box-1", "/r/pids/msb/box-1", "/r/cpu/msb/box-1"));
}

TEST(CgroupV1, LimitFiles) {
  const CgroupDriver& v1 = cgroup_v1_driver();
  std::vector<std::string> leaves = v1.leaf_paths("/r", "b");
  CgroupLimits limits{.memory_bytes = 32 << 20, .pids_max = 16, .cpus = 2};
  EXPECT_THAT(
      v1.limit_writes(leaves, limits),
      ElementsAre(CgroupWrite{"/r/memory/msb/b/memory.limit_in_bytes", "33554432"},
                  CgroupWrite{"/r/memory/msb/b/memory.memsw.limit_in_bytes", "33554432", true},
                  CgroupWrite{"/r/pids/msb/b/pids.max", "16"},
                  CgroupWrite{"/r/cpu/msb/b/cpu.cfs_period_us", "100000"},
                  CgroupWrite{"/r/cpu/msb/b/cpu.cfs_quota_us", "200000"}));
  EXPECT_EQ(v1.oom_counter_path(leaves), "/r/memory/msb/b/memory.oom_control");
}

TEST(CgroupV1, NoLimitsWriteNothing) {
  const CgroupDriver& v1 = cgroup_v1_driver();
  EXPECT_THAT(v1.limit_writes(v1.leaf_paths("/r", "b"), {}), IsEmpty());
}

TEST(CgroupV2, OneLeafInTheUnifiedTree) {
  EXPECT_THAT(cgroup_v2_driver().leaf_paths("/r", "box-1"), ElementsAre("/r/msb/box-1"));
}

TEST(CgroupV2, LimitFiles) {
  const CgroupDriver& v2 = cgroup_v2_driver();
  std::vector<std::string> leaves = v2.leaf_paths("/r", "b");
  CgroupLimits limits{.memory_bytes = 512 << 20, .pids_max = 100, .cpus = 3};
  EXPECT_THAT(v2.limit_writes(leaves, limits),
              ElementsAre(CgroupWrite{"/r/msb/b/memory.max", "536870912"},
                          CgroupWrite{"/r/msb/b/memory.swap.max", "0", true},
                          CgroupWrite{"/r/msb/b/pids.max", "100"},
                          CgroupWrite{"/r/msb/b/cpu.max", "300000 100000"}));
  EXPECT_EQ(v2.oom_counter_path(leaves), "/r/msb/b/memory.events");
}

TEST(CgroupV2, OnlySomeLimits) {
  const CgroupDriver& v2 = cgroup_v2_driver();
  EXPECT_THAT(v2.limit_writes(v2.leaf_paths("/r", "b"), {.pids_max = 7}),
              ElementsAre(CgroupWrite{"/r/msb/b/pids.max", "7"}));
  EXPECT_THAT(v2.limit_writes(v2.leaf_paths("/r", "b"), {}), IsEmpty());
}

TEST(CgroupV2, CpuMaxIsQuotaThenPeriod) {
  EXPECT_EQ(cgroup_cpu_max(1), "100000 100000");
  EXPECT_EQ(cgroup_cpu_max(64), "6400000 100000");
}

TEST(CgroupV2, SubtreeControlEnablesOnlyWhatIsMissing) {
  EXPECT_EQ(cgroup_v2_subtree_control_change(""), "+cpu +memory +pids");
  EXPECT_EQ(cgroup_v2_subtree_control_change("memory io\n"), "+cpu +pids");
  EXPECT_EQ(cgroup_v2_subtree_control_change("cpuset cpu io memory hugetlb pids rdma\n"), "");
  // "cpuset" is not "cpu".
  EXPECT_EQ(cgroup_v2_subtree_control_change("cpuset memory pids"), "+cpu");
}

TEST(CgroupV2, MissingControllers) {
  EXPECT_THAT(cgroup_v2_missing_controllers("cpuset cpu io memory pids\n"), IsEmpty());
  EXPECT_THAT(cgroup_v2_missing_controllers("io memory\n"), ElementsAre("cpu", "pids"));
}

TEST(CgroupFiles, ParsesCounters) {
  std::string v1_oom_control = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
  EXPECT_EQ(parse_cgroup_counter(v1_oom_control, "oom_kill"), 3u);
  std::string v2_events = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n";
  EXPECT_EQ(parse_cgroup_counter(v2_events, "oom_kill"), 2u);
  EXPECT_EQ(parse_cgroup_counter(v2_events, "oom"), 2u);
  EXPECT_EQ(parse_cgroup_counter(v2_events, "max"), 12u);
  EXPECT_EQ(parse_cgroup_counter("oom_kill_disable 0\n", "oom_kill"), std::nullopt);
  EXPECT_EQ(parse_cgroup_counter("oom_kill x\n", "oom_kill"), std::nullopt);
  EXPECT_EQ(parse_cgroup_counter("", "oom_kill"), std::nullopt);
}

TEST(CgroupFiles, ParsesProcs) {
  EXPECT_THAT(parse_cgroup_procs("12\n345\n6\n"), ElementsAre(12, 345, 6));
  EXPECT_THAT(parse_cgroup_procs("7"), ElementsAre(7));
  EXPECT_THAT(parse_cgroup_procs(""), IsEmpty());
}

}  // namespace
}  // namespace msb::engine::ns
