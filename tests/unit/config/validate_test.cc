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
            "invalid config: sandbox name must be at most 128 characters: got 129");
}

TEST(ValidateName, RejectsBadNamesWithTheRule) {
  EXPECT_EQ(error_of(validate_name("")), "invalid config: sandbox name must not be empty");
  EXPECT_EQ(error_of(validate_name("a b")),
            "invalid config: sandbox name must start with an alphanumeric and contain only "
            "alphanumeric, dots, hyphens, and underscores: a b");
  EXPECT_EQ(error_of(validate_name("-a")),
            "invalid config: sandbox name must start with an alphanumeric and contain only "
            "alphanumeric, dots, hyphens, and underscores: -a");
  for (std::string name : {""s, "-a"s, ".a"s, "_a"s, "a/b"s, "a\0b"s, "\xc3\xa9"s, "a:b"s}) {
    EXPECT_NE(error_of(validate_name(name)), "<ok>") << name;
  }
}

TEST(ValidateName, EscapesControlBytesInTheMessage) {
  EXPECT_EQ(error_of(validate_name("a\x1b[2J\n")),
            "invalid config: sandbox name must start with an alphanumeric and contain only "
            "alphanumeric, dots, hyphens, and underscores: a\\x1b[2J\\x0a");
}

TEST(ValidateSocketPath, Accepts107BytesRejects108) {
  // "/h" + "/run/" + name + "/agent.sock" = 18 + name bytes.
  EXPECT_EQ(error_of(validate_socket_path("/h", std::string(89, 'a'))), "<ok>");
  EXPECT_EQ(error_of(validate_socket_path("/h", std::string(90, 'a'))),
            "invalid config: sandbox name '" + std::string(90, 'a') +
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
  EXPECT_EQ(error_of(validate_hostname("")), "invalid config: hostname must not be empty");
  EXPECT_EQ(error_of(validate_hostname(std::string(65, 'y'))),
            "invalid config: hostname is too long: 65 bytes (max 64)");
  EXPECT_EQ(error_of(validate_hostname(std::string(1000, 'y'))),
            "invalid config: hostname is too long: 1000 bytes (max 64)");
}

TEST(ValidateEnvKey, AcceptsOrdinaryNames) {
  for (const char* key : {"A", "PATH", "lower", "MSB", "MSBX", "X_MSB_", "1"}) {
    EXPECT_EQ(error_of(validate_env_key(key)), "<ok>") << key;
  }
}

TEST(ValidateEnvKey, RejectsEmptyEqualsAndNul) {
  EXPECT_EQ(error_of(validate_env_key("A=B")),
            "invalid config: environment variable name 'A=B' must not contain '=' or NUL bytes");
  EXPECT_EQ(error_of(validate_env_key("")),
            "invalid config: environment variable name must not be empty");
  EXPECT_EQ(error_of(validate_env_key("A\0B"s)),
            "invalid config: environment variable name 'A\\x00B' must not contain '=' or NUL "
            "bytes");
}

TEST(ValidateEnvKey, MsbPrefixIsReserved) {
  EXPECT_EQ(error_of(validate_env_key("MSB_X")),
            "invalid config: environment variable \"MSB_X\" uses the reserved MSB_ prefix: "
            "microsandbox sets those");
  EXPECT_NE(error_of(validate_env_key("MSB_")), "<ok>");
}

TEST(ValidateLabel, AcceptsOrdinaryLabels) {
  for (const char* key : {"team", "sandbox", "sandboxes.x", "my.sandbox.x", "Service.x"}) {
    EXPECT_EQ(error_of(validate_label(key, "v")), "<ok>") << key;
  }
  EXPECT_EQ(error_of(validate_label("k", "")), "<ok>");
}

TEST(ValidateLabel, RejectsEmptyOrNulKeysAndNulValues) {
  EXPECT_EQ(error_of(validate_label("", "v")), "invalid config: label key must not be empty");
  EXPECT_EQ(error_of(validate_label("a\0b"s, "v")),
            "invalid config: label key 'a\\x00b' must not contain NUL bytes");
  EXPECT_EQ(error_of(validate_label("k", "a\0b"s)),
            "invalid config: label 'k' value must not contain NUL bytes, got 'a\\x00b'");
}

TEST(ValidateLabel, ReservedPrefixes) {
  using Case = std::pair<const char*, const char*>;  // key, its reserved prefix
  for (auto [key, prefix] :
       {Case{"sandbox.id", "sandbox."}, Case{"microsandbox.version", "microsandbox."},
        Case{"service.port", "service."}, Case{"sandbox.", "sandbox."}}) {
    EXPECT_EQ(error_of(validate_label(key, "v")),
              "invalid config: label key '"s + key + "' uses reserved prefix '" + prefix +
                  "': sandbox., microsandbox. and service. are microsandbox's");
  }
}

TEST(ValidateGuestPath, RequiresAbsolutePathsWithoutNul) {
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/app")), "<ok>");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/")), "<ok>");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "app")),
            "invalid config: workdir must be an absolute guest path, got 'app'");
  EXPECT_EQ(error_of(validate_guest_path("shell", "")),
            "invalid config: shell must be an absolute guest path, got ''");
  EXPECT_EQ(error_of(validate_guest_path("workdir", "/a\0b"s)),
            "invalid config: workdir must not contain NUL bytes, got '/a\\x00b'");
}

