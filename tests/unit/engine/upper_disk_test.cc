#include "engine/vm/upper_disk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::engine::vm {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kDiskBytes = 64ULL << 20;

// Output of an e2fsprogs tool (stdout only).
Result<std::string> e2fs_output(const std::string& tool, std::vector<std::string> args) {
  const char* path_env = std::getenv("PATH");
  std::string search = std::string(path_env ? path_env : "") + ":/usr/sbin:/sbin";
  std::string program = MSB_TRY(os::find_executable(tool, search));
  os::PipePair output = MSB_TRY(os::make_pipe());
  os::SpawnOptions options{.argv = {program}};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.fds = {{output.write.get(), 1}};
  os::ChildProcess child = MSB_TRY(os::ChildProcess::spawn(options));
  output.write.reset();
  std::string text = MSB_TRY(os::read_to_end(output.read.get()));
  os::ExitStatus status = MSB_TRY(child.wait());
  if (!status.success()) return err(ErrorKind::kIo, "{} exited {}", tool, status.shell_code());
  return text;
}

// `dumpe2fs -h <path>`: the superblock as text.
Result<std::string> superblock_of(const std::string& path) {
  return e2fs_output("dumpe2fs", {"-h", path});
}

class UpperDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-upper-disk-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
  }
  std::string disk() const { return dir_->path() + "/upper.ext4"; }
  std::string templates() const { return dir_->path() + "/templates"; }
  Result<void> create(const std::string& path, uint64_t bytes,
                      UpperDiskJournal journal = UpperDiskJournal::kJournaled) {
    return create_upper_disk(path, bytes, journal, templates());
  }
  // The one template file in templates().
  std::string only_template() const {
    std::vector<std::string> names = os::list_dir(templates());
    EXPECT_EQ(names.size(), 1u);
    return names.empty() ? "" : templates() + "/" + names.front();
  }

  std::optional<os::TempDir> dir_;
};

TEST_F(UpperDiskTest, CreatesAnExt4FilesystemLabelledMsbUpper) {
  Result<void> created = create(disk(), kDiskBytes);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("0xEF53"));  // the ext2/3/4 magic
  EXPECT_THAT(*superblock, HasSubstr("has_journal"));
  EXPECT_THAT(*superblock, HasSubstr("extent"));  // ext4, not ext2/3
  EXPECT_THAT(*superblock, ::testing::ContainsRegex("Filesystem volume name: +msb-upper"));
}

TEST_F(UpperDiskTest, ThrowawayDiskHasNoJournal) {
  Result<void> created = create(disk(), kDiskBytes, UpperDiskJournal::kNone);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("extent"));
  EXPECT_THAT(*superblock, ::testing::Not(HasSubstr("has_journal")));
  EXPECT_THAT(*superblock, ::testing::ContainsRegex("Filesystem volume name: +msb-upper"));
}

TEST_F(UpperDiskTest, DiskIsSparse) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(disk().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kDiskBytes);
  uint64_t allocated = static_cast<uint64_t>(st.st_blocks) * 512;
  EXPECT_LT(allocated, kDiskBytes / 8) << allocated << " bytes allocated";
}

TEST_F(UpperDiskTest, RecreatingOverwritesTheOldDisk) {
  ASSERT_TRUE(os::write_file(disk(), "not a filesystem").has_value());
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("msb-upper"));
}

TEST_F(UpperDiskTest, MissingDirectoryIsNotFound) {
  Result<void> created = create(dir_->path() + "/no/such/dir/upper.ext4", kDiskBytes);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(created.error().message, HasSubstr("/no/such/dir/upper.ext4"));
}

TEST_F(UpperDiskTest, TooSmallForExt4ReportsMkfsOutput) {
  Result<void> created = create(disk(), 4096);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kIo);
  EXPECT_THAT(created.error().message, HasSubstr("mkfs.ext4 exited with"));
  EXPECT_THAT(created.error().message, HasSubstr(disk()));
}

TEST_F(UpperDiskTest, HoldsTheOverlayDirectoriesOwnedByRoot) {
  ASSERT_TRUE(create(disk(), kDiskBytes, UpperDiskJournal::kNone).has_value());
  for (const char* dir : {kUpperDiskUpperDir, kUpperDiskWorkDir}) {
    Result<std::string> stat = e2fs_output("debugfs", {"-R", std::string("stat ") + dir, disk()});
    ASSERT_TRUE(stat.has_value()) << stat.error().message;
    EXPECT_THAT(*stat, HasSubstr("Type: directory")) << dir;
    EXPECT_THAT(*stat, ::testing::ContainsRegex("Mode: +0755")) << dir;
    EXPECT_THAT(*stat, ::testing::ContainsRegex("User: +0 +Group: +0")) << dir;
  }
}

