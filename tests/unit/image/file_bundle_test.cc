#include "image/file_bundle.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "os/fs_calls.h"
#include "tar_builder.h"

namespace msb::image {
namespace {

class FileBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-file-bundle-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(*dir));
    out_ = dir_->path() + "/out";
    ASSERT_TRUE(os::make_dirs(out_));
  }
  Result<std::vector<std::string>> extract(const std::string& tar, uint64_t max = 1 << 30) {
    EXPECT_TRUE(os::write_file(dir_->path() + "/in.tar", tar));
    return extract_file_bundle(dir_->path() + "/in.tar", out_, {"a.json", "disk.img"}, max);
  }
  std::optional<os::TempDir> dir_;
  std::string out_;
};

TEST_F(FileBundleTest, RoundTripKeepsBytesAndHoles) {
  std::string json = dir_->path() + "/a.json";
  std::string disk = dir_->path() + "/disk.img";
  ASSERT_TRUE(os::write_file(json, "{\"x\":1}"));
  // 64 MiB with data at the start, in the middle, and a hole at the end.
  ASSERT_TRUE(os::create_sparse_file(disk, 64 << 20));
  {
    os::Fd fd = os::open_file(disk, O_WRONLY).value();
    ASSERT_TRUE(os::write_all_at(fd.get(), std::string(4096, 'A'), 0));
    ASSERT_TRUE(os::write_all_at(fd.get(), std::string(8192, 'B'), 32 << 20));
  }
  std::string bundle = dir_->path() + "/bundle.tar";
  ASSERT_TRUE(write_file_bundle(bundle, {{"a.json", json}, {"disk.img", disk}}));
  EXPECT_LT(os::lstat_path(bundle).value().size, 64u * 1024) << "holes are not stored";

  Result<std::vector<std::string>> names =
      extract_file_bundle(bundle, out_, {"a.json", "disk.img"}, 1 << 30);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"a.json", "disk.img"}));
  EXPECT_EQ(os::read_file(out_ + "/a.json").value(), "{\"x\":1}");
  EXPECT_EQ(os::read_file(out_ + "/disk.img").value(), os::read_file(disk).value());
  struct stat st {};
  ASSERT_EQ(::stat((out_ + "/disk.img").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 64 << 20);
  EXPECT_LT(st.st_blocks * 512, 4 << 20) << "the extracted disk stays sparse";
}

TEST_F(FileBundleTest, UnexpectedNamesAreRefused) {
  for (const char* name : {"other", "../a.json", "/a.json", "dir/a.json"}) {
    Result<std::vector<std::string>> got = extract(testing::TarBuilder().file(name, "x").build());
    ASSERT_FALSE(got) << name;
    EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument) << name;
  }
}

TEST_F(FileBundleTest, OnlyRegularFilesOnce) {
  Result<std::vector<std::string>> got =
      extract(testing::TarBuilder().symlink("a.json", "/etc/passwd").build());
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("not a regular file"), std::string::npos);
  ASSERT_TRUE(os::remove_tree(out_));
  ASSERT_TRUE(os::make_dirs(out_));
  got = extract(testing::TarBuilder().file("a.json", "1").file("a.json", "2").build());
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("twice"), std::string::npos) << got.error().message;
}

TEST_F(FileBundleTest, OversizedEntriesAreRefused) {
  Result<std::vector<std::string>> got =
      extract(testing::TarBuilder().file("disk.img", std::string(100, 'x')).build(), 10);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("at most 10"), std::string::npos) << got.error().message;
}

TEST_F(FileBundleTest, GarbageIsNotABundle) {
  Result<std::vector<std::string>> got = extract(std::string(2048, 'z'));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace msb::image