TEST(Validate, DefaultsWithANameAreValid) {
  EXPECT_EQ(error_of(validate(valid_config(), kHome)), "<ok>");
}

TEST(Validate, ChecksNameThenSocketPath) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.name = ""; }),
            "invalid config: sandbox name must not be empty");
  SandboxConfig config = valid_config();
  config.name = std::string(128, 'a');
  EXPECT_EQ(error_of(validate(config, std::string(40, 'h'))).substr(0, 30),
            "invalid config: sandbox name '");
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
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = ""; }),
            "invalid config: hostname must not be empty");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.hostname = std::string(65, 'h'); }),
            "invalid config: hostname is too long: 65 bytes (max 64)");
}

TEST(Validate, CpuBounds) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 0; }),
            "invalid config: cpus must be greater than 0: use 1 to 64");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 64; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cpus = 65; }),
            "invalid config: cpus must be from 1 to 64, got 65");
}

TEST(Validate, MemoryBounds) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 63; }),
            "invalid config: memory must be from 64 to 1048576 MiB, got 63 MiB");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 0; }),
            "invalid config: memory must be greater than 0: use 64 to 1048576 MiB");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 64; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 1048576; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.memory_mib = 1048577; }),
            "invalid config: memory must be from 64 to 1048576 MiB, got 1048577 MiB");
}

TEST(Validate, EnvKeysAndValues) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.env = {{"A", "1"}, {"MSB_TOKEN", "x"}};
            }),
            "invalid config: environment variable \"MSB_TOKEN\" uses the reserved MSB_ prefix: "
            "microsandbox sets those");
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.env = {{"A", "x\0y"s}};
            }),
            "invalid config: environment variable 'A' must not contain NUL bytes, got 'x\\x00y'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.env = {{"A", ""}, {"A", "b=c"}}; }), "<ok>");
}

TEST(Validate, Labels) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.labels = {{"service.x", "1"}};
            }),
            "invalid config: label key 'service.x' uses reserved prefix 'service.': sandbox., "
            "microsandbox. and service. are microsandbox's");
}

TEST(Validate, WorkdirShellAndUser) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.workdir = "app"; }),
            "invalid config: workdir must be an absolute guest path, got 'app'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.shell = "sh"; }),
            "invalid config: shell must be an absolute guest path, got 'sh'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.user = "a\0"s; }),
            "invalid config: user must not contain NUL bytes, got 'a\\x00'");
}

TEST(Validate, ReplaceTimeoutAtMostOneHour) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.replace_timeout_ms = 3600000; }), "<ok>");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.replace_timeout_ms = 3600001; }),
            "invalid config: replace timeout must be at most 3600000 ms (1 hour), got 3600001 ms");
}

TEST(Validate, Accel) {
  for (const char* accel : {"", "kvm", "tcg"}) {
    SandboxConfig config = valid_config();
    config.accel = accel;
    EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
  }
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.accel = "hvf"; }),
            "invalid config: unknown accelerator 'hvf': use kvm, tcg or leave it empty to detect");
}

TEST(Validate, Isolation) {
  for (const char* isolation : {"vm", "namespace"}) {
    SandboxConfig config = valid_config();
    config.isolation = isolation;
    EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
  }
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.isolation = "container"; }),
            "invalid config: unknown isolation 'container': use vm or namespace");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.isolation = ""; }),
            "invalid config: unknown isolation '': use vm or namespace");
  EXPECT_EQ(
      validate_with([](SandboxConfig& c) {
        c.isolation = "namespace";
        c.accel = "kvm";
      }),
      "invalid config: an accelerator applies to the vm engine only, not to namespace isolation");
}

TEST(Validate, ArgumentsWithoutNul) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.entrypoint = {"/bin/sh", "a\0"s};
            }),
            "invalid config: entrypoint argument 1 must not contain NUL bytes, got 'a\\x00'");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.cmd = {"\0"s}; }),
            "invalid config: cmd argument 0 must not contain NUL bytes, got '\\x00'");
}

