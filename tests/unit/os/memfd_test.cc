#include "os/memfd.h"

#include <gtest/gtest.h>

#include <string>

#include "os/io.h"

namespace msb::os {
namespace {

TEST(Memfd, ReadsBackWhatWasWritten) {
  Result<Fd> fd = create_memfd("msb-test");
  ASSERT_TRUE(fd.has_value()) << fd.error().message;
  std::string data(10000, 'x');
  data += "end";
  ASSERT_TRUE(write_all(fd->get(), data).has_value());
  // From offset 0, wherever the file offset is (here: at the end).
  Result<std::string> read = read_whole_file(fd->get());
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(*read, data);
}

TEST(Memfd, EmptyFileReadsEmpty) {
  Result<Fd> fd = create_memfd("msb-empty");
  ASSERT_TRUE(fd.has_value());
  Result<std::string> read = read_whole_file(fd->get());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, "");
}

}  // namespace
}  // namespace msb::os
