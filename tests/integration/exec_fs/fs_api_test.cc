// SandboxFs path operations on a real sandbox, each checked through the API and, where it
// matters, through a command in the guest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::DirEntry;
using microsandbox::ErrorKind;
using microsandbox::FileStat;
using microsandbox::FileType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FsApi : public SandboxSuite {
 protected:
  void SetUp() override {
    SandboxSuite::SetUp();
    if (HasFatalFailure()) return;
    dir_ = std::string("/tmp/fsapi-") +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs_.emplace(sandbox().fs());
    fs_->mkdir(dir_, true);
  }
  microsandbox::SandboxFs& fs() { return *fs_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  std::optional<microsandbox::SandboxFs> fs_;
};

TEST_F(FsApi, StatFollowsSymlinksOnlyWhenAsked) {
  fs().write(path("file"), "12345");
  fs().symlink("file", path("link"));
  FileStat followed = fs().stat(path("link"), true);
  EXPECT_TRUE(followed.exists);
  EXPECT_EQ(followed.type, FileType::kFile);
  EXPECT_EQ(followed.size, 5u);
  FileStat link = fs().stat(path("link"), false);
  EXPECT_TRUE(link.exists);
  EXPECT_EQ(link.type, FileType::kSymlink);
  FileStat missing = fs().stat(path("missing"));
  EXPECT_FALSE(missing.exists);
  EXPECT_EQ(missing.type, FileType::kMissing);
  EXPECT_EQ(fs().stat(dir_).type, FileType::kDir);
}

TEST_F(FsApi, ExistsSeesDanglingSymlinks) {
  fs().symlink("/nowhere", path("dangling"));
  EXPECT_TRUE(fs().exists(path("dangling")));
  EXPECT_FALSE(fs().stat(path("dangling"), true).exists);
  EXPECT_FALSE(fs().exists(path("nothing")));
  EXPECT_TRUE(fs().exists("/etc/passwd"));
}

TEST_F(FsApi, ListIsSortedWithTypes) {
  fs().write(path("b"), "bb");
  fs().mkdir(path("a"));
  fs().symlink("b", path("c"));
  fs().write(path("A"), "");
  std::vector<DirEntry> entries = fs().list(dir_);
  std::vector<std::string> names;
  for (const DirEntry& entry : entries) names.push_back(entry.name);
  EXPECT_THAT(names, ElementsAre("A", "a", "b", "c"));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].type, FileType::kFile);
  EXPECT_EQ(entries[1].type, FileType::kDir);
  EXPECT_EQ(entries[2].type, FileType::kFile);
  EXPECT_EQ(entries[2].size, 2u);
  EXPECT_EQ(entries[3].type, FileType::kSymlink);
  EXPECT_EQ(entries[3].link_target, "b");
}

TEST_F(FsApi, ReadWithOffsetAndLength) {
  fs().write(path("digits"), "0123456789");
  EXPECT_EQ(fs().read(path("digits")), "0123456789");
  EXPECT_EQ(fs().read(path("digits"), 3, 4), "3456");
  EXPECT_EQ(fs().read(path("digits"), 7), "789");
  EXPECT_EQ(fs().read(path("digits"), 8, 100), "89");
  EXPECT_EQ(fs().read(path("digits"), 20), "");
  // What the API wrote is what the guest sees.
  EXPECT_EQ(sh("cat " + path("digits")).stdout_data, "0123456789");
}

