#include "os/file_lock.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/child_process.h"
#include "os/file.h"

namespace msb::os {
namespace {

class FileLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-file-lock-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  std::string lock_path() const { return dir_->path() + "/x.lock"; }

  std::optional<TempDir> dir_;
};

TEST_F(FileLockTest, ASecondOwnerInTheSameProcessIsExcludedUntilRelease) {
  std::optional<FileLock> held;
  {
    Result<FileLock> lock = FileLock::acquire(lock_path());
    ASSERT_TRUE(lock.has_value()) << lock.error().message;
    held.emplace(std::move(*lock));
  }
  Result<FileLock> second = FileLock::try_acquire(lock_path());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
  held.reset();
  EXPECT_TRUE(FileLock::try_acquire(lock_path()).has_value());
}

TEST_F(FileLockTest, AnotherProcessIsExcludedAndTheLockDiesWithItsHolder) {
  Result<FileLock> lock = FileLock::acquire(lock_path());
  ASSERT_TRUE(lock.has_value());
  Result<ChildProcess> child =
      ChildProcess::fork_and_run([&] { return FileLock::try_acquire(lock_path()) ? 0 : 3; });
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->wait().value().code, 3);

  lock = err(ErrorKind::kInternal, "released");  // drops our lock
  Result<ChildProcess> holder = ChildProcess::fork_and_run([&] {
    Result<FileLock> mine = FileLock::acquire(lock_path());
    for (;;) pause();  // killed while holding it
    return 0;
  });
  ASSERT_TRUE(holder.has_value());
  while (FileLock::try_acquire(lock_path())) {
  }  // until the holder has it
  ASSERT_TRUE(holder->kill_and_wait().has_value());
  EXPECT_TRUE(FileLock::acquire(lock_path()).has_value());
}

TEST_F(FileLockTest, MissingDirectoryIsNotFound) {
  Result<FileLock> lock = FileLock::acquire(dir_->path() + "/missing/x.lock");
  ASSERT_FALSE(lock.has_value());
  EXPECT_EQ(lock.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os

namespace msb::os {
namespace {

TEST(LockExistingFile, ReadersShareAndAWriterExcludes) {
  TempDir dir = TempDir::create("msb-lock-existing-").value();
  std::string image = dir.path() + "/disk.img";
  ASSERT_TRUE(write_file(image, "x"));
  Fd reader = try_lock_existing_file(image, /*shared=*/true).value();
  Fd second_reader = try_lock_existing_file(image, true).value();
  Result<Fd> writer = try_lock_existing_file(image, /*shared=*/false);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().kind, ErrorKind::kAlreadyExists);
  reader.reset();
  second_reader.reset();
  Fd sole = try_lock_existing_file(image, false).value();
  EXPECT_FALSE(try_lock_existing_file(image, true));
  Result<Fd> missing = try_lock_existing_file(dir.path() + "/none", true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(path_exists(dir.path() + "/none")) << "never created";
}

}  // namespace
}  // namespace msb::os
