// Moving bulk data with SandboxFs on a real sandbox: large files both ways, chunked
// writers and streamed reads, and whole trees between the host and the guest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "os/file.h"
#include "sandbox_suite.h"

namespace msb::testing {
namespace {

namespace stdfs = std::filesystem;
using microsandbox::FileType;
using ::testing::HasSubstr;

constexpr size_t kMiB = 1 << 20;

class FsCopy : public SandboxSuite {};

std::string guest_sha256(const std::string& path) {
  std::string out = SandboxSuite::sandbox().shell("sha256sum " + path).stdout_data;
  return out.substr(0, out.find(' '));
}

TEST_F(FsCopy, SixtyFourMebibyteFileRoundTrips) {
  Watchdog watchdog("64 MiB write and read", std::chrono::seconds(600));
  std::string data = random_bytes(64 * kMiB, 11);
  std::string expected = sha256_hex(data);
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.write("/tmp/big64", data);
  EXPECT_EQ(fs.stat("/tmp/big64").size, data.size());
  EXPECT_EQ(guest_sha256("/tmp/big64"), expected);
  std::string back = fs.read("/tmp/big64");
  EXPECT_EQ(back.size(), data.size());
  EXPECT_EQ(sha256_hex(back), expected);
  fs.remove("/tmp/big64");
}

TEST_F(FsCopy, ChunkedWriterAndStreamedRead) {
  Watchdog watchdog("64 MiB writer and read_stream", std::chrono::seconds(600));
  std::string data = random_bytes(64 * kMiB, 12);
  microsandbox::SandboxFs fs = sandbox().fs();
  microsandbox::WriteOptions options;
  options.mode = 0600;
  microsandbox::FileWriter writer = fs.open_write("/tmp/chunked", options);
  for (size_t offset = 0; offset < data.size(); offset += kMiB)
    writer.write(std::string_view(data).substr(offset, kMiB));
  EXPECT_EQ(writer.close(), data.size());
  EXPECT_EQ(fs.stat("/tmp/chunked").mode, 0600u);

  Sha256 hash;
  size_t chunks = 0, bytes = 0;
  uint64_t total = fs.read_stream("/tmp/chunked", [&](std::string_view chunk) {
    ++chunks;
    bytes += chunk.size();
    hash.update(chunk);
  });
  EXPECT_EQ(total, data.size());
  EXPECT_EQ(bytes, data.size());
  EXPECT_GT(chunks, 1u);
  EXPECT_EQ(hash.hex(), sha256_hex(data));
  EXPECT_EQ(guest_sha256("/tmp/chunked"), sha256_hex(data));
  fs.remove("/tmp/chunked");
}

// "path type mode [target|sha256]" for every entry under `root`, sorted.
std::vector<std::string> describe_tree(const std::string& root) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(root, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    std::string relative = stdfs::relative(it->path(), root).string();
    stdfs::file_status status = stdfs::symlink_status(it->path());
    unsigned mode = static_cast<unsigned>(status.permissions()) & 0777;
    char octal[8];
    std::snprintf(octal, sizeof octal, "%03o", mode);
    if (stdfs::is_symlink(status)) {
      entries.push_back(relative + " symlink -> " + stdfs::read_symlink(it->path()).string());
    } else if (stdfs::is_directory(status)) {
      entries.push_back(relative + " dir " + octal);
    } else {
      Result<std::string> content = os::read_file(it->path().string());
      entries.push_back(relative + " file " + octal + " " +
                        (content ? sha256_hex(*content) : "unreadable"));
    }
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

// A small tree with the modes, a subdirectory and symlinks that a copy must keep.
std::string make_host_tree(const std::string& parent) {
  std::string root = parent + "/tree";
  stdfs::create_directories(root + "/sub/deeper");
  EXPECT_TRUE(os::write_file(root + "/secret.txt", "only me\n"));
  EXPECT_TRUE(os::write_file(root + "/run.sh", "#!/bin/sh\necho ran\n"));
  EXPECT_TRUE(os::write_file(root + "/sub/nested.bin", random_bytes(300 * 1024, 13)));
  EXPECT_TRUE(os::write_file(root + "/sub/deeper/empty", ""));
  ::chmod((root + "/secret.txt").c_str(), 0600);
  ::chmod((root + "/run.sh").c_str(), 0755);
  ::chmod((root + "/sub/nested.bin").c_str(), 0640);
  ::chmod((root + "/sub").c_str(), 0750);
  stdfs::create_symlink("secret.txt", root + "/link");
  stdfs::create_symlink("/etc/passwd", root + "/sub/absolute");
  return root;
}

TEST_F(FsCopy, HostTreeRoundTripKeepsNamesTypesModesLinksAndContents) {
  Watchdog watchdog("host tree round trip", std::chrono::seconds(300));
  std::string host = scratch_dir("tree-");
  std::string root = make_host_tree(host);
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.copy_from_host(root, "/tmp/copied");

  // In the guest, as a program there sees it.
  EXPECT_EQ(fs.stat("/tmp/copied/secret.txt").mode, 0600u);
  EXPECT_EQ(fs.stat("/tmp/copied/run.sh").mode, 0755u);
  EXPECT_EQ(fs.stat("/tmp/copied/sub").mode, 0750u);
  EXPECT_EQ(fs.stat("/tmp/copied/link", false).type, FileType::kSymlink);
  EXPECT_EQ(fs.read_link("/tmp/copied/sub/absolute"), "/etc/passwd");
  EXPECT_EQ(sandbox().exec("/tmp/copied/run.sh").stdout_data, "ran\n");
  EXPECT_EQ(sh("cat /tmp/copied/link").stdout_data, "only me\n");

  std::string back = scratch_dir("back-");
  fs.copy_to_host("/tmp/copied", back + "/tree");
  std::vector<std::string> original = describe_tree(root);
  EXPECT_EQ(original.size(), 8u);
  EXPECT_EQ(describe_tree(back + "/tree"), original);
  EXPECT_EQ(stdfs::status(back + "/tree").permissions(), stdfs::status(root).permissions());
}

TEST_F(FsCopy, ExistingDirectoryReceivesTheSourceUnderItsName) {
  std::string host = scratch_dir("into-");
  std::string root = make_host_tree(host);
  microsandbox::SandboxFs fs = sandbox().fs();
  fs.mkdir("/tmp/into");
  fs.copy_from_host(root, "/tmp/into");
  EXPECT_EQ(fs.read("/tmp/into/tree/secret.txt"), "only me\n");
  fs.copy_from_host(root + "/run.sh", "/tmp/into");
  EXPECT_EQ(fs.stat("/tmp/into/run.sh").mode, 0755u);

  std::string out = scratch_dir("out-");
  fs.copy_to_host("/tmp/into/tree", out);
  EXPECT_EQ(describe_tree(out + "/tree"), describe_tree(root));
  fs.copy_to_host("/tmp/into/run.sh", out + "/single.sh");
  Result<std::string> single = os::read_file(out + "/single.sh");
  ASSERT_TRUE(single);
  EXPECT_EQ(*single, "#!/bin/sh\necho ran\n");
  EXPECT_EQ(stdfs::status(out + "/single.sh").permissions() & stdfs::perms::all,
            static_cast<stdfs::perms>(0755));
}

TEST_F(FsCopy, MissingSourcesAreNotFoundNamingThePath) {
  microsandbox::SandboxFs fs = sandbox().fs();
  std::string host = scratch_dir("missing-");
  microsandbox::Error error = error_of([&] { fs.copy_from_host(host + "/nope", "/tmp/x"); });
  EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kNotFound);
  EXPECT_THAT(error.what(), HasSubstr(host + "/nope"));
  error = error_of([&] { fs.copy_to_host("/tmp/no-such-thing", host + "/y"); });
  EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kNotFound);
  EXPECT_THAT(error.what(), HasSubstr("/tmp/no-such-thing"));
  EXPECT_FALSE(stdfs::exists(host + "/y"));
}

}  // namespace
}  // namespace msb::testing
