#include "runtime/rootfs_patches.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace msb::runtime {
namespace {

using config::RootfsPatch;
using Kind = RootfsPatch::Kind;

// A guest that answers from a map of existing paths and records every request by name and
// path; `fail_path` makes requests on that path fail as the agent would.
class FakeChannel : public GuestFsChannel {
 public:
  Result<protocol::Message> call(const protocol::Message& request) override {
    std::string path = std::visit(
        [](const auto& message) -> std::string {
          if constexpr (requires { message.path; }) return message.path;
          if constexpr (requires { message.link; }) return message.link;
          return "";
        },
        request);
    log.push_back(std::string(protocol::message_name(request)) + " " + path);
    if (path == fail_path)
      return make_error(ErrorKind::kIo, "mkdir '" + path + "': Not a directory", 20);
    if (std::holds_alternative<protocol::FsStat>(request)) {
      protocol::FsStatResult result;
      result.exists = existing.contains(path);
      return result;
    }
    return protocol::FsDone{};
  }

  Result<void> write(const protocol::FsWrite& begin, const ChunkSource& source) override {
    std::string data;
    for (;;) {
      std::string_view chunk = MSB_TRY(source());
      if (chunk.empty()) break;
      data += chunk;
    }
    log.push_back("fs.write " + begin.path + " " + begin.mode_flags + " " + data);
    return {};
  }

  std::vector<std::string> log;
  std::map<std::string, bool> existing;
  std::string fail_path;
};

RootfsPatch patch(Kind kind, std::string path, std::string content = "") {
  RootfsPatch result;
  result.kind = kind;
  result.path = std::move(path);
  result.content = std::move(content);
  return result;
}

TEST(RootfsPatches, TextMakesParentsWritesThenSetsModeAndOwner) {
  FakeChannel channel;
  RootfsPatch text = patch(Kind::kText, "/etc/app/conf", "x=1\n");
  text.mode = 0600;
  text.uid = 1000;
  ASSERT_TRUE(apply_patches(channel, {text}).has_value());
  EXPECT_EQ(channel.log,
            (std::vector<std::string>{"fs.stat /etc/app/conf", "fs.mkdir /etc/app",
                                      "fs.write /etc/app/conf create,truncate x=1\n",
                                      "fs.chmod /etc/app/conf", "fs.chown /etc/app/conf"}));
}

TEST(RootfsPatches, AppendAppendsAndRemoveOfAMissingPathDoesNothing) {
  FakeChannel channel;
  ASSERT_TRUE(
      apply_patches(channel, {patch(Kind::kAppend, "/log", "more"), patch(Kind::kRemove, "/gone")})
          .has_value());
  EXPECT_EQ(channel.log, (std::vector<std::string>{
                             "fs.stat /log", "fs.write /log create,append more", "fs.stat /gone"}));
}

TEST(RootfsPatches, ASymlinkReplacesWhatIsThere) {
  FakeChannel channel;
  channel.existing["/l"] = true;
  RootfsPatch link = patch(Kind::kSymlink, "/l");
  link.target = "/x";
  ASSERT_TRUE(apply_patches(channel, {link}).has_value());
  EXPECT_EQ(channel.log, (std::vector<std::string>{"fs.stat /l", "fs.remove /l", "fs.symlink /l"}));
}

TEST(RootfsPatches, ReplaceOffRefusesAnExistingPathNamingThePatch) {
  FakeChannel channel;
  channel.existing["/etc/x"] = true;
  RootfsPatch text = patch(Kind::kText, "/etc/x");
  text.replace = false;
  Result<void> applied = apply_patches(channel, {patch(Kind::kMkdir, "/ok"), text});
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_EQ(applied.error().message,
            "patch 1 (text /etc/x): /etc/x already exists and replace is off");
}

TEST(RootfsPatches, TheAgentsReasonIsThePatchsReason) {
  FakeChannel channel;
  channel.fail_path = "/etc/passwd";
  Result<void> applied = apply_patches(channel, {patch(Kind::kMkdir, "/etc/passwd/sub")});
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_EQ(applied.error().message,
            "patch 0 (mkdir /etc/passwd/sub): mkdir '/etc/passwd': Not a directory");
}

}  // namespace
}  // namespace msb::runtime
