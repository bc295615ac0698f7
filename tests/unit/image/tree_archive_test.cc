// Needs root (owners, a whiteout device, trusted.* xattrs), as the namespace engine does.
#include "image/tree_archive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "os/xattr.h"
#include "tar_builder.h"

namespace msb::image {
namespace {

constexpr TreeIds kIds{100000, 200000, 65536};

class TreeArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-tree-archive-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(*dir));
    source_ = dir_->path() + "/source";
    target_ = dir_->path() + "/target";
    archive_ = dir_->path() + "/layer.tar";
    ASSERT_TRUE(os::make_dirs(source_));
    ASSERT_TRUE(os::make_dirs(target_));
    ASSERT_TRUE(os::chown_at(AT_FDCWD, source_, kIds.uid_base, kIds.gid_base, false));
  }
  void owned_file(const std::string& name, const std::string& data, uint32_t guest_id = 0) {
    std::string path = source_ + "/" + name;
    ASSERT_TRUE(os::write_file(path, data, 0640));
    ASSERT_TRUE(
        os::chown_at(AT_FDCWD, path, kIds.uid_base + guest_id, kIds.gid_base + guest_id, false));
  }
  // Extracts a hand-made tar; returns the error, or nullopt on success.
  std::optional<Error> extract_bytes(const std::string& tar) {
    EXPECT_TRUE(os::write_file(archive_, tar));
    Result<void> got = extract_tree_archive(archive_, target_, kIds);
    if (got) return std::nullopt;
    return got.error();
  }
  std::optional<os::TempDir> dir_;
  std::string source_, target_, archive_;
};

TEST_F(TreeArchiveTest, RoundTripKeepsWhatALayerHolds) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_TRUE(os::make_dir_at(AT_FDCWD, source_ + "/etc", 0750));
  ASSERT_TRUE(os::chown_at(AT_FDCWD, source_ + "/etc", kIds.uid_base, kIds.gid_base, false));
  owned_file("etc/app.conf", "setting=1\n", 1000);
  ASSERT_TRUE(::link((source_ + "/etc/app.conf").c_str(), (source_ + "/etc/second").c_str()) == 0);
  ASSERT_TRUE(os::symlink_at("/etc/app.conf", AT_FDCWD, source_ + "/link"));
  ASSERT_TRUE(os::chown_at(AT_FDCWD, source_ + "/link", kIds.uid_base, kIds.gid_base, false));
  // An overlayfs whiteout (0:0 character device, owned by whoever mounted) and an opaque dir.
  ASSERT_TRUE(os::make_node_at(AT_FDCWD, source_ + "/gone", S_IFCHR | 0, makedev(0, 0)));
  {
    os::Fd etc = os::open_file(source_ + "/etc", O_RDONLY | O_DIRECTORY).value();
    ASSERT_TRUE(os::set_xattr_fd(etc.get(), "trusted.overlay.opaque", "y"));
  }
  // A sparse file: 8 MiB with 5 bytes of data at 4 MiB.
  ASSERT_TRUE(os::create_sparse_file(source_ + "/sparse", 8 << 20));
  {
    os::Fd fd = os::open_file(source_ + "/sparse", O_WRONLY).value();
    ASSERT_TRUE(os::write_all_at(fd.get(), "hello", 4 << 20));
  }
  ASSERT_TRUE(os::chown_at(AT_FDCWD, source_ + "/sparse", kIds.uid_base, kIds.gid_base, false));

  Result<uint64_t> written = write_tree_archive(source_, archive_, kIds);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(*written, 7u);  // ., etc, etc/app.conf, etc/second, link, gone, sparse
  // Restored under another host range: guest ids stay, host ids follow the new base.
  TreeIds other{300000, 400000, 65536};
  Result<void> extracted = extract_tree_archive(archive_, target_, other);
  ASSERT_TRUE(extracted) << extracted.error().message;

  os::FileStatus conf = os::lstat_path(target_ + "/etc/app.conf").value();
  EXPECT_EQ(conf.uid, other.uid_base + 1000);
  EXPECT_EQ(conf.gid, other.gid_base + 1000);
  EXPECT_EQ(conf.mode & 07777, 0640u);
  EXPECT_EQ(os::read_file(target_ + "/etc/second").value(), "setting=1\n");
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat((target_ + "/etc/app.conf").c_str(), &a), 0);
  ASSERT_EQ(::stat((target_ + "/etc/second").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino) << "the hard link is one file again";
  EXPECT_EQ(os::lstat_path(target_ + "/etc").value().mode & 07777, 0750u);
  EXPECT_EQ(os::get_xattr(target_ + "/etc", "trusted.overlay.opaque").value_or(""), "y");
  char link[64] = {};
  ASSERT_GT(::readlink((target_ + "/link").c_str(), link, sizeof(link) - 1), 0);
  EXPECT_STREQ(link, "/etc/app.conf");
  struct stat gone {};
  ASSERT_EQ(::lstat((target_ + "/gone").c_str(), &gone), 0);
  EXPECT_TRUE(S_ISCHR(gone.st_mode));
  EXPECT_EQ(gone.st_rdev, makedev(0, 0));
  struct stat sparse {};
  ASSERT_EQ(::stat((target_ + "/sparse").c_str(), &sparse), 0);
  EXPECT_EQ(sparse.st_size, 8 << 20);
  EXPECT_LT(sparse.st_blocks * 512, 1 << 20) << "the hole stays a hole";
  std::string data = os::read_file(target_ + "/sparse").value();
  EXPECT_EQ(data.substr(4 << 20, 5), "hello");
  EXPECT_EQ(os::lstat_path(target_).value().uid, other.uid_base);
}

