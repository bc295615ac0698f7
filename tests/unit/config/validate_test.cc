#include "config/validate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "os/file.h"

namespace msb::config {
namespace {

using namespace std::string_literals;

constexpr const char* kHome = "/home/u/.microsandbox";

std::string error_of(const Result<void>& result) {
  if (result.has_value()) return "<ok>";
  EXPECT_EQ(result.error().kind, ErrorKind::kInvalidConfig);
  return result.error().message;
}

SandboxConfig valid_config() {
  SandboxConfig config;
  config.name = "box";
  return config;
}

std::string validate_with(void (*edit)(SandboxConfig&)) {
  SandboxConfig config = valid_config();
  edit(config);
  return error_of(validate(config, kHome));
}

TEST(ValidateName, AcceptsTheAllowedCharacters) {
  for (const char* name : {"a", "0", "web-1", "A.b_c-D", "9-._"}) {
    EXPECT_EQ(error_of(validate_name(name)), "<ok>") << name;
  }
}

TEST(ValidateName, Accepts128BytesRejects129) {
  EXPECT_EQ(error_of(validate_name(std::string(128, 'a'))), "<ok>");
  EXPECT_EQ(error_of(validate_name(std::string(129, 'a'))),
            "invalid sandbox name '" + std::string(129, 'a') +
                "': use 1-128 characters from A-Z a-z 0-9 . _ - starting with a letter or digit");
}

TEST(ValidateName, RejectsBadNamesWithTheRule) {
  EXPECT_EQ(error_of(validate_name("a b")),
            "invalid sandbox name 'a b': use 1-128 characters from A-Z a-z 0-9 . _ - starting "
            "with a letter or digit");
  for (std::string name : {""s, "-a"s, ".a"s, "_a"s, "a/b"s, "a\0b"s, "\xc3\xa9"s, "a:b"s}) {
    EXPECT_NE(error_of(validate_name(name)), "<ok>") << name;
  }
}

TEST(ValidateName, EscapesControlBytesInTheMessage) {
  EXPECT_EQ(error_of(validate_name("a\x1b[2J\n")).substr(0, 37),
            "invalid sandbox name 'a\\x1b[2J\\x0a': ");
}

TEST(ValidateSocketPath, Accepts107BytesRejects108) {
  // "/h" + "/run/" + name + "/agent.sock" = 18 + name bytes.
  EXPECT_EQ(error_of(validate_socket_path("/h", std::string(89, 'a'))), "<ok>");
  EXPECT_EQ(error_of(validate_socket_path("/h", std::string(90, 'a'))),
            "sandbox name '" + std::string(90, 'a') +
                "' is too long for MSB_HOME /h: its socket path would be 108 bytes (at most 107)");
}

// As the reference: not empty and at most 64 bytes, nothing more. The bytes reach the
// guest as data (hex on the kernel command line), never as words of their own.
TEST(ValidateHostname, AcceptsAnyOneTo64Bytes) {
  for (std::string hostname :
       {"a"s, "web-1"s, "A.b.C"s, "0"s, "x--y.example"s, "a_b"s, "-a"s, "a."s, "a..b"s, "a b"s,
        "a init=/bin/sh"s, "\"q\" 'r'"s, "line\nbreak"s, "a\0b"s, "\xc3\xa9"s, std::string(64, 'a'),
        std::string(64, '\xff'), "b." + std::string(62, 'a')}) {
    EXPECT_EQ(error_of(validate_hostname(hostname)), "<ok>") << hostname;
  }
}

TEST(ValidateHostname, RejectsEmptyAndOver64Bytes) {
  EXPECT_EQ(error_of(validate_hostname("")), "hostname must not be empty");
  EXPECT_EQ(error_of(validate_hostname(std::string(65, 'y'))),
            "hostname is too long: 65 bytes (max 64)");
  EXPECT_EQ(error_of(validate_hostname(std::string(1000, 'y'))),
            "hostname is too long: 1000 bytes (max 64)");
}

TEST(ValidateEnvKey, AcceptsOrdinaryNames) {
  for (const char* key : {"A", "PATH", "lower", "MSB", "MSBX", "X_MSB_", "1"}) {
    EXPECT_EQ(error_of(validate_env_key(key)), "<ok>") << key;
  }
}

TEST(ValidateEnvKey, RejectsEmptyEqualsAndNul) {
  EXPECT_EQ(error_of(validate_env_key("A=B")),
            "invalid environment variable name 'A=B': use a non-empty name without '=' or NUL "
            "bytes");
  EXPECT_NE(error_of(validate_env_key("")), "<ok>");
  EXPECT_EQ(error_of(validate_env_key("A\0B"s)),
            "invalid environment variable name 'A\\x00B': use a non-empty name without '=' or "
            "NUL bytes");
}

TEST(ValidateEnvKey, MsbPrefixIsReserved) {
  EXPECT_EQ(error_of(validate_env_key("MSB_X")),
            "environment variable 'MSB_X' is reserved: names starting with MSB_ are used by "
            "microsandbox");
  EXPECT_NE(error_of(validate_env_key("MSB_")), "<ok>");
}

TEST(ValidateLabel, AcceptsOrdinaryLabels) {
  for (const char* key : {"team", "sandbox", "sandboxes.x", "my.sandbox.x", "Service.x"}) {
    EXPECT_EQ(error_of(validate_label(key, "v")), "<ok>") << key;
  }
  EXPECT_EQ(error_of(validate_label("k", "")), "<ok>");
}

TEST(ValidateLabel, RejectsEmptyOrNulKeysAndNulValues) {
  EXPECT_EQ(error_of(validate_label("", "v")),
            "invalid label key '': use a non-empty key without NUL bytes");
  EXPECT_NE(error_of(validate_label("a\0b"s, "v")), "<ok>");
  EXPECT_EQ(error_of(validate_label("k", "a\0b"s)),
            "label 'k' value must not contain NUL bytes, got 'a\\x00b'");
}

TEST(ValidateLabel, ReservedPrefixes) {
  for (const char* key : {"sandbox.id", "microsandbox.version", "service.port", "sandbox."}) {
    EXPECT_EQ(error_of(validate_label(key, "v")),
              "label key '"s + key +
                  "' is reserved: keys starting with sandbox., microsandbox. or service. are used "
                  "by microsandbox");
  }
}

TEST(ValidateGuestPath, RequiresAbsolutePathsWithoutNul) {
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/app")), "<ok>");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/")), "<ok>");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "app")),
            "workdir must be an absolute guest path, got 'app'");
  EXPECT_EQ(error_of(validate_guest_path("shell", "")),
            "shell must be an absolute guest path, got ''");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/a\0b"s)),
            "workdir must not contain NUL bytes, got '/a\\x00b'");
}

