#include "image/layer_unpack.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "os/fs_calls.h"
#include "os/xattr.h"
#include "tar_builder.h"

namespace msb::image {
namespace {

using testing::Compression;
using testing::TarBuilder;

// vfs_cap_data revision 2, effective, permitting CAP_NET_RAW (bit 13).
const std::string kNetRawCapability(
    "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00",
    20);

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

class LayerUnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-unpack-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    root_ = dir_->path() + "/root";
    outside_ = dir_->path() + "/outside";
    ASSERT_TRUE(os::make_dirs(root_).has_value());
    ASSERT_TRUE(os::make_dirs(outside_).has_value());
  }

  // Unpacks `blob` into root_, checking it against the diff_id of `tar`.
  Result<void> unpack(const std::string& tar, const std::string& blob) {
    std::string blob_path = dir_->path() + "/blob";
    MSB_CHECK(os::write_file(blob_path, blob).has_value());
    return unpack_layer(blob_path, root_, testing::sha256_of(tar), nullptr);
  }
  Result<void> unpack(const std::string& tar) { return unpack(tar, tar); }
  std::string at(const std::string& path) const { return root_ + "/" + path; }

  std::optional<os::TempDir> dir_;
  std::string root_, outside_;
};

TEST_F(LayerUnpackTest, KeepsModesOwnersAndMtimes) {
  std::string tar = TarBuilder()
                        .dir("usr/bin", 0750)
                        .owner(5, 6)
                        .mtime(1'000'000'000)
                        .file("usr/bin/su", "suid", 04755)
                        .owner(1000, 2000)
                        .mtime(1'234'567'890)
                        .file("etc/shadow", "x", 0640)
                        .build();
  Result<void> done = unpack(tar);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  struct stat su = lstat_of(at("usr/bin/su"));
  EXPECT_EQ(su.st_mode & 07777, 04755u);
  EXPECT_EQ(su.st_uid, 1000u);
  EXPECT_EQ(su.st_gid, 2000u);
  EXPECT_EQ(su.st_mtime, 1'234'567'890);
  struct stat bin = lstat_of(at("usr/bin"));
  EXPECT_EQ(bin.st_mode & 07777, 0750u);
  EXPECT_EQ(bin.st_uid, 5u);
  EXPECT_EQ(bin.st_mtime, 1'000'000'000);  // set after its children were created
  EXPECT_EQ(os::read_file(at("etc/shadow")).value_or(""), "x");
  EXPECT_EQ(lstat_of(at("etc/shadow")).st_mode & 07777, 0640u);
}

class LayerCompressionTest : public LayerUnpackTest,
                             public ::testing::WithParamInterface<Compression> {};

TEST_P(LayerCompressionTest, DetectsTheCompressionFromTheContent) {
  std::string tar = TarBuilder().file("hello", std::string(300000, 'h')).build();
  uint64_t last_progress = 0;
  std::string blob = testing::compress(tar, GetParam());
  std::string blob_path = dir_->path() + "/blob";
  ASSERT_TRUE(os::write_file(blob_path, blob).has_value());
  Result<void> done = unpack_layer(blob_path, root_, testing::sha256_of(tar),
                                   [&](uint64_t bytes) { last_progress = bytes; });
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(os::read_file(at("hello")).value_or(""), std::string(300000, 'h'));
  EXPECT_EQ(last_progress, blob.size());
}

INSTANTIATE_TEST_SUITE_P(All, LayerCompressionTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd));

TEST_F(LayerUnpackTest, TurnsOciWhiteoutsIntoOverlayWhiteouts) {
  std::string tar = TarBuilder()
                        .dir("etc")
                        .file("etc/.wh.passwd", "")
                        .dir("var/cache")
                        .file("var/cache/.wh..wh..opq", "")
                        .file("var/cache/kept", "k")
                        .file("deep/er/.wh.gone", "")  // parents not in the tar
                        .file(".wh..wh.plnk", "")      // aufs bookkeeping: ignored
                        .build();
  Result<void> done = unpack(tar);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  struct stat whiteout = lstat_of(at("etc/passwd"));
  EXPECT_TRUE(S_ISCHR(whiteout.st_mode));
  EXPECT_EQ(whiteout.st_rdev, makedev(0, 0));
  EXPECT_TRUE(S_ISCHR(lstat_of(at("deep/er/gone")).st_mode));
  EXPECT_FALSE(os::path_exists(at("etc/.wh.passwd")));
  EXPECT_EQ(os::get_xattr(at("var/cache"), "trusted.overlay.opaque").value_or(""), "y");
  EXPECT_FALSE(os::path_exists(at("var/cache/.wh..wh..opq")));
  EXPECT_EQ(os::read_file(at("var/cache/kept")).value_or(""), "k");
  EXPECT_FALSE(os::path_exists(at(".wh..wh.plnk")));
  EXPECT_FALSE(os::path_exists(at("plnk")));
}

TEST_F(LayerUnpackTest, RejectsBadWhiteoutNames) {
  EXPECT_EQ(unpack(TarBuilder().file("a/.wh.", "").build()).error().kind,
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(unpack(TarBuilder().dir("d").file(".wh.d", "").build()).error().kind,
            ErrorKind::kInvalidArgument);
}

TEST_F(LayerUnpackTest, KeepsHardlinksSymlinksDevicesAndFifos) {
  std::string tar = TarBuilder()
                        .file("bin/busybox", "bb", 0755)
                        .hardlink("bin/sh", "bin/busybox")
                        .hardlink("bin/ash", "/bin/busybox")  // absolute: inside the root
                        .symlink("bin/abs", "/etc/passwd")    // stored as given
                        .symlink("bin/rel", "../etc")
                        .node("dev/null", 'c', 1, 3)
                        .node("dev/sda", 'b', 8, 0)
                        .node("run/fifo", 'p')
                        .build();
  Result<void> done = unpack(tar);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  ino_t inode = lstat_of(at("bin/busybox")).st_ino;
  EXPECT_EQ(lstat_of(at("bin/sh")).st_ino, inode);
  EXPECT_EQ(lstat_of(at("bin/ash")).st_ino, inode);
  EXPECT_EQ(lstat_of(at("bin/busybox")).st_nlink, 3u);
  EXPECT_EQ(os::read_link_at(AT_FDCWD, at("bin/abs")).value_or(""), "/etc/passwd");
  EXPECT_EQ(os::read_link_at(AT_FDCWD, at("bin/rel")).value_or(""), "../etc");
  struct stat null = lstat_of(at("dev/null"));
  EXPECT_TRUE(S_ISCHR(null.st_mode));
  EXPECT_EQ(null.st_rdev, makedev(1, 3));
  EXPECT_TRUE(S_ISBLK(lstat_of(at("dev/sda")).st_mode));
  EXPECT_TRUE(S_ISFIFO(lstat_of(at("run/fifo")).st_mode));
}

TEST_F(LayerUnpackTest, KeepsXattrsButNotOverlayMetadata) {
  std::string tar = TarBuilder()
                        .file("bin/ping", "p", 0755)
                        .xattr("security.capability", kNetRawCapability)
                        .xattr("user.note", "hello")
                        .dir("forged")
                        .xattr("trusted.overlay.opaque", "y")
                        .xattr("trusted.overlay.redirect", "/etc")
                        .build();
  Result<void> done = unpack(tar);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(os::get_xattr(at("bin/ping"), "user.note").value_or(""), "hello");
  EXPECT_EQ(os::get_xattr(at("bin/ping"), "security.capability").value_or(""), kNetRawCapability);
  EXPECT_FALSE(os::get_xattr(at("forged"), "trusted.overlay.opaque").has_value());
  EXPECT_FALSE(os::get_xattr(at("forged"), "trusted.overlay.redirect").has_value());
}

TEST_F(LayerUnpackTest, AbsoluteNamesLandInsideTheRoot) {
  Result<void> done = unpack(TarBuilder().file("/abs/file", "a").file("./dot/./f", "d").build());
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(os::read_file(at("abs/file")).value_or(""), "a");
  EXPECT_EQ(os::read_file(at("dot/f")).value_or(""), "d");
}

TEST_F(LayerUnpackTest, DotDotOutOfTheRootFails) {
  for (std::string name : {"../outside/x", "../../etc/x", "a/../../outside/x"}) {
    Result<void> done = unpack(TarBuilder().file(name, "x").build());
    ASSERT_FALSE(done.has_value()) << name;
    EXPECT_EQ(done.error().kind, ErrorKind::kInvalidArgument) << name;
    EXPECT_NE(done.error().message.find("outside the layer root"), std::string::npos);
  }
  EXPECT_TRUE(os::list_dir(outside_).empty());
  EXPECT_TRUE(unpack(TarBuilder().file("a/../b", "x").build()).has_value());  // stays inside
  EXPECT_TRUE(os::path_exists(at("b")));
}

TEST_F(LayerUnpackTest, WhiteoutsAndHardlinksThroughASymlinkFail) {
  std::vector<std::string> tars = {
      TarBuilder().symlink("lnk", outside_).file("lnk/.wh.x", "").build(),
      TarBuilder().symlink("lnk", outside_).file("lnk/.wh..wh..opq", "").build(),
      TarBuilder().symlink("lnk", outside_).hardlink("stolen", "lnk/secret").build(),
  };
  ASSERT_TRUE(os::write_file(outside_ + "/secret", "s").has_value());
  for (size_t i = 0; i < tars.size(); ++i) {
    Result<void> done = unpack(tars[i]);
    EXPECT_FALSE(done.has_value()) << "tar " << i;
    EXPECT_EQ(os::list_dir(outside_), std::vector<std::string>{"secret"}) << "tar " << i;
    EXPECT_FALSE(os::get_xattr(outside_, "trusted.overlay.opaque").has_value());
  }
  EXPECT_FALSE(os::path_exists(at("stolen")));
}

// libarchive replaces a symlink met on the way by a directory (ARCHIVE_EXTRACT_UNLINK)
// instead of following it, wherever it points.
TEST_F(LayerUnpackTest, EntriesBelowASymlinkReplaceItByADirectory) {
  std::vector<std::string> tars = {
      TarBuilder().symlink("lnk", outside_).file("lnk/file", "x").build(),
      TarBuilder().symlink("lnk", "../outside").file("lnk/file", "x").build(),
      TarBuilder().symlink("lnk", "/").file("lnk/file", "x").build(),
      TarBuilder().dir("sub").symlink("lnk", "sub").file("lnk/file", "x").build(),
  };
  for (size_t i = 0; i < tars.size(); ++i) {
    ASSERT_TRUE(os::remove_tree(root_).has_value());
    ASSERT_TRUE(os::make_dirs(root_).has_value());
    Result<void> done = unpack(tars[i]);
    ASSERT_TRUE(done.has_value()) << "tar " << i << ": " << done.error().message;
    EXPECT_TRUE(S_ISDIR(lstat_of(at("lnk")).st_mode)) << "tar " << i;
    EXPECT_EQ(os::read_file(at("lnk/file")).value_or(""), "x");
    EXPECT_TRUE(os::list_dir(outside_).empty()) << "tar " << i;
  }
}

TEST_F(LayerUnpackTest, AFileReplacesASymlinkInsteadOfWritingThroughIt) {
  ASSERT_TRUE(os::write_file(outside_ + "/target", "keep").has_value());
  std::string tar = TarBuilder().symlink("f", outside_ + "/target").file("f", "new").build();
  Result<void> done = unpack(tar);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(os::read_file(outside_ + "/target").value_or(""), "keep");
  EXPECT_EQ(os::read_file(at("f")).value_or(""), "new");
}

TEST_F(LayerUnpackTest, WrongDiffIdFails) {
  std::string tar = TarBuilder().file("a", "a").build();
  std::string blob_path = dir_->path() + "/blob";
  ASSERT_TRUE(os::write_file(blob_path, tar).has_value());
  std::string wrong = testing::sha256_of("something else");
  Result<void> done = unpack_layer(blob_path, root_, wrong, nullptr);
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().kind, ErrorKind::kIntegrity);
  EXPECT_NE(done.error().message.find("diff_id mismatch: expected " + wrong + ", got " +
                                      testing::sha256_of(tar)),
            std::string::npos)
      << done.error().message;
  EXPECT_EQ(unpack_layer(blob_path, root_, "sha256:nope", nullptr).error().kind,
            ErrorKind::kInvalidArgument);
}

TEST_F(LayerUnpackTest, TruncatedGarbageAndEmptyBlobsFail) {
  std::string tar = TarBuilder().file("big", std::string(200000, 'x')).file("b", "b").build();
  std::string gz = testing::compress(tar, Compression::kGzip);
  std::string zst = testing::compress(tar, Compression::kZstd);
  std::vector<std::pair<std::string, std::string>> blobs = {
      {"truncated tar", tar.substr(0, 100000)},
      {"truncated header", tar.substr(0, 300)},
      {"truncated gzip", gz.substr(0, gz.size() / 2)},
      {"truncated zstd", zst.substr(0, zst.size() / 2)},
      {"garbage", std::string(5000, '\x7f')},
      {"gzip of garbage", testing::compress(std::string(5000, 'g'), Compression::kGzip)},
      {"empty", ""},
  };
  for (const auto& [what, blob] : blobs) {
    Result<void> done = unpack(tar, blob);
    ASSERT_FALSE(done.has_value()) << what;
    EXPECT_TRUE(done.error().kind == ErrorKind::kInvalidArgument ||
                done.error().kind == ErrorKind::kIo)
        << what << ": " << done.error().message;
  }
  EXPECT_EQ(
      unpack_layer(dir_->path() + "/missing", root_, testing::sha256_of(tar), nullptr).error().kind,
      ErrorKind::kNotFound);
}

TEST_F(LayerUnpackTest, KeepsNonAsciiNames) {
  Result<void> done = unpack(TarBuilder().file("caf\xc3\xa9/\xe6\x97\xa5", "u").build());
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(os::read_file(at("caf\xc3\xa9/\xe6\x97\xa5")).value_or(""), "u");
}

}  // namespace
}  // namespace msb::image
