#include "image/space_guard.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>

#include "image/digest.h"
#include "image/layer_unpack.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/mount.h"

namespace msb::image {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

// A 64 MiB tmpfs of the test's own, so that "nearly full" is reached without filling a disk.
class SpaceGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-space-guard-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    Result<os::Mount> mounted = os::Mount::create("msb-test", dir_->path(), "tmpfs", 0, "size=64m");
    ASSERT_TRUE(mounted.has_value()) << mounted.error().message;
    mount_.emplace(std::move(*mounted));
  }
  void TearDown() override { mount_.reset(); }

  std::optional<os::TempDir> dir_;
  std::optional<os::Mount> mount_;  // after dir_: unmounted first
};

TEST(SpaceGuardReserve, IsFivePercentBetweenSixteenMebibytesAndOneGibibyte) {
  EXPECT_EQ(SpaceGuard::reserve_for(64 * kMiB), 16 * kMiB);
  EXPECT_EQ(SpaceGuard::reserve_for(10240 * kMiB), 512 * kMiB);
  EXPECT_EQ(SpaceGuard::reserve_for(uint64_t{1} << 42), 1024 * kMiB);
}

TEST_F(SpaceGuardTest, AdmitsEntriesUntilTheReserveAndNamesTheOneThatWouldCrossIt) {
  os::Fd dir = os::open_at(AT_FDCWD, dir_->path(), O_RDONLY | O_DIRECTORY).value();
  SpaceGuard guard(dir.get());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(guard.admit("small", 10 * kMiB).has_value()) << i;
  Result<void> refused = guard.admit("usr/lib/bomb", 10 * kMiB);  // 50 + 16 > 64
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kIo);
  EXPECT_EQ(refused.error().sys_errno, ENOSPC);
  EXPECT_NE(refused.error().message.find("usr/lib/bomb"), std::string::npos);
  EXPECT_NE(refused.error().message.find("16 MiB"), std::string::npos) << refused.error().message;
}

TEST_F(SpaceGuardTest, AnAbsurdDeclaredSizeIsRefusedWithoutOverflow) {
  os::Fd dir = os::open_at(AT_FDCWD, dir_->path(), O_RDONLY | O_DIRECTORY).value();
  SpaceGuard guard(dir.get());
  EXPECT_FALSE(guard.admit("huge", UINT64_MAX).has_value());
  EXPECT_FALSE(guard.admit("huge", UINT64_MAX - 8 * kMiB).has_value());
  EXPECT_TRUE(guard.admit("small", kMiB).has_value());
}

// A plain tar whose one entry declares `size` bytes and carries none of them: the guard
// must stop it at the header, before a single byte is read or written.
std::string tar_declaring(uint64_t size) {
  std::string header(512, '\0');
  auto field = [&](size_t offset, const std::string& value) {
    header.replace(offset, value.size(), value);
  };
  char octal[16];
  field(0, "bomb.bin");
  field(100, "0000644");
  field(108, "0000000");
  field(116, "0000000");
  std::snprintf(octal, sizeof octal, "%011llo", static_cast<unsigned long long>(size));
  field(124, octal);
  field(136, "00000000000");
  header[156] = '0';
  field(257, std::string("ustar\0", 6));
  field(263, "00");
  header.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  std::snprintf(octal, sizeof octal, "%06o", sum);
  header.replace(148, 7, std::string(octal, 6) + '\0');
  return header;
}

TEST_F(SpaceGuardTest, ADecompressionBombStopsAtItsHeaderWithENOSPC) {
  std::string blob = dir_->path() + "/blob.tar";
  ASSERT_TRUE(os::write_file(blob, tar_declaring(8ull << 30)).has_value());
  std::string root = dir_->path() + "/root";
  ASSERT_TRUE(os::make_dirs(root).has_value());
  Result<void> unpacked = unpack_layer(blob, root, "sha256:" + std::string(64, 'a'), nullptr);
  ASSERT_FALSE(unpacked.has_value());
  EXPECT_EQ(unpacked.error().sys_errno, ENOSPC) << unpacked.error().message;
  EXPECT_NE(unpacked.error().message.find("bomb.bin"), std::string::npos);
  EXPECT_FALSE(os::path_exists(root + "/bomb.bin"));
}

}  // namespace
}  // namespace msb::image