TEST(Validate, DefaultsWithANameAreValid) {
  EXPECT_EQ(error_of(validate(valid_config(), kHome)), "<ok>");
}

TEST(Validate, ChecksNameThenSocketPath) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.name = ""; }),
            "invalid sandbox name '': use 1-128 characters from A-Z a-z 0-9 . _ - starting with a "
            "letter or digit");
  SandboxConfig config = valid_config();
  config.name = std::string(128, 'a');
  EXPECT_EQ(error_of(validate(config, std::string(40, 'h'))).substr(0, 14), "sandbox name '");
}

// An unnamed `msb run` has no name and no socket; every other rule still holds.
TEST(Validate, UnnamedSkipsOnlyTheNameRules) {
  SandboxConfig config;
  EXPECT_NE(error_of(validate(config, kHome)), "<ok>");
  EXPECT_EQ(error_of(validate(config, kHome, Naming::kUnnamed)), "<ok>");
  EXPECT_EQ(error_of(validate(config, std::string(200, 'h'), Naming::kUnnamed)), "<ok>");
  auto unnamed_with = [](void (*edit)(SandboxConfig&)) {
    SandboxConfig changed;
    edit(changed);
    return error_of(validate(changed, kHome, Naming::kUnnamed));
  };
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.cpus = 0; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.cpus = 65; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.memory_mib = 63; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.hostname = ""; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.env = {{"MSB_X", "1"}}; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.workdir = "rel"; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.shell = "sh"; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.labels = {{"sandbox.x", ""}}; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.image = "a b"; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.accel = "hvf"; }), "<ok>");
  EXPECT_NE(unnamed_with([](SandboxConfig& c) { c.isolation = "jail"; }), "<ok>");
}