TEST_F(FsApi, WriteOptionsAppendAndExclusive) {
  fs().write(path("log"), "one\n");
  microsandbox::WriteOptions append;
  append.append = true;
  fs().write(path("log"), "two\n", append);
  EXPECT_EQ(fs().read(path("log")), "one\ntwo\n");
  microsandbox::WriteOptions exclusive;
  exclusive.exclusive = true;
  microsandbox::Error error = error_of([&] { fs().write(path("log"), "x", exclusive); });
  EXPECT_EQ(error.kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(fs().read(path("log")), "one\ntwo\n");
}

TEST_F(FsApi, MkdirWithParentsRemoveAndRemoveDir) {
  fs().mkdir(path("x/y/z"), true);
  EXPECT_EQ(fs().stat(path("x/y/z")).type, FileType::kDir);
  fs().mkdir(path("x/y/z"), true);  // parents: an existing directory is fine
  fs().write(path("x/y/z/f"), "f");
  fs().remove(path("x/y/z/f"));
  EXPECT_FALSE(fs().exists(path("x/y/z/f")));
  fs().remove(path("x/y/z"));  // an empty directory
  EXPECT_FALSE(fs().exists(path("x/y/z")));
  fs().write(path("x/y/deep"), "d");
  fs().remove_dir(path("x"), true);
  EXPECT_FALSE(fs().exists(path("x")));
}

TEST_F(FsApi, RenameAndRecursiveCopy) {
  fs().mkdir(path("src/sub"), true);
  fs().write(path("src/one"), "1");
  fs().write(path("src/sub/two"), "22");
  fs().symlink("one", path("src/sub/link"));
  fs().rename(path("src/one"), path("src/uno"));
  EXPECT_FALSE(fs().exists(path("src/one")));
  EXPECT_EQ(fs().read(path("src/uno")), "1");
  fs().copy(path("src"), path("copy"), true);
  EXPECT_EQ(fs().read(path("copy/uno")), "1");
  EXPECT_EQ(fs().read(path("copy/sub/two")), "22");
  EXPECT_EQ(fs().read_link(path("copy/sub/link")), "one");
  fs().copy(path("src/uno"), path("single"));
  EXPECT_EQ(fs().read(path("single")), "1");
  microsandbox::Error error = error_of([&] { fs().copy(path("src"), path("flat"), false); });
  EXPECT_THAT(error.what(), HasSubstr("directory"));
}

TEST_F(FsApi, SymlinkReadLinkAndRealPath) {
  fs().mkdir(path("real"));
  fs().symlink(path("real"), path("alias"));
  EXPECT_EQ(fs().read_link(path("alias")), path("real"));
  EXPECT_EQ(fs().real_path(path("alias")), path("real"));
  EXPECT_EQ(fs().real_path(path("real/../real/.")), path("real"));
  EXPECT_EQ(sh("readlink " + path("alias")).stdout_data, path("real") + "\n");
}

TEST_F(FsApi, ChmodChownAndSetTimes) {
  fs().write(path("f"), "data");
  fs().chmod(path("f"), 04755);
  EXPECT_EQ(fs().stat(path("f")).mode, 04755u);
  fs().chmod(path("f"), 0751);
  EXPECT_EQ(fs().stat(path("f")).mode, 0751u);
  fs().chown(path("f"), 1234, 4321);
  FileStat owned = fs().stat(path("f"));
  EXPECT_EQ(owned.uid, 1234u);
  EXPECT_EQ(owned.gid, 4321u);
  fs().chown(path("f"), -1, 7);
  EXPECT_EQ(fs().stat(path("f")).uid, 1234u);
  EXPECT_EQ(fs().stat(path("f")).gid, 7u);
  EXPECT_EQ(sh("stat -c '%a %u %g' " + path("f")).stdout_data, "751 1234 7\n");

  auto mtime = std::chrono::system_clock::time_point(std::chrono::seconds(1'500'000'000));
  fs().set_times(path("f"), mtime, mtime);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(
                fs().stat(path("f")).mtime.time_since_epoch())
                .count(),
            1'500'000'000);
  EXPECT_EQ(sh("stat -c %Y " + path("f")).stdout_data, "1500000000\n");
}

TEST_F(FsApi, ReadOfAMissingPathIsNotFoundNamingIt) {
  microsandbox::Error error = error_of([&] { fs().read(path("absent")); });
  EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
  EXPECT_THAT(error.what(), HasSubstr(path("absent")));
}

TEST_F(FsApi, ListOfAFileIsAnErrorNamingIt) {
  fs().write(path("plain"), "x");
  microsandbox::Error error = error_of([&] { fs().list(path("plain")); });
  EXPECT_EQ(error.kind(), ErrorKind::kIo);
  EXPECT_EQ(error.sys_errno(), ENOTDIR);
  EXPECT_THAT(error.what(), HasSubstr(path("plain")));
  EXPECT_THAT(error.what(), HasSubstr("ot a directory"));
}

TEST_F(FsApi, MkdirOfAnExistingPathIsAlreadyExists) {
  fs().mkdir(path("d"));
  microsandbox::Error error = error_of([&] { fs().mkdir(path("d")); });
  EXPECT_EQ(error.kind(), ErrorKind::kAlreadyExists);
  EXPECT_THAT(error.what(), HasSubstr(path("d")));
}

TEST_F(FsApi, RemoveOfANonEmptyDirectoryNeedsRecursive) {
  fs().mkdir(path("full"));
  fs().write(path("full/f"), "x");
  microsandbox::Error error = error_of([&] { fs().remove(path("full")); });
  EXPECT_EQ(error.kind(), ErrorKind::kIo);
  EXPECT_EQ(error.sys_errno(), ENOTEMPTY);
  EXPECT_THAT(error.what(), HasSubstr(path("full")));
  error = error_of([&] { fs().remove_dir(path("full"), false); });
  EXPECT_THAT(error.what(), HasSubstr(path("full")));
  EXPECT_TRUE(fs().exists(path("full/f")));
}

TEST_F(FsApi, RelativePathIsInvalidArgument) {
  microsandbox::Error error = error_of([&] { fs().read("etc/passwd"); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace msb::testing
