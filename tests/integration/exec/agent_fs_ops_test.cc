// msb-agentd in channel mode: the quick fs requests, and every fs.error kind produced by a
// real case.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include "agent_fs_fixture.h"
#include "common/defer.h"
#include "os/system.h"

namespace msb::testing {
namespace {

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

int64_t mtime_ns(const struct stat& st) {
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

TEST_F(AgentFsTest, StatFollowsAFinalSymlinkOnlyWhenAsked) {
  ASSERT_TRUE(os::write_file(path("file"), "12345").has_value());
  ASSERT_TRUE(os::make_symlink("file", path("link")).has_value());
  ASSERT_TRUE(os::make_symlink("missing", path("dangling")).has_value());
  FsReply link = request(1, protocol::FsStat{path("link"), false});
  ASSERT_TRUE(link.stat.has_value());
  EXPECT_EQ(link.stat->type, "symlink");
  FsReply target = request(2, protocol::FsStat{path("link"), true});
  ASSERT_TRUE(target.stat.has_value());
  EXPECT_EQ(target.stat->type, "file");
  EXPECT_EQ(target.stat->size, 5u);
  FsReply dangling = request(3, protocol::FsStat{path("dangling"), true});
  ASSERT_TRUE(dangling.stat.has_value());
  EXPECT_FALSE(dangling.stat->exists);
}

TEST_F(AgentFsTest, MkdirWithExactModeAndParents) {
  expect_done(request(1, protocol::FsMkdir{path("a"), 0777, false}));
  EXPECT_EQ(lstat_of(path("a")).st_mode & 07777, 0777u);
  expect_done(request(2, protocol::FsMkdir{path("x/y/z"), 0700, true}));
  EXPECT_EQ(lstat_of(path("x/y/z")).st_mode & 07777, 0700u);
  EXPECT_TRUE(S_ISDIR(lstat_of(path("x/y")).st_mode));
  expect_done(request(3, protocol::FsMkdir{path("x/y/z"), 0755, true}));  // exists: fine
  EXPECT_EQ(lstat_of(path("x/y/z")).st_mode & 07777, 0700u);
  expect_done(request(4, protocol::FsMkdir{path("d"), 0, false}));
  EXPECT_EQ(lstat_of(path("d")).st_mode & 07777, 0755u);
}

TEST_F(AgentFsTest, RemovesFilesSymlinksAndEmptyDirectories) {
  ASSERT_TRUE(os::write_file(path("target"), "keep").has_value());
  ASSERT_TRUE(os::make_symlink(path("target"), path("link")).has_value());
  ASSERT_TRUE(os::make_dir(path("empty"), 0755).has_value());
  expect_done(request(1, protocol::FsRemove{path("link"), false}));
  EXPECT_FALSE(os::path_exists(path("link")));
  EXPECT_EQ(os::read_file(path("target")).value_or(""), "keep");
  expect_done(request(2, protocol::FsRemove{path("empty/"), false}));
  expect_done(request(3, protocol::FsRemove{path("target"), false}));
  EXPECT_FALSE(os::path_exists(path("target")));
}

TEST_F(AgentFsTest, RemovesATreeWithoutFollowingSymlinksOutOfIt) {
  ASSERT_TRUE(os::make_dirs(path("outside/deep")).has_value());
  ASSERT_TRUE(os::write_file(path("outside/deep/precious"), "keep").has_value());
  ASSERT_TRUE(os::make_dirs(path("tree/a/b/c")).has_value());
  ASSERT_TRUE(os::write_file(path("tree/a/b/c/file"), "x").has_value());
  ASSERT_TRUE(os::make_symlink(path("outside"), path("tree/a/escape")).has_value());
  ASSERT_TRUE(os::make_symlink(path("outside/deep"), path("tree/a/b/escape2")).has_value());
  expect_error(request(1, protocol::FsRemove{path("tree"), false}), "not-empty");
  expect_done(request(2, protocol::FsRemove{path("tree"), true}));
  EXPECT_FALSE(os::path_exists(path("tree")));
  EXPECT_EQ(os::read_file(path("outside/deep/precious")).value_or(""), "keep");
}

TEST_F(AgentFsTest, RefusesToRemoveTheRoot) {
  for (const char* root : {"/", "//", "/tmp/.."}) {
    protocol::FsError error =
        expect_error(request(1, protocol::FsRemove{root, true}), "invalid-path");
    EXPECT_NE(error.message.find("root"), std::string::npos) << root << ": " << error.message;
  }
}

TEST_F(AgentFsTest, RenamesAndNamesTheTargetWhenItIsAtFault) {
  ASSERT_TRUE(os::write_file(path("from"), "data").has_value());
  expect_done(request(1, protocol::FsRename{path("from"), path("to")}));
  EXPECT_EQ(os::read_file(path("to")).value_or(""), "data");
  ASSERT_TRUE(os::make_dirs(path("dir/full/x")).has_value());
  ASSERT_TRUE(os::make_dir(path("src"), 0755).has_value());
  protocol::FsError error =
      expect_error(request(2, protocol::FsRename{path("src"), path("dir/full")}), "not-empty");
  EXPECT_EQ(error.path, path("dir/full"));
  error = expect_error(request(3, protocol::FsRename{path("nope"), path("x")}), "not-found");
  EXPECT_EQ(error.path, path("nope"));
}

TEST_F(AgentFsTest, CopiesAFileWithItsMode) {
  ASSERT_TRUE(os::write_file(path("script"), "#!/bin/sh\necho hi\n").has_value());
  ASSERT_EQ(::chmod(path("script").c_str(), 0751), 0);
  expect_done(request(1, protocol::FsCopy{path("script"), path("copy"), false}), 18);
  EXPECT_EQ(os::read_file(path("copy")).value_or(""), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(lstat_of(path("copy")).st_mode & 07777, 0751u);
  expect_error(request(2, protocol::FsCopy{path("script"), path("copy"), false}), "already-exists");
}

TEST_F(AgentFsTest, CopiesATreeWithSymlinksAsSymlinks) {
  ASSERT_TRUE(os::make_dirs(path("src/sub/empty")).has_value());
  ASSERT_TRUE(os::write_file(path("src/top"), "1234").has_value());
  ASSERT_TRUE(os::write_file(path("src/sub/inner"), "56").has_value());
  ASSERT_TRUE(os::make_symlink("../top", path("src/sub/link")).has_value());
  ASSERT_EQ(::chmod(path("src/sub").c_str(), 0500), 0);  // read-only: filled before its mode
  MSB_DEFER {  // so that TempDir can clean up without root
    ::chmod(path("src/sub").c_str(), 0755);
    ::chmod(path("dst/sub").c_str(), 0755);
  };
  ASSERT_TRUE(os::make_symlink("/etc", path("src/abs")).has_value());
  expect_error(request(1, protocol::FsCopy{path("src"), path("dst"), false}), "is-a-directory");
  expect_done(request(2, protocol::FsCopy{path("src"), path("dst"), true}), 6);
  EXPECT_EQ(os::read_file(path("dst/top")).value_or(""), "1234");
  EXPECT_EQ(os::read_file(path("dst/sub/inner")).value_or(""), "56");
  EXPECT_TRUE(S_ISDIR(lstat_of(path("dst/sub/empty")).st_mode));
  EXPECT_EQ(lstat_of(path("dst/sub")).st_mode & 07777, 0500u);
  EXPECT_TRUE(S_ISLNK(lstat_of(path("dst/sub/link")).st_mode));
  EXPECT_TRUE(S_ISLNK(lstat_of(path("dst/abs")).st_mode));
  char target[64] = {};
  ASSERT_GT(::readlink(path("dst/sub/link").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "../top");
}

TEST_F(AgentFsTest, RefusesToCopyADirectoryIntoItself) {
  ASSERT_TRUE(os::make_dirs(path("a/b")).has_value());
  expect_error(request(1, protocol::FsCopy{path("a"), path("a/b/c"), true}), "invalid-path");
  expect_error(request(2, protocol::FsCopy{path("a"), path("a/c"), true}), "invalid-path");
  EXPECT_FALSE(os::path_exists(path("a/b/c")));
}

TEST_F(AgentFsTest, SymlinkReadLinkAndRealPath) {
  ASSERT_TRUE(os::make_dirs(path("real/dir")).has_value());
  expect_done(request(1, protocol::FsSymlink{"real/dir", path("link")}));
  FsReply target = request(2, protocol::FsReadLink{path("link")});
  ASSERT_TRUE(target.path.has_value());
  EXPECT_EQ(target.path->path, "real/dir");
  char resolved_dir[PATH_MAX];
  ASSERT_NE(::realpath(dir_->path().c_str(), resolved_dir), nullptr);
  FsReply real = request(3, protocol::FsRealPath{path("link/../dir/./")});
  ASSERT_TRUE(real.path.has_value()) << (real.error ? real.error->message : "");
  EXPECT_EQ(real.path->path, std::string(resolved_dir) + "/real/dir");
  expect_error(request(4, protocol::FsSymlink{"x", path("link")}), "already-exists");
  protocol::FsError error = expect_error(request(5, protocol::FsReadLink{path("real")}), "other");
  EXPECT_EQ(error.errno_value, EINVAL);
  expect_error(request(6, protocol::FsRealPath{path("link/missing")}), "not-found");
}

TEST_F(AgentFsTest, ChmodChownAndSetTimes) {
  std::string file = path("f");
  ASSERT_TRUE(os::write_file(file, "x").has_value());
  expect_done(request(1, protocol::FsChmod{file, 04711}));
  EXPECT_EQ(lstat_of(file).st_mode & 07777, 04711u);
  expect_done(request(2, protocol::FsChown{file, -1, -1, true}));
  protocol::FsError error =
      expect_error(request(3, protocol::FsChown{file, -7, -1, true}), "other");
  EXPECT_EQ(error.errno_value, EINVAL);
  if (::geteuid() == 0) {
    ASSERT_TRUE(os::make_symlink("f", path("link")).has_value());
    expect_done(request(4, protocol::FsChown{path("link"), 12345, 23456, false}));
    EXPECT_EQ(lstat_of(path("link")).st_uid, 12345u);
    EXPECT_EQ(lstat_of(path("link")).st_gid, 23456u);
    EXPECT_EQ(lstat_of(file).st_uid, 0u);  // the link itself changed, not its target
  }
  int64_t when = 1'600'000'000'123'456'789;
  expect_done(request(5, protocol::FsSetTimes{file, when, when + 1000, true}));
  struct stat st = lstat_of(file);
  EXPECT_EQ(mtime_ns(st), when + 1000);
  EXPECT_EQ(int64_t{st.st_atim.tv_sec} * 1'000'000'000 + st.st_atim.tv_nsec, when);
  expect_done(request(6, protocol::FsSetTimes{file, -1, -2, true}));  // mtime unchanged
  EXPECT_EQ(mtime_ns(lstat_of(file)), when + 1000);
  expect_done(request(7, protocol::FsSetTimes{file, -2, -1, true}));  // mtime now
  EXPECT_GT(mtime_ns(lstat_of(file)), when + 1000);
  expect_error(request(8, protocol::FsSetTimes{file, -3, 0, true}), "other");
}

TEST_F(AgentFsTest, EveryErrorKindFromARealCase) {
  ASSERT_TRUE(os::write_file(path("file"), "x").has_value());
  ASSERT_TRUE(os::make_dirs(path("full/child")).has_value());
  protocol::FsError error =
      expect_error(request(1, protocol::FsRead{path("missing"), 0, 0}), "not-found");
  EXPECT_EQ(error.errno_value, ENOENT);
  EXPECT_EQ(error.path, path("missing"));
  EXPECT_NE(error.message.find(path("missing")), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("No such file or directory"), std::string::npos) << error.message;
  expect_error(request(2, protocol::FsList{path("file")}), "not-a-directory");
  expect_error(request(3, protocol::FsMkdir{path("file/sub"), 0, false}), "not-a-directory");
  expect_error(request(4, protocol::FsRead{path("full"), 0, 0}), "is-a-directory");
  expect_error(request(5, protocol::FsMkdir{path("full"), 0, false}), "already-exists");
  expect_error(request(6, protocol::FsRemove{path("full"), false}), "not-empty");
  expect_error(request(7, protocol::FsList{"relative/path"}), "invalid-path");
  expect_error(request(8, protocol::FsRemove{std::string("/tmp\0x", 6), false}), "invalid-path");
  expect_error(request(9, protocol::FsStat{"/" + std::string(5000, 'a'), false}), "invalid-path");
  // Even root may not chmod a /proc file.
  expect_error(request(10, protocol::FsChmod{"/proc/self/status", 0777}), "permission-denied");
  FsReply full = write(11, protocol::FsWrite{"/dev/full", 0, ""}, "x");
  EXPECT_EQ(expect_error(full, "io").errno_value, ENOSPC);
  ASSERT_TRUE(os::make_symlink("loop", path("loop")).has_value());
  EXPECT_EQ(expect_error(request(12, protocol::FsRead{path("loop"), 0, 0}), "other").errno_value,
            ELOOP);
}

TEST_F(AgentFsTest, PermissionDeniedOnAClosedDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any directory";
  ASSERT_TRUE(os::make_dir(path("closed"), 0755).has_value());
  ASSERT_EQ(::chmod(path("closed").c_str(), 0), 0);
  MSB_DEFER { ::chmod(path("closed").c_str(), 0755); };
  protocol::FsError error =
      expect_error(request(1, protocol::FsList{path("closed")}), "permission-denied");
  EXPECT_EQ(error.errno_value, EACCES);
}

}  // namespace
}  // namespace msb::testing