TEST_F(UpperDiskTest, DisksAreCopiesOfOneTemplateFormattedOnce) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  std::string first = only_template();
  struct stat before {};
  ASSERT_EQ(::stat(first.c_str(), &before), 0);
  std::string second = dir_->path() + "/second.ext4";
  ASSERT_TRUE(create(second, kDiskBytes).has_value());
  EXPECT_EQ(only_template(), first);
  struct stat after {};
  ASSERT_EQ(::stat(first.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // not formatted again
  Result<std::string> superblock = superblock_of(second);
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("msb-upper"));
  // Writing to one disk leaves the template (and so the next disk) empty.
  ASSERT_TRUE(os::write_file(disk(), "scribble").has_value());
  ASSERT_TRUE(create(dir_->path() + "/third.ext4", kDiskBytes).has_value());
  EXPECT_TRUE(superblock_of(dir_->path() + "/third.ext4").has_value());
}

TEST_F(UpperDiskTest, EachSizeAndJournalModeHasItsOwnTemplate) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  ASSERT_TRUE(create(dir_->path() + "/b.ext4", kDiskBytes, UpperDiskJournal::kNone).has_value());
  ASSERT_TRUE(create(dir_->path() + "/c.ext4", 2 * kDiskBytes).has_value());
  EXPECT_EQ(os::list_dir(templates()).size(), 3u);
  struct stat st {};
  ASSERT_EQ(::stat((dir_->path() + "/c.ext4").c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), 2 * kDiskBytes);
}

TEST_F(UpperDiskTest, ADamagedTemplateIsFormattedAgain) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  std::string cached = only_template();
  ASSERT_TRUE(os::write_file(cached, "truncated by a crash").has_value());
  std::string next = dir_->path() + "/next.ext4";
  Result<void> created = create(next, kDiskBytes);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  Result<std::string> superblock = superblock_of(next);
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("0xEF53"));
  // No temporary files are left next to the template or the disk.
  EXPECT_EQ(os::list_dir(templates()).size(), 1u);
}

TEST_F(UpperDiskTest, AFailedCreateKeepsTheDiskThatWasThere) {
  ASSERT_TRUE(os::write_file(disk(), "precious").has_value());
  Result<void> created = create(disk(), 4096);  // too small for ext4
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(*os::read_file(disk()), "precious");
  EXPECT_TRUE(os::list_dir(templates()).empty());
}

}  // namespace
}  // namespace msb::engine::vm

namespace msb::engine::vm {
namespace {

// "Block count: N" of the superblock, times the 4 KiB block size mkfs chose for these disks.
uint64_t filesystem_bytes(const std::string& superblock) {
  size_t at = superblock.find("Block count:");
  size_t size_at = superblock.find("Block size:");
  if (at == std::string::npos || size_at == std::string::npos) return 0;
  return std::stoull(superblock.substr(at + 12)) * std::stoull(superblock.substr(size_at + 11));
}

TEST_F(UpperDiskTest, GrowsTheFileAndItsFilesystemKeepingFiles) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  std::string source = dir_->path() + "/note";
  ASSERT_TRUE(os::write_file(source, "kept").has_value());
  ASSERT_TRUE(e2fs_output("debugfs", {"-w", "-R", "write " + source + " upper/note", disk()}));
  Result<void> grown = grow_upper_disk(disk(), 2 * kDiskBytes);
  ASSERT_TRUE(grown.has_value()) << grown.error().message;
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value());
  EXPECT_EQ(filesystem_bytes(*superblock), 2 * kDiskBytes);
  struct stat st {};
  ASSERT_EQ(::stat(disk().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), 2 * kDiskBytes);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, kDiskBytes);  // still sparse
  Result<std::string> note = e2fs_output("debugfs", {"-R", "cat upper/note", disk()});
  ASSERT_TRUE(note.has_value());
  EXPECT_EQ(*note, "kept");
  EXPECT_EQ(os::list_dir(dir_->path()).size(), 3u);  // disk, templates, note: no leftovers
}

TEST_F(UpperDiskTest, GrowRefusesTheSameOrASmallerSize) {
  ASSERT_TRUE(create(disk(), kDiskBytes).has_value());
  for (uint64_t size : {kDiskBytes, kDiskBytes / 2}) {
    Result<void> grown = grow_upper_disk(disk(), size);
    ASSERT_FALSE(grown.has_value());
    EXPECT_EQ(grown.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_THAT(grown.error().message, HasSubstr("can only grow"));
  }
  EXPECT_EQ(filesystem_bytes(superblock_of(disk()).value_or("")), kDiskBytes);
}

TEST_F(UpperDiskTest, AFailedGrowLeavesTheOldFile) {
  // Not a filesystem: e2fsck fails, and the file stays as it was, with no copy beside it.
  ASSERT_TRUE(os::create_sparse_file(disk(), kDiskBytes).has_value());
  Result<void> grown = grow_upper_disk(disk(), 2 * kDiskBytes);
  ASSERT_FALSE(grown.has_value());
  EXPECT_EQ(grown.error().kind, ErrorKind::kIo);
  struct stat st {};
  ASSERT_EQ(::stat(disk().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kDiskBytes);
  EXPECT_EQ(os::list_dir(dir_->path()).size(), 1u);
}

TEST_F(UpperDiskTest, GrowNeedsADisk) {
  Result<void> grown = grow_upper_disk(disk(), 2 * kDiskBytes);
  ASSERT_FALSE(grown.has_value());
  EXPECT_EQ(grown.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::engine::vm
