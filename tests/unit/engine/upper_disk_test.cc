#include "engine/vm/upper_disk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::engine::vm {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kDiskBytes = 64ULL << 20;

// `dumpe2fs -h <path>`: the superblock as text.
Result<std::string> superblock_of(const std::string& path) {
  const char* path_env = std::getenv("PATH");
  std::string search = std::string(path_env ? path_env : "") + ":/usr/sbin:/sbin";
  std::string dumpe2fs = MSB_TRY(os::find_executable("dumpe2fs", search));
  os::PipePair output = MSB_TRY(os::make_pipe());
  os::SpawnOptions options{.argv = {dumpe2fs, "-h", path}};
  options.fds = {{output.write.get(), 1}};
  os::ChildProcess child = MSB_TRY(os::ChildProcess::spawn(options));
  output.write.reset();
  std::string text = MSB_TRY(os::read_to_end(output.read.get()));
  os::ExitStatus status = MSB_TRY(child.wait());
  if (!status.success()) return err(ErrorKind::kIo, "dumpe2fs exited {}", status.shell_code());
  return text;
}

class UpperDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-upper-disk-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
  }
  std::string disk() const { return dir_->path() + "/upper.ext4"; }

  std::optional<os::TempDir> dir_;
};

TEST_F(UpperDiskTest, CreatesAnExt4FilesystemLabelledMsbUpper) {
  Result<void> created = create_upper_disk(disk(), kDiskBytes);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("0xEF53"));  // the ext2/3/4 magic
  EXPECT_THAT(*superblock, HasSubstr("has_journal"));
  EXPECT_THAT(*superblock, HasSubstr("extent"));  // ext4, not ext2/3
  EXPECT_THAT(*superblock, ::testing::ContainsRegex("Filesystem volume name: +msb-upper"));
}

TEST_F(UpperDiskTest, ThrowawayDiskHasNoJournal) {
  Result<void> created = create_upper_disk(disk(), kDiskBytes, UpperDiskJournal::kNone);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("extent"));
  EXPECT_THAT(*superblock, ::testing::Not(HasSubstr("has_journal")));
  EXPECT_THAT(*superblock, ::testing::ContainsRegex("Filesystem volume name: +msb-upper"));
}

TEST_F(UpperDiskTest, DiskIsSparse) {
  ASSERT_TRUE(create_upper_disk(disk(), kDiskBytes).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(disk().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kDiskBytes);
  uint64_t allocated = static_cast<uint64_t>(st.st_blocks) * 512;
  EXPECT_LT(allocated, kDiskBytes / 8) << allocated << " bytes allocated";
}

TEST_F(UpperDiskTest, RecreatingOverwritesTheOldDisk) {
  ASSERT_TRUE(os::write_file(disk(), "not a filesystem").has_value());
  ASSERT_TRUE(create_upper_disk(disk(), kDiskBytes).has_value());
  Result<std::string> superblock = superblock_of(disk());
  ASSERT_TRUE(superblock.has_value()) << superblock.error().message;
  EXPECT_THAT(*superblock, HasSubstr("msb-upper"));
}

TEST_F(UpperDiskTest, MissingDirectoryIsNotFound) {
  Result<void> created = create_upper_disk(dir_->path() + "/no/such/dir/upper.ext4", kDiskBytes);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(created.error().message, HasSubstr("/no/such/dir/upper.ext4"));
}

TEST_F(UpperDiskTest, TooSmallForExt4ReportsMkfsOutput) {
  Result<void> created = create_upper_disk(disk(), 4096);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kIo);
  EXPECT_THAT(created.error().message, HasSubstr("mkfs.ext4 exited with"));
  EXPECT_THAT(created.error().message, HasSubstr(disk()));
}

}  // namespace
}  // namespace msb::engine::vm
