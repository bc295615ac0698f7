#include "os/disk_usage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "os/file.h"
#include "os/system.h"

namespace msb::os {
namespace {

TEST(DiskUsage, CountsBlocksOfTheTreeAndHardlinksOnce) {
  Result<TempDir> dir = TempDir::create("msb-du-test-");
  ASSERT_TRUE(dir.has_value());
  ASSERT_TRUE(make_dirs(dir->path() + "/a/b").has_value());
  uint64_t empty = disk_usage(dir->path()).value();
  ASSERT_TRUE(write_file(dir->path() + "/a/b/f", std::string(1 << 20, 'x')).has_value());
  uint64_t with_file = disk_usage(dir->path()).value();
  EXPECT_GE(with_file - empty, uint64_t{1} << 20);
  ASSERT_EQ(::link((dir->path() + "/a/b/f").c_str(), (dir->path() + "/g").c_str()), 0);
  ASSERT_TRUE(make_symlink("a/b/f", dir->path() + "/s").has_value());
  EXPECT_LT(disk_usage(dir->path()).value() - with_file, uint64_t{1} << 20);
  EXPECT_EQ(disk_usage(dir->path() + "/missing").error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
