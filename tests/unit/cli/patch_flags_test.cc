#include "cli/patch_flags.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace msb::cli {
namespace {

using config::RootfsPatch;

class PatchFlagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("msb-patch-flags-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "tree");
    std::ofstream(dir_ / "file.txt") << "x";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(PatchFlagTest, CopyIsAFileOrATreeByWhatTheSourceIs) {
  Result<RootfsPatch> file = parse_copy_flag((dir_ / "file.txt").string() + ":/etc/x.txt");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->kind, RootfsPatch::Kind::kCopyFile);
  EXPECT_EQ(file->source, (dir_ / "file.txt").string());
  EXPECT_EQ(file->path, "/etc/x.txt");
  Result<RootfsPatch> tree = parse_copy_flag((dir_ / "tree").string() + "/:/srv");
  ASSERT_TRUE(tree.has_value()) << tree.error().message;
  EXPECT_EQ(tree->kind, RootfsPatch::Kind::kCopyDir);
  EXPECT_EQ(tree->source, (dir_ / "tree").string());
}

TEST_F(PatchFlagTest, RelativeSourcesBecomeAbsolute) {
  std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  Result<RootfsPatch> patch = parse_copy_flag("./tree/../file.txt:/x");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(patch.has_value()) << patch.error().message;
  EXPECT_EQ(patch->source, (dir_ / "file.txt").string());
}

TEST_F(PatchFlagTest, MalformedOrMissingSourcesAreRefused) {
  for (std::string text : {"nocolon", ":/x", "/a:", ""}) {
    Result<RootfsPatch> patch = parse_copy_flag(text);
    ASSERT_FALSE(patch.has_value()) << text;
    EXPECT_EQ(patch.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(patch.error().message.find("expected HOST_PATH:GUEST_PATH"), std::string::npos);
  }
  Result<RootfsPatch> missing = parse_copy_flag((dir_ / "gone").string() + ":/x");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
}

TEST_F(PatchFlagTest, FlagsBecomePatchesRmThenMkdirThenCopy) {
  CLI::App app;
  PatchFlags flags;
  flags.add_to(app);
  std::string copy = (dir_ / "file.txt").string() + ":/app/f";
  std::vector<std::string> argv = {"msb", "--copy", copy, "--mkdir", "/data", "--rm", "/app"};
  std::vector<const char*> args;
  for (const std::string& arg : argv) args.push_back(arg.c_str());
  app.parse(static_cast<int>(args.size()), args.data());
  Result<std::vector<RootfsPatch>> patches = flags.to_patches();
  ASSERT_TRUE(patches.has_value());
  ASSERT_EQ(patches->size(), 3u);
  EXPECT_EQ((*patches)[0].kind, RootfsPatch::Kind::kRemove);
  EXPECT_EQ((*patches)[0].path, "/app");
  EXPECT_EQ((*patches)[1].kind, RootfsPatch::Kind::kMkdir);
  EXPECT_EQ((*patches)[1].path, "/data");
  EXPECT_EQ((*patches)[2].kind, RootfsPatch::Kind::kCopyFile);
  EXPECT_EQ((*patches)[2].path, "/app/f");
}

}  // namespace
}  // namespace msb::cli
