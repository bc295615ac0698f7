#include "image/archive_api.h"

#include <gtest/gtest.h>

namespace msb::image {
namespace {

TEST(ArchiveApiTest, LoadsLibarchiveOnceAndGivesTheSameTable) {
  Result<const ArchiveApi*> first = archive_api();
  ASSERT_TRUE(first) << first.error().message;
  Result<const ArchiveApi*> second = archive_api();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(&libarchive(), *first);
  const ArchiveApi& ar = **first;
  archive* reader = ar.read_new();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(ar.read_support_format_tar(reader), ARCHIVE_OK);
  EXPECT_EQ(ar.read_free(reader), ARCHIVE_OK);
  archive_entry* entry = ar.entry_new();
  ASSERT_NE(entry, nullptr);
  ar.entry_set_pathname(entry, "etc/hostname");
  EXPECT_STREQ(ar.entry_pathname(entry), "etc/hostname");
  ar.entry_free(entry);
}

}  // namespace
}  // namespace msb::image
