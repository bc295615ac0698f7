#include "image/sparse_digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::image {
namespace {

class SparseDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-sparse-digest-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  // A file of `size` bytes (a hole) with `data` written at `offset`.
  std::string make(const std::string& name, uint64_t size, const std::string& data,
                   uint64_t offset) {
    std::string path = dir_->path() + "/" + name;
    EXPECT_TRUE(os::create_sparse_file(path, size));
    os::Fd fd = os::open_file(path, O_WRONLY).value();
    EXPECT_TRUE(os::write_all_at(fd.get(), data, offset));
    return path;
  }
  std::string digest(const std::string& path) {
    Result<std::string> got = sparse_content_digest(path);
    EXPECT_TRUE(got) << got.error().message;
    return got.value_or("");
  }
  std::optional<os::TempDir> dir_;
};

TEST_F(SparseDigestTest, HasTheAlgorithmPrefix) {
  std::string got = digest(make("a", 4096, "x", 0));
  EXPECT_EQ(got.rfind("msb-sparse-sha256-v1:", 0), 0u);
  EXPECT_EQ(got.size(), std::string("msb-sparse-sha256-v1:").size() + 64);
}

TEST_F(SparseDigestTest, HolesAndWrittenZerosDigestAlike) {
  std::string sparse = make("sparse", 1 << 20, "data", 512 * 1024);
  std::string dense = make("dense", 1 << 20, std::string(1 << 20, '\0'), 0);
  os::Fd fd = os::open_file(dense, O_WRONLY).value();
  ASSERT_TRUE(os::write_all_at(fd.get(), "data", 512 * 1024));
  EXPECT_EQ(digest(sparse), digest(dense));
}

TEST_F(SparseDigestTest, AFlippedByteChangesTheDigest) {
  EXPECT_NE(digest(make("a", 1 << 20, "data", 8192)), digest(make("b", 1 << 20, "dbta", 8192)));
}

TEST_F(SparseDigestTest, AMovedBlockChangesTheDigest) {
  EXPECT_NE(digest(make("a", 1 << 20, "data", 8192)), digest(make("b", 1 << 20, "data", 12288)));
}

TEST_F(SparseDigestTest, TheSizeCounts) {
  EXPECT_NE(digest(make("a", 1 << 20, "", 0)), digest(make("b", 2 << 20, "", 0)));
}

TEST_F(SparseDigestTest, AMissingFileIsNotFound) {
  Result<std::string> got = sparse_content_digest(dir_->path() + "/none");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(got.error().message.find("/none"), std::string::npos);
}

}  // namespace
}  // namespace msb::image
