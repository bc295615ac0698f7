#include "os/sparse_copy.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "os/file.h"

namespace msb::os {
namespace {

constexpr off_t kSize = 64 << 20;

class SparseCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-sparse-copy-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  // A 64 MiB file with data at its start, in its middle and at its very end.
  void make_source() {
    int fd = ::open(path("source").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, kSize), 0);
    ASSERT_EQ(::pwrite(fd, "head", 4, 0), 4);
    ASSERT_EQ(::pwrite(fd, "middle", 6, kSize / 2 + 100), 6);
    ASSERT_EQ(::pwrite(fd, "tail", 4, kSize - 4), 4);
    ::close(fd);
  }

  std::string read_at(const std::string& name, off_t offset, size_t length) {
    std::string out(length, '\0');
    int fd = ::open(path(name).c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::pread(fd, out.data(), length, offset), static_cast<ssize_t>(length));
    ::close(fd);
    return out;
  }

  std::optional<TempDir> dir_;
};

TEST_F(SparseCopyTest, CopiesSizeAndDataButNotTheHoles) {
  make_source();
  Result<uint64_t> copied = copy_sparse_file(path("source"), path("copy"), 0600);
  ASSERT_TRUE(copied.has_value()) << copied.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path("copy").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSize);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_at("copy", 0, 4), "head");
  EXPECT_EQ(read_at("copy", kSize / 2 + 100, 6), "middle");
  EXPECT_EQ(read_at("copy", kSize - 4, 4), "tail");
  EXPECT_EQ(read_at("copy", kSize / 4, 8), std::string(8, '\0'));
  // Only the three data blocks (one filesystem block each, whatever its size) were written.
  EXPECT_LT(*copied, 1u << 20);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 1u << 20);
}

TEST_F(SparseCopyTest, AnEmptySparseFileCopiesNoData) {
  ASSERT_TRUE(create_sparse_file(path("source"), kSize).has_value());
  Result<uint64_t> copied = copy_sparse_file(path("source"), path("copy"));
  ASSERT_TRUE(copied.has_value()) << copied.error().message;
  EXPECT_EQ(*copied, 0u);
  struct stat st {};
  ASSERT_EQ(::stat(path("copy").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSize);
}

TEST_F(SparseCopyTest, AnExistingTargetIsLeftAlone) {
  make_source();
  ASSERT_TRUE(write_file(path("copy"), "keep me").has_value());
  Result<uint64_t> copied = copy_sparse_file(path("source"), path("copy"));
  ASSERT_FALSE(copied.has_value());
  EXPECT_EQ(copied.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(*read_file(path("copy")), "keep me");
}

TEST_F(SparseCopyTest, AMissingSourceIsNotFoundAndCreatesNothing) {
  Result<uint64_t> copied = copy_sparse_file(path("absent"), path("copy"));
  ASSERT_FALSE(copied.has_value());
  EXPECT_EQ(copied.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(copied.error().message.find(path("absent")), std::string::npos);
  EXPECT_FALSE(path_exists(path("copy")));
}

}  // namespace
}  // namespace msb::os

namespace msb::os {
namespace {

TEST_F(SparseCopyTest, DataRangesNameTheWrittenPartsOnly) {
  make_source();
  Fd fd = open_file(path("source"), O_RDONLY).value();
  std::vector<DataRange> ranges = data_ranges(fd.get(), kSize).value();
  ASSERT_FALSE(ranges.empty());
  uint64_t data = 0;
  for (const DataRange& range : ranges) {
    data += range.length;
    EXPECT_LE(range.offset + range.length, static_cast<uint64_t>(kSize));
  }
  EXPECT_LT(data, uint64_t{1} << 20) << "the holes are not data";
  EXPECT_EQ(ranges.front().offset, 0u);
  EXPECT_EQ(ranges.back().offset + ranges.back().length, static_cast<uint64_t>(kSize));
  // A bound below the size cuts the last range.
  std::vector<DataRange> head = data_ranges(fd.get(), 2).value();
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0].length, 2u);
}

TEST_F(SparseCopyTest, CloneOrCopyGivesTheSameBytesAndKeepsHoles) {
  make_source();
  CopyMethod method = clone_or_copy_file(path("source"), path("copy"), 0600).value();
  EXPECT_TRUE(method == CopyMethod::kReflink || method == CopyMethod::kSparse);
  EXPECT_EQ(read_at("copy", kSize / 2 + 100, 6), "middle");
  EXPECT_EQ(read_at("copy", kSize - 4, 4), "tail");
  struct stat st {};
  ASSERT_EQ(::stat(path("copy").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSize);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_LT(st.st_blocks * 512, 4 << 20);
  // The target must not exist: nothing is overwritten.
  Result<CopyMethod> again = clone_or_copy_file(path("source"), path("copy"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kAlreadyExists);
}

}  // namespace
}  // namespace msb::os
