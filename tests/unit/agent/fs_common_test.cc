#include "agent/fs_common.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

namespace msb::agent {
namespace {

TEST(FsErrorKind, MapsErrnoToTheProtocolKinds) {
  EXPECT_EQ(fs_error_kind(ENOENT), "not-found");
  EXPECT_EQ(fs_error_kind(ENOTDIR), "not-a-directory");
  EXPECT_EQ(fs_error_kind(EISDIR), "is-a-directory");
  EXPECT_EQ(fs_error_kind(EACCES), "permission-denied");
  EXPECT_EQ(fs_error_kind(EPERM), "permission-denied");
  EXPECT_EQ(fs_error_kind(EROFS), "permission-denied");
  EXPECT_EQ(fs_error_kind(EEXIST), "already-exists");
  EXPECT_EQ(fs_error_kind(ENOTEMPTY), "not-empty");
  EXPECT_EQ(fs_error_kind(ENAMETOOLONG), "invalid-path");
  for (int io : {EIO, ENOSPC, EDQUOT, EFBIG}) EXPECT_EQ(fs_error_kind(io), "io") << io;
  for (int other : {ELOOP, EXDEV, EINVAL, EBUSY, 0}) {
    EXPECT_EQ(fs_error_kind(other), "other") << other;
  }
}

TEST(FsError, NamesTheOperationPathAndErrnoText) {
  protocol::FsError error = fs_error(EEXIST, "mkdir", "/a/b");
  EXPECT_EQ(error.kind, "already-exists");
  EXPECT_EQ(error.errno_value, EEXIST);
  EXPECT_EQ(error.message, "mkdir /a/b: File exists");
  EXPECT_EQ(error.path, "/a/b");
}

TEST(FsError, CutsLongPathsSoThatTheReplyFitsAFrame) {
  std::string path = "/" + std::string(1 << 20, 'x');
  protocol::FsError error = fs_error(ENOENT, "open", path);
  EXPECT_LT(error.message.size(), 400u);
  EXPECT_EQ(error.path.size(), 256u + 3);
  EXPECT_TRUE(error.path.ends_with("..."));
  EXPECT_LT(fs_failure("other", 0, "x", path).path.size(), 300u);
}

TEST(FsError, TakesTheErrnoOfAnOsError) {
  Error os_error{ErrorKind::kIo, ENOTEMPTY, "rmdir x: Directory not empty"};
  protocol::FsError error = fs_error(os_error, "remove", "/x");
  EXPECT_EQ(error.kind, "not-empty");
  EXPECT_EQ(error.message, "remove /x: Directory not empty");
}

TEST(CheckPath, AcceptsAbsolutePaths) {
  for (const char* path : {"/", "/tmp", "/a/../b/", "//x"}) {
    EXPECT_FALSE(check_path(path).has_value()) << path;
  }
}

TEST(CheckPath, RejectsEmptyRelativeAndNulPathsNamingTheField) {
  for (const std::string& path : {std::string(""), std::string("tmp"), std::string("./x"),
                                  std::string("/tmp\0x", 6), std::string(100'000, 'r')}) {
    std::optional<protocol::FsError> error = check_path(path, "from");
    ASSERT_TRUE(error.has_value()) << path.size();
    EXPECT_EQ(error->kind, "invalid-path");
    EXPECT_EQ(error->errno_value, 0);
    EXPECT_TRUE(error->message.starts_with("from ")) << error->message;
    EXPECT_LT(error->message.size(), 400u);
  }
}

TEST(StripTrailingSlashes, KeepsTheRoot) {
  EXPECT_EQ(strip_trailing_slashes("/a/b/"), "/a/b");
  EXPECT_EQ(strip_trailing_slashes("/a//"), "/a");
  EXPECT_EQ(strip_trailing_slashes("/a"), "/a");
  EXPECT_EQ(strip_trailing_slashes("/"), "/");
  EXPECT_EQ(strip_trailing_slashes("///"), "/");
}

TEST(TypeName, NamesFileDirSymlinkAndOther) {
  EXPECT_EQ(type_name(S_IFREG | 0644), "file");
  EXPECT_EQ(type_name(S_IFDIR | 0755), "dir");
  EXPECT_EQ(type_name(S_IFLNK | 0777), "symlink");
  EXPECT_EQ(type_name(S_IFIFO | 0600), "other");
  EXPECT_EQ(type_name(S_IFCHR | 0600), "other");
}

TEST(ParseWriteFlags, EmptyIsCreateTruncate) {
  Result<WriteFlags> flags = parse_write_flags("");
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(*flags, (WriteFlags{.create = true, .truncate = true}));
}

TEST(ParseWriteFlags, CombinesNamesAndExclusiveImpliesCreate) {
  EXPECT_EQ(parse_write_flags("create").value(), WriteFlags{.create = true});
  EXPECT_EQ(parse_write_flags("append,create").value(),
            (WriteFlags{.create = true, .append = true}));
  EXPECT_EQ(parse_write_flags("truncate").value(), WriteFlags{.truncate = true});
  EXPECT_EQ(parse_write_flags("exclusive").value(),
            (WriteFlags{.create = true, .exclusive = true}));
  EXPECT_EQ(parse_write_flags("create,create").value(), WriteFlags{.create = true});
}

TEST(ParseWriteFlags, RejectsUnknownAndEmptyNames) {
  for (const char* text : {"sync", "create,", ",create", "create,,append", "Create", " create"}) {
    Result<WriteFlags> flags = parse_write_flags(text);
    ASSERT_FALSE(flags.has_value()) << text;
    EXPECT_EQ(flags.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(flags.error().message.find("unknown mode flag"), std::string::npos);
  }
}

TEST(OpenFlags, MapsEachFlag) {
  EXPECT_EQ(open_flags(WriteFlags{}), O_WRONLY);
  EXPECT_EQ(open_flags(WriteFlags{.create = true, .truncate = true}), O_WRONLY | O_CREAT | O_TRUNC);
  EXPECT_EQ(open_flags(WriteFlags{.append = true}), O_WRONLY | O_APPEND);
  EXPECT_EQ(open_flags(WriteFlags{.create = true, .exclusive = true}), O_WRONLY | O_CREAT | O_EXCL);
}

}  // namespace
}  // namespace msb::agent