TEST(Validate, ImageRootfs) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.image = ""; }),
            "invalid config: image source is required: use an OCI reference or a built-in image "
            "name");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.image = "python 3"; }),
            "invalid config: image reference 'python 3' must not contain whitespace or control "
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
    config.isolation = isolation;
    config.rootfs = {kind, source, std::move(fstype)};
    return error_of(validate(config, kHome));
  }

  std::string isolation = "namespace";  // what the rules below check first (vm: its own test)

  std::optional<os::TempDir> dir_;
};

TEST_F(ValidateRootfs, BindNeedsAnExistingDirectory) {
  using Kind = RootfsSource::Kind;
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("dir")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("missing")),
            "invalid config: bind rootfs " + path("missing") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("disk.img")),
            "invalid config: bind rootfs " + path("disk.img") + ": not a directory");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("disk.img/x")),
            "invalid config: bind rootfs " + path("disk.img/x") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kBind, ""), "invalid config: bind rootfs needs a host path");
}

TEST_F(ValidateRootfs, TheVmEngineBootsExt4AndErofsImagesAndDirectories) {
  using Kind = RootfsSource::Kind;
  isolation = "vm";
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), "erofs"), "<ok>");
  SandboxConfig config = valid_config();
  config.isolation = "vm";
  config.rootfs = {Kind::kDisk, path("disk.img"), "xfs"};
  Result<void> xfs = validate(config, kHome);
  ASSERT_FALSE(xfs);
  EXPECT_EQ(xfs.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(xfs.error().message,
            "disk rootfs filesystem 'xfs': the vm engine's guest kernel mounts ext4 and erofs "
            "roots");
  config.rootfs = {Kind::kBind, path("dir"), ""};
  EXPECT_TRUE(validate(config, kHome));  // packed into erofs at every launch
  isolation = "namespace";
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), "xfs"), "<ok>");
}

TEST_F(ValidateRootfs, BindIgnoresTheImage) {
  SandboxConfig config = valid_config();
  config.isolation = "namespace";
  config.image = "";
  config.rootfs = {RootfsSource::Kind::kBind, path("dir"), ""};
  EXPECT_EQ(error_of(validate(config, kHome)), "<ok>");
}

TEST_F(ValidateRootfs, DiskNeedsAnExistingRegularFile) {
  using Kind = RootfsSource::Kind;
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("missing.img")),
            "invalid config: disk rootfs " + path("missing.img") + ": does not exist");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("dir")),
            "invalid config: disk rootfs " + path("dir") + ": not a regular file");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, ""), "invalid config: disk rootfs needs a host path");
}

TEST_F(ValidateRootfs, SymlinksAreFollowed) {
  using Kind = RootfsSource::Kind;
  ASSERT_EQ(::symlink(path("dir").c_str(), path("link").c_str()), 0);
  ASSERT_EQ(::symlink(path("missing").c_str(), path("dangling").c_str()), 0);
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("link")), "<ok>");
  EXPECT_EQ(validate_rootfs(Kind::kBind, path("dangling")),
            "invalid config: bind rootfs " + path("dangling") + ": does not exist");
}

TEST_F(ValidateRootfs, DiskFilesystemTypes) {
  using Kind = RootfsSource::Kind;
  for (const char* fstype : {"", "ext4", "xfs", "btrfs", "erofs", "squashfs"}) {
    EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), fstype), "<ok>") << fstype;
  }
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("disk.img"), "ntfs"),
            "invalid config: disk rootfs filesystem 'ntfs' is not supported: use ext4, xfs, btrfs, "
            "erofs or "
            "squashfs");
  EXPECT_EQ(validate_rootfs(Kind::kDisk, path("missing"), "ntfs"),
            "invalid config: disk rootfs " + path("missing") + ": does not exist");
}

TEST(Validate, Network) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.network.max_connections = 0; }),
            "invalid config: max connections must be from 1 to 65536, got 0");
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.network.policy.preset = net::Preset::kNone;
              c.network.ports = {net::PublishedPort{"127.0.0.1", 8080, 80, false}};
            }),
            "invalid config: published port 8080 is unreachable: policy 'none' denies ingress; add "
            "--net-rule allow:ingress@any");
  EXPECT_EQ(validate_with([](SandboxConfig& c) { c.network.enabled = false; }), "<ok>");
}

TEST(Validate, FirstFailureWins) {
  EXPECT_EQ(validate_with([](SandboxConfig& c) {
              c.cpus = 0;
              c.name = "-";
            }).substr(0, 28),
            "invalid config: sandbox name");
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
