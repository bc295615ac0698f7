// fs.remove and fs.copy of trees: deep trees without recursion, symlinks never followed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "agent/fs_service.h"
#include "os/file.h"
#include "os/system.h"

namespace msb::agent {
namespace {

class FsTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-fs-tree-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  // `levels` nested directories "d" under `root` with a file at the bottom; returns the
  // deepest directory.
  static std::string make_deep(const std::string& root, int levels) {
    std::string at = root;
    EXPECT_EQ(::mkdir(at.c_str(), 0755), 0);
    for (int i = 1; i < levels; ++i) {
      at += "/d";
      EXPECT_EQ(::mkdir(at.c_str(), 0755), 0) << i;
    }
    EXPECT_TRUE(os::write_file(at + "/leaf", "x").has_value());
    return at;
  }

  static std::optional<protocol::FsError> error_of(const protocol::Message& reply) {
    if (auto* error = std::get_if<protocol::FsError>(&reply)) return *error;
    EXPECT_TRUE(std::holds_alternative<protocol::FsDone>(reply)) << protocol::message_name(reply);
    return std::nullopt;
  }

  std::optional<os::TempDir> dir_;
};

TEST_F(FsTreeTest, RemovesATreeAsDeepAsTheBound) {
  make_deep(path("deep"), static_cast<int>(kMaxTreeDepth));
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsRemove{path("deep"), true}));
  EXPECT_FALSE(error.has_value()) << error->message;
  EXPECT_FALSE(os::path_exists(path("deep")));
}

TEST_F(FsTreeTest, ReportsATreeDeeperThanTheBound) {
  make_deep(path("deep"), static_cast<int>(kMaxTreeDepth) + 5);
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsRemove{path("deep"), true}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, "other");
  EXPECT_EQ(error->errno_value, ELOOP);
  EXPECT_NE(error->message.find("256 directories deep"), std::string::npos) << error->message;
}

TEST_F(FsTreeTest, RemovingASymlinkToADirectoryRemovesTheLinkOnly) {
  make_deep(path("target"), 3);
  ASSERT_TRUE(os::make_symlink(path("target"), path("link")).has_value());
  EXPECT_FALSE(error_of(run_fs_request(protocol::FsRemove{path("link/"), true})).has_value());
  EXPECT_FALSE(os::path_exists(path("link")));
  EXPECT_TRUE(os::path_exists(path("target/d/d/leaf")));
}

TEST_F(FsTreeTest, RemoveOfAMissingPathIsNotFound) {
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsRemove{path("missing"), true}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, "not-found");
}

TEST_F(FsTreeTest, CopiesADeepTree) {
  make_deep(path("src"), 100);
  protocol::Message reply = run_fs_request(protocol::FsCopy{path("src"), path("dst"), true});
  ASSERT_TRUE(std::holds_alternative<protocol::FsDone>(reply)) << protocol::message_name(reply);
  EXPECT_EQ(std::get<protocol::FsDone>(reply).bytes, 1u);
  std::string leaf = path("dst");
  for (int i = 1; i < 100; ++i) leaf += "/d";
  EXPECT_EQ(os::read_file(leaf + "/leaf").value_or(""), "x");
}

TEST_F(FsTreeTest, CopyStopsAtTheDepthBound) {
  make_deep(path("src"), static_cast<int>(kMaxTreeDepth) + 1);
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsCopy{path("src"), path("dst"), true}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->errno_value, ELOOP);
}

TEST_F(FsTreeTest, CopyFailsOnAFifoInTheTree) {
  ASSERT_TRUE(os::make_dir(path("src"), 0755).has_value());
  ASSERT_EQ(::mkfifo(path("src/fifo").c_str(), 0600), 0);
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsCopy{path("src"), path("dst"), true}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, "other");
  EXPECT_EQ(error->path, path("src/fifo"));
}

TEST_F(FsTreeTest, CopiesASymlinkAsASymlink) {
  ASSERT_TRUE(os::make_symlink("/no/such/target", path("link")).has_value());
  EXPECT_FALSE(
      error_of(run_fs_request(protocol::FsCopy{path("link"), path("copy"), false})).has_value());
  char target[64] = {};
  ASSERT_GT(::readlink(path("copy").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "/no/such/target");
}

TEST_F(FsTreeTest, CopyIntoAnExistingPathIsAlreadyExists) {
  ASSERT_TRUE(os::make_dir(path("src"), 0755).has_value());
  ASSERT_TRUE(os::make_dir(path("dst"), 0755).has_value());
  std::optional<protocol::FsError> error =
      error_of(run_fs_request(protocol::FsCopy{path("src"), path("dst"), true}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, "already-exists");
  EXPECT_EQ(error->path, path("dst"));
}

}  // namespace
}  // namespace msb::agent