// Absent: derived later (normalize), not checked. Set, even to "": checked.
TEST(Validate, HostnameOnlyWhenSet) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.name = "my_box"; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = "a_b"; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = std::string(64, 'h'); }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = ""; }), "hostname must not be empty");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = std::string(65, 'h'); }),
            "hostname is too long: 65 bytes (max 64)");
}

TEST(Validate, CpuBounds) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 0; }),
            "cpus must be from 1 to 64, got 0");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 64; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 65; }),
            "cpus must be from 1 to 64, got 65");
}

TEST(Validate, MemoryBounds) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 63; }),
            "memory must be from 64 to 1048576 MiB, got 63 MiB");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 64; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 1048576; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 1048577; }),
            "memory must be from 64 to 1048576 MiB, got 1048577 MiB");
}

TEST(Validate, EnvKeysAndValues) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.env = {{"A", "1"}, {"MSB_TOKEN", "x"}};
            }),
            "environment variable 'MSB_TOKEN' is reserved: names starting with MSB_ are used by "
            "microsandbox");
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.env = {{"A", "x\0y"s}};
            }),
            "environment variable 'A' must not contain NUL bytes, got 'x\\x00y'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.env = {{"A", ""}, {"A", "b=c"}}; }), "<ok>");
}

TEST(Validate, Labels) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.labels = {{"service.x", "1"}};
            }).substr(0, 24),
            "label key 'service.x' is");
}

TEST(Validate, WorkdirShellAndUser) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.workdir = "app"; }),
            "workdir must be an absolute guest path, got 'app'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.shell = "sh"; }),
            "shell must be an absolute guest path, got 'sh'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.user = "a\0"s; }),
            "user must not contain NUL bytes, got 'a\\x00'");
}

TEST(Validate, ReplaceTimeoutAtMostOneHour) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.replace_timeout_ms = 3600000; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.replace_timeout_ms = 3600001; }),
            "replace timeout must be at most 3600000 ms (1 hour), got 3600001 ms");
}

TEST(Validate, Accel) {
  for (const char* accel : {"", "kvm", "tcg"}) {
    SandboxConfig config = valid_config();
    config.accel = accel;
    EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
  }
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.accel = "hvf"; }),
            "unknown accelerator 'hvf': use kvm, tcg or leave it empty to detect");
}

TEST(Validate, Isolation) {
  for (const char* isolation : {"vm", "namespace"}) {
    SandboxConfig config = valid_config();
    config.isolation = isolation;
    EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
  }
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.isolation = "container"; }),
            "unknown isolation 'container': use vm or namespace");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.isolation = ""; }),
            "unknown isolation '': use vm or namespace");
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.isolation = "namespace";
              c.accel = "kvm";
            }),
            "an accelerator applies to the vm engine only, not to namespace isolation");
}

TEST(Validate, ArgumentsWithoutNul) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.entrypoint = {"/bin/sh", "a\0"s};
            }),
            "entrypoint argument 1 must not contain NUL bytes, got 'a\\x00'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cmd = {"\0"s}; }),
            "cmd argument 0 must not contain NUL bytes, got '\\x00'");
}

TEST(Validate, ImageRootfs) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.image = ""; }),
            "image must not be empty: use an OCI reference or a built-in image name");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.image = "python 3"; }),
            "invalid image reference 'python 3': it must not contain whitespace or control "
            "characters");
  EXPECT_NE(validate_with([](SandboxConfig& c) { c.image = "python\t"; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.image = "ghcr.io/a/b:1@sha256:ab"; }), "<ok>");
}