TEST_F(TreeArchiveTest, AFileOfAForeignOwnerIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_TRUE(os::write_file(source_ + "/host-file", "x"));  // owned by host root
  Result<uint64_t> written = write_tree_archive(source_, archive_, kIds);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(written.error().message.find("host-file: owner 0:0"), std::string::npos)
      << written.error().message;
  EXPECT_FALSE(os::path_exists(archive_)) << "nothing half-written stays";
}

TEST_F(TreeArchiveTest, NamesOutsideTheTreeAreRefused) {
  for (const char* name : {"../escape", "/etc/passwd", "a/../../b"}) {
    std::optional<Error> error = extract_bytes(testing::TarBuilder().file(name, "x").build());
    ASSERT_TRUE(error) << name;
    EXPECT_EQ(error->kind, ErrorKind::kInvalidArgument) << name;
  }
  EXPECT_FALSE(os::path_exists(dir_->path() + "/escape"));
}

TEST_F(TreeArchiveTest, AWriteThroughAnEarlierSymlinkIsRefused) {
  std::string outside = dir_->path() + "/outside";
  ASSERT_TRUE(os::make_dirs(outside));
  std::optional<Error> error =
      extract_bytes(testing::TarBuilder().symlink("s", outside).file("s/planted", "x").build());
  ASSERT_TRUE(error);
  EXPECT_FALSE(os::path_exists(outside + "/planted"));
}

TEST_F(TreeArchiveTest, AHardLinkToANameOutsideIsRefused) {
  std::string host = dir_->path() + "/host-secret";
  ASSERT_TRUE(os::write_file(host, "secret"));
  std::optional<Error> error =
      extract_bytes(testing::TarBuilder().hardlink("stolen", "../host-secret").build());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::kInvalidArgument);
  EXPECT_FALSE(os::path_exists(target_ + "/stolen"));
}

TEST_F(TreeArchiveTest, DevicesOtherThanWhiteoutsAreRefused) {
  std::optional<Error> error = extract_bytes(testing::TarBuilder().node("disk", 'b', 8, 0).build());
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("device"), std::string::npos) << error->message;
  error = extract_bytes(testing::TarBuilder().node("mem", 'c', 1, 1).build());
  ASSERT_TRUE(error);
}

TEST_F(TreeArchiveTest, IdsBeyondTheRangeAreRefused) {
  std::optional<Error> error =
      extract_bytes(testing::TarBuilder().file("f", "x").owner(70000, 0).build());
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("owner 70000:0"), std::string::npos) << error->message;
}

}  // namespace
}  // namespace msb::image
