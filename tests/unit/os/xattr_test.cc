#include "os/xattr.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>

#include "os/file.h"

namespace msb::os {
namespace {

TEST(Xattr, SetGetAndListRoundTrip) {
  Result<TempDir> dir = TempDir::create("msb-xattr-test-");
  ASSERT_TRUE(dir.has_value());
  std::string path = dir->path() + "/f";
  ASSERT_TRUE(write_file(path, "").has_value());
  Fd fd = open_file(path, O_RDONLY).value();
  std::string big(3000, 'v');
  ASSERT_TRUE(set_xattr_fd(fd.get(), "user.big", big).has_value());
  ASSERT_TRUE(set_xattr_fd(fd.get(), "user.empty", "").has_value());
  EXPECT_EQ(get_xattr(path, "user.big").value_or(""), big);
  EXPECT_EQ(get_xattr(path, "user.empty").value_or("x"), "");
  Result<std::vector<std::string>> names = list_xattrs(path);
  ASSERT_TRUE(names.has_value());
  EXPECT_NE(std::find(names->begin(), names->end(), "user.big"), names->end());
  EXPECT_NE(std::find(names->begin(), names->end(), "user.empty"), names->end());
  EXPECT_EQ(get_xattr(path, "user.absent").error().sys_errno, ENODATA);
  EXPECT_FALSE(list_xattrs(dir->path() + "/missing").has_value());
}

}  // namespace
}  // namespace msb::os