class ValidateRootfs : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("config-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    ASSERT_TRUE(os::make_dirs(path("dir")).has_value());
    ASSERT_TRUE(os::write_file(path("disk.img"), "x").has_value());
  }

  std::string path(std::string_view name) const { return dir_->path() + "/" + std::string(name); }

  std::string validate_rootfs(RootfsSource::Kind kind, const std::string& source,
                              std::string fstype = "") const {
    SandboxConfig config = valid_config();
    config.rootfs = {kind, source, std::move(fstype)};
    return error_of(validate(config, kHome));
  }

  std::optional<os::TempDir> dir_;
};

TEST_F(ValidateRootfs, BindNeedsAnExistingDirectory) {
  using Kind = RootfsSource::Kind;
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("dir")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("missing")),
            "bind rootfs " + path("missing") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("disk.img")),
            "bind rootfs " + path("disk.img") + ": not a directory");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("disk.img/x")),
            "bind rootfs " + path("disk.img/x") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kBind, ""), "bind rootfs needs a host path");
}

TEST_F(ValidateRootfs, BindIgnoresTheImage) {
  SandboxConfig config = valid_config();
  config.image = "";
  config.rootfs = {RootfsSource::Kind::kBind, path("dir"), ""};
  EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
}

TEST_F(ValidateRootfs, DiskNeedsAnExistingRegularFile) {
  using Kind = RootfsSource::Kind;
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("missing.img")),
            "disk rootfs " + path("missing.img") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("dir")),
            "disk rootfs " + path("dir") + ": not a regular file");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, ""), "disk rootfs needs a host path");
}

TEST_F(ValidateRootfs, SymlinksAreFollowed) {
  using Kind = RootfsSource::Kind;
  ASSERT_EQ(::symlink(path("dir").c_str(), path("link").c_str()), 0);
  ASSERT_EQ(::symlink(path("missing").c_str(), path("dangling").c_str()), 0);
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("link")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("dangling")),
            "bind rootfs " + path("dangling") + ": does not exist");
}

TEST_F(ValidateRootfs, DiskFilesystemTypes) {
  using Kind = RootfsSource::Kind;
  for (const char* fstype : {"", "ext4", "xfs", "btrfs", "erofs", "squashfs"}) {
    EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), fstype), "<ok>") << fstype;
  }
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), "ntfs"),
            "disk rootfs filesystem 'ntfs' is not supported: use ext4, xfs, btrfs, erofs or "
            "squashfs");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("missing"), "ntfs"),
            "disk rootfs " + path("missing") + ": does not exist");
}

TEST(Validate, FirstFailureWins) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.cpus = 0;
              c.name = "-";
            }).substr(0, 20),
            "invalid sandbox name");
}

TEST(Normalize, DerivesHostnameOnlyWhenAbsent) {
  SandboxConfig config = valid_config();
  normalize(config);
  EXPECT_EQ(config.hostname, "box");
  config.hostname = "set";
  normalize(config);
  EXPECT_EQ(config.hostname, "set");
  config.name = std::string(100, 'n');
  config.hostname.reset();
  normalize(config);
  ASSERT_TRUE(config.hostname.has_value());
  EXPECT_EQ(config.hostname->size(), 64u);
  // An explicit "" is the user's (invalid) choice, not a request to derive one.
  config.hostname = "";
  normalize(config);
  EXPECT_EQ(config.hostname, "");
}

TEST(Normalize, DefaultsDiskFstypeToExt4) {
  SandboxConfig config = valid_config();
  normalize(config);
  EXPECT_EQ(config.rootfs.fstype, "");
  config.rootfs.kind = RootfsSource::Kind::kDisk;
  normalize(config);
  EXPECT_EQ(config.rootfs.fstype, "ext4");
  config.rootfs.fstype = "xfs";
  normalize(config);
  EXPECT_EQ(config.rootfs.fstype, "xfs");
}

}  // namespace
}  // namespace msb::config
