#include "config/rootfs_patch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/sandbox_config.h"

namespace msb::config {
namespace {

using Kind = RootfsPatch::Kind;

RootfsPatch text(std::string path, std::string content) {
  RootfsPatch patch;
  patch.kind = Kind::kText;
  patch.path = std::move(path);
  patch.content = std::move(content);
  return patch;
}

RootfsPatch of_kind(Kind kind, std::string path) {
  RootfsPatch patch;
  patch.kind = kind;
  patch.path = std::move(path);
  return patch;
}

std::string refusal(const std::vector<RootfsPatch>& patches) {
  Result<void> checked = validate_patches(patches);
  if (checked) return "";
  EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidConfig);
  return checked.error().message;
}

TEST(RootfsPatch, AcceptsEveryKindWithItsFields) {
  RootfsPatch copy = of_kind(Kind::kCopyFile, "/etc/app.conf");
  copy.source = "/host/app.conf";
  copy.mode = 0600;
  RootfsPatch link = of_kind(Kind::kSymlink, "/usr/bin/py");
  link.target = "python3";
  RootfsPatch dir = of_kind(Kind::kMkdir, "/srv/data");
  dir.uid = 1000;
  dir.gid = 1000;
  EXPECT_EQ(refusal({copy, link, dir, text("/etc/motd", "hi"), of_kind(Kind::kRemove, "/tmp/x")}),
            "");
}

TEST(RootfsPatch, RefusesPathsThatAreNotAbsoluteAndNormalized) {
  for (std::string path : {"", "etc/x", "/etc/", "/etc//x", "/etc/./x", "/etc/../x", "/"}) {
    EXPECT_NE(refusal({text(path, "x")}), "") << path;
  }
  EXPECT_NE(refusal({text("/proc/x", "")}).find("/proc belongs to the guest's kernel"),
            std::string::npos);
  EXPECT_NE(refusal({text(std::string("/a\0b", 4), "")}).find("NUL"), std::string::npos);
}

TEST(RootfsPatch, NamesThePatchByIndexKindAndPath) {
  EXPECT_EQ(refusal({text("/ok", ""), text("/etc/../x", "")}).substr(0, 44),
            "invalid config: patch 1 (text /etc/../x): th");
}

TEST(RootfsPatch, RefusesFieldsOfAnotherKind) {
  RootfsPatch copy = of_kind(Kind::kCopyDir, "/app");
  copy.source = "relative/dir";
  EXPECT_NE(refusal({copy}).find("must be absolute"), std::string::npos);
  RootfsPatch sourced = text("/x", "");
  sourced.source = "/host";
  EXPECT_NE(refusal({sourced}).find("only a copy takes a host path"), std::string::npos);
  EXPECT_NE(refusal({of_kind(Kind::kSymlink, "/l")}).find("needs a target"), std::string::npos);
  RootfsPatch dir = of_kind(Kind::kMkdir, "/d");
  dir.content = "x";
  EXPECT_NE(refusal({dir}).find("only text, file and append take content"), std::string::npos);
  RootfsPatch removed = of_kind(Kind::kRemove, "/d");
  removed.uid = 1;
  EXPECT_NE(refusal({removed}).find("takes no owner"), std::string::npos);
}

TEST(RootfsPatch, RefusesModesOver7777AndOnLinks) {
  RootfsPatch big = text("/x", "");
  big.mode = 010000;
  EXPECT_NE(refusal({big}).find("mode 10000 is over 7777"), std::string::npos);
  RootfsPatch link = of_kind(Kind::kSymlink, "/l");
  link.target = "/x";
  link.mode = 0777;
  EXPECT_NE(refusal({link}).find("takes no mode"), std::string::npos);
}

TEST(RootfsPatch, RefusesTooManyPatchesAndTooMuchContent) {
  std::vector<RootfsPatch> many(kMaxPatches + 1, text("/x", ""));
  EXPECT_NE(refusal(many).find("257 patches, at most 256"), std::string::npos);
  std::vector<RootfsPatch> big = {text("/a", std::string(kMaxPatchContentBytes, 'a')),
                                  text("/b", "b")};
  EXPECT_NE(refusal(big).find("at most 16777216 (16 MiB)"), std::string::npos);
}

TEST(RootfsPatch, ChecksHostSourcesExistWithTheRightType) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("msb-rootfs-patch-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  RootfsPatch file = of_kind(Kind::kCopyFile, "/f");
  file.source = (dir / "file").string();
  RootfsPatch tree = of_kind(Kind::kCopyDir, "/d");
  tree.source = dir.string();
  EXPECT_TRUE(check_patch_sources({file, tree}).has_value());
  std::swap(file.source, tree.source);
  Result<void> wrong = check_patch_sources({file});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("is not a regular file"), std::string::npos);
  wrong = check_patch_sources({tree});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("is not a directory"), std::string::npos);
  tree.source = (dir / "missing").string();
  wrong = check_patch_sources({text("/ok", ""), tree});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("patch 1 (copy_dir /d): host path"), std::string::npos);
  EXPECT_NE(wrong.error().message.find("does not exist"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(RootfsPatch, RefusesPatchesAtUnderOrAboveAMount) {
  VolumeMount data{VolumeMount::Kind::kTmpfs, "", "/srv/data"};
  EXPECT_TRUE(check_patches_outside_mounts({text("/srv/database", "")}, {data}).has_value());
  for (std::string path : {"/srv/data", "/srv/data/x", "/srv"}) {
    Result<void> checked = check_patches_outside_mounts({of_kind(Kind::kRemove, path)}, {data});
    ASSERT_FALSE(checked.has_value()) << path;
    EXPECT_NE(checked.error().message.find("overlaps the mount at /srv/data"), std::string::npos);
  }
}

TEST(RootfsPatch, JsonRoundTripsEveryField) {
  RootfsPatch bytes = of_kind(Kind::kFile, "/bin/tool");
  bytes.content = std::string("\0\xff\x01 binary", 10);
  bytes.mode = 0755;
  bytes.uid = 1000;
  bytes.gid = 100;
  bytes.replace = false;
  RootfsPatch link = of_kind(Kind::kSymlink, "/l");
  link.target = "../x";
  std::vector<RootfsPatch> patches = {bytes, link};
  nlohmann::json json = patches_to_json(patches);
  EXPECT_EQ(json[0]["mode"], "0755");
  EXPECT_EQ(json[0]["content_base64"], "AP8BIGJpbmFyeQ==");
  EXPECT_TRUE(json[1]["mode"].is_null());
  Result<std::vector<RootfsPatch>> parsed = patches_from_json(json);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, patches);
}

TEST(RootfsPatch, JsonRejectsBadKindsBase64AndModes) {
  using nlohmann::json;
  for (json entry : {json{{"kind", "chmod"}}, json{{"content_base64", "!!"}},
                     json{{"mode", "0999"}}, json{{"mode", 420}}, json{{"mode", "00644"}},
                     json{{"uid", -1}}, json{{"replace", "yes"}}, json(3)}) {
    Result<std::vector<RootfsPatch>> parsed = patches_from_json(json::array({entry}));
    ASSERT_FALSE(parsed.has_value()) << entry.dump();
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_EQ(parsed.error().message.rfind("sandbox config: patches[0]: ", 0), 0u)
        << parsed.error().message;
  }
  EXPECT_FALSE(patches_from_json(json::object()).has_value());
}

TEST(RootfsPatch, SandboxConfigStoresPatchesAndOldConfigsLoadWithout) {
  SandboxConfig config;
  config.patches = {text("/etc/motd", "hello\n")};
  Result<SandboxConfig> parsed = config_from_json(to_json(config));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->patches, config.patches);
  Result<SandboxConfig> old = config_from_json(R"({"name":"old"})");
  ASSERT_TRUE(old.has_value());
  EXPECT_TRUE(old->patches.empty());
}

}  // namespace
}  // namespace msb::config
