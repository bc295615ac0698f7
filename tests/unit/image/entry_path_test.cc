#include "image/entry_path.h"

#include <gtest/gtest.h>

namespace msb::image {
namespace {

TEST(EntryPath, CleansNamesInsideTheRoot) {
  EXPECT_EQ(clean_entry_path("etc/passwd").value(), "etc/passwd");
  EXPECT_EQ(clean_entry_path("./etc//passwd").value(), "etc/passwd");
  EXPECT_EQ(clean_entry_path("/etc/passwd").value(), "etc/passwd");
  EXPECT_EQ(clean_entry_path("etc/./x/../passwd").value(), "etc/passwd");
  EXPECT_EQ(clean_entry_path("dir/").value(), "dir");
  EXPECT_EQ(clean_entry_path("./").value(), "");
  EXPECT_EQ(clean_entry_path("").value(), "");
  EXPECT_EQ(clean_entry_path("a/..").value(), "");
  EXPECT_EQ(clean_entry_path("..a/b..").value(), "..a/b..");
}

TEST(EntryPath, RejectsClimbingAboveTheRoot) {
  for (const char* name : {"..", "../x", "/../x", "a/../../x", "./../../etc/x", "a/b/../../.."}) {
    Result<std::string> path = clean_entry_path(name);
    ASSERT_FALSE(path.has_value()) << name;
    EXPECT_EQ(path.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(EntryPath, SplitsBaseAndDirectory) {
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_EQ(dir_name("a/b/c"), "a/b");
  EXPECT_EQ(base_name("c"), "c");
  EXPECT_EQ(dir_name("c"), "");
}

}  // namespace
}  // namespace msb::image
