#include "os/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace msb::os {
namespace {

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-file-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  std::optional<TempDir> dir_;
};

TEST_F(FileTest, WriteThenReadRoundTrips) {
  ASSERT_TRUE(write_file(path("a"), "contents\n").has_value());
  Result<std::string> text = read_file(path("a"));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "contents\n");
}

TEST_F(FileTest, WriteFileTruncatesAndSetsTheMode) {
  ASSERT_TRUE(write_file(path("a"), "a long first version").has_value());
  ASSERT_TRUE(write_file(path("b"), "short", 0600).has_value());
  ASSERT_TRUE(write_file(path("a"), "short").has_value());
  EXPECT_EQ(read_file(path("a")).value(), "short");
  struct stat st {};
  ASSERT_EQ(::stat(path("b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(FileTest, ReadMissingFileIsNotFoundNamingThePath) {
  Result<std::string> text = read_file(path("missing"));
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(text.error().message.find(path("missing")), std::string::npos);
}

TEST_F(FileTest, OpenFileIsCloexec) {
  Result<Fd> fd = open_file(path("c"), O_WRONLY | O_CREAT);
  ASSERT_TRUE(fd.has_value());
  EXPECT_NE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(FileTest, AtomicWriteReplacesContentAndLeavesNoTempFile) {
  ASSERT_TRUE(write_file(path("config"), "old content that is longer").has_value());
  ASSERT_TRUE(write_file_atomic(path("config"), "new").has_value());
  EXPECT_EQ(read_file(path("config")).value(), "new");
  EXPECT_EQ(list_dir(dir_->path()), std::vector<std::string>{"config"});
}

TEST_F(FileTest, ProcessCrashDurabilityStillReplacesAtomically) {
  ASSERT_TRUE(write_file(path("owner"), "old content that is longer").has_value());
  ASSERT_TRUE(
      write_file_atomic(path("owner"), "123 456\n", 0600, Durability::kProcessCrash).has_value());
  EXPECT_EQ(read_file(path("owner")).value(), "123 456\n");
  EXPECT_EQ(list_dir(dir_->path()), std::vector<std::string>{"owner"});
  struct stat st {};
  ASSERT_EQ(::stat(path("owner").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<void> missing =
      write_file_atomic(path("no/such/file"), "x", 0644, Durability::kProcessCrash);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(FileTest, AtomicWriteCreatesAMissingFile) {
  ASSERT_TRUE(write_file_atomic(path("fresh"), "x", 0640).has_value());
  EXPECT_EQ(read_file(path("fresh")).value(), "x");
  struct stat st {};
  ASSERT_EQ(::stat(path("fresh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(FileTest, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  Result<void> written = write_file_atomic(path("no/such/file"), "x");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(list_dir(dir_->path()).empty());
}

TEST_F(FileTest, AtomicWriteOverADirectoryFailsAndCleansUp) {
  ASSERT_TRUE(make_dirs(path("target/sub")).has_value());
  Result<void> written = write_file_atomic(path("target"), "x");
  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().message.find("rename"), std::string::npos);
  EXPECT_EQ(list_dir(dir_->path()), std::vector<std::string>{"target"});
}

TEST_F(FileTest, MakeDirsCreatesParentsAndIsIdempotent) {
  ASSERT_TRUE(make_dirs(path("a/b/c")).has_value());
  EXPECT_TRUE(is_directory(path("a/b/c")));
  EXPECT_TRUE(make_dirs(path("a/b/c")).has_value());
  EXPECT_TRUE(make_dirs(path("a")).has_value());
}

TEST_F(FileTest, MakeDirsOverAFileFails) {
  ASSERT_TRUE(write_file(path("file"), "").has_value());
  Result<void> made = make_dirs(path("file"));
  ASSERT_FALSE(made.has_value());
  EXPECT_NE(made.error().message.find(path("file")), std::string::npos);
  EXPECT_FALSE(make_dirs(path("file/child")).has_value());
}

TEST_F(FileTest, RemoveTreeRemovesNestedContent) {
  ASSERT_TRUE(make_dirs(path("tree/a/b")).has_value());
  ASSERT_TRUE(write_file(path("tree/a/b/f"), "x").has_value());
  ASSERT_EQ(::symlink("/", path("tree/link").c_str()), 0);
  ASSERT_TRUE(remove_tree(path("tree")).has_value());
  EXPECT_FALSE(path_exists(path("tree")));
  EXPECT_TRUE(is_directory("/"));
}

TEST_F(FileTest, RemoveTreeOfAMissingPathSucceeds) {
  EXPECT_TRUE(remove_tree(path("never-existed")).has_value());
}

TEST_F(FileTest, PathPredicates) {
  ASSERT_TRUE(write_file(path("f"), "").has_value());
  ASSERT_EQ(::symlink(path("gone").c_str(), path("dangling").c_str()), 0);
  EXPECT_TRUE(is_regular_file(path("f")));
  EXPECT_FALSE(is_directory(path("f")));
  EXPECT_TRUE(is_directory(dir_->path()));
  EXPECT_FALSE(is_regular_file(dir_->path()));
  EXPECT_TRUE(path_exists(path("dangling")));
  EXPECT_FALSE(is_regular_file(path("dangling")));
  EXPECT_FALSE(path_exists(path("gone")));
}

TEST_F(FileTest, SparseFileHasTheSizeButAlmostNoBlocks) {
  constexpr uint64_t kSize = 1ULL << 30;
  ASSERT_TRUE(create_sparse_file(path("disk.img"), kSize).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path("disk.img").c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kSize);
  EXPECT_LE(static_cast<uint64_t>(st.st_blocks) * 512, 64u * 1024);
}

TEST_F(FileTest, SparseFileTruncatesAnExistingFile) {
  ASSERT_TRUE(write_file(path("disk.img"), std::string(8192, 'x')).has_value());
  ASSERT_TRUE(create_sparse_file(path("disk.img"), 4096).has_value());
  EXPECT_EQ(read_file(path("disk.img")).value(), std::string(4096, '\0'));
}

TEST_F(FileTest, SetFileSizeKeepsTheContentsAndAddsAHole) {
  ASSERT_TRUE(write_file(path("disk.img"), "data").has_value());
  ASSERT_TRUE(set_file_size(path("disk.img"), 8192).has_value());
  EXPECT_EQ(read_file(path("disk.img")).value(), "data" + std::string(8188, '\0'));
  ASSERT_TRUE(set_file_size(path("disk.img"), 2).has_value());
  EXPECT_EQ(read_file(path("disk.img")).value(), "da");
}

TEST_F(FileTest, SetFileSizeNeedsAnExistingFile) {
  Result<void> sized = set_file_size(path("missing"), 4096);
  ASSERT_FALSE(sized.has_value());
  EXPECT_FALSE(path_exists(path("missing")));
}

TEST(TempDir, CreatesAFreshDirectoryUnderTheParent) {
  Result<TempDir> parent = TempDir::create("msb-parent-");
  ASSERT_TRUE(parent.has_value());
  Result<TempDir> first = TempDir::create("x-", parent->path());
  Result<TempDir> second = TempDir::create("x-", parent->path());
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_NE(first->path(), second->path());
  EXPECT_EQ(first->path().rfind(parent->path() + "/x-", 0), 0u);
  EXPECT_TRUE(is_directory(first->path()));
}

TEST(TempDir, RemovesItsTreeOnDestruction) {
  std::string kept;
  {
    Result<TempDir> dir = TempDir::create("msb-tempdir-");
    ASSERT_TRUE(dir.has_value());
    kept = dir->path();
    ASSERT_TRUE(make_dirs(kept + "/a/b").has_value());
    ASSERT_TRUE(write_file(kept + "/a/b/f", "x").has_value());
  }
  EXPECT_FALSE(path_exists(kept));
}

TEST(TempDir, MoveAssignmentRemovesTheOldTree) {
  Result<TempDir> first = TempDir::create("msb-tempdir-");
  Result<TempDir> second = TempDir::create("msb-tempdir-");
  ASSERT_TRUE(first.has_value() && second.has_value());
  std::string old_path = first->path();
  std::string new_path = second->path();
  ASSERT_TRUE(write_file(old_path + "/f", "x").has_value());
  *first = std::move(*second);
  EXPECT_FALSE(path_exists(old_path));
  EXPECT_EQ(first->path(), new_path);
  EXPECT_TRUE(second->path().empty());
  EXPECT_TRUE(is_directory(new_path));
}

TEST(TempDir, MovedFromDirectoryDoesNotRemoveTheTree) {
  Result<TempDir> dir = TempDir::create("msb-tempdir-");
  ASSERT_TRUE(dir.has_value());
  std::string kept = dir->path();
  {
    TempDir moved = std::move(*dir);
    { TempDir empty_source = std::move(*dir); }
    EXPECT_TRUE(is_directory(kept));
  }
  EXPECT_FALSE(path_exists(kept));
}

TEST(TempDir, ReleaseKeepsTheDirectory) {
  std::string kept;
  {
    Result<TempDir> dir = TempDir::create("msb-tempdir-");
    ASSERT_TRUE(dir.has_value());
    kept = dir->release();
    EXPECT_TRUE(dir->path().empty());
  }
  EXPECT_TRUE(is_directory(kept));
  EXPECT_TRUE(remove_tree(kept).has_value());
}

TEST(TempDir, MissingParentIsNotFound) {
  Result<TempDir> dir = TempDir::create("x-", "/nonexistent-msb-parent");
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
