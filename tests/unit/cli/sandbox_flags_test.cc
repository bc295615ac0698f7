#include "cli/sandbox_flags.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace msb::cli {
namespace {

Result<config::SandboxConfig> parse(std::vector<std::string> argv) {
  CLI::App app;
  SandboxFlags flags;
  flags.add_to(app);
  std::reverse(argv.begin(), argv.end());
  app.parse(argv);
  return flags.to_config("job");
}

TEST(SandboxFlags, FillOneConfig) {
  config::SandboxConfig config =
      parse({"--cpus", "2", "-m", "1024", "-e", "A=1", "-e", "B=x=y", "-w", "/tmp", "-u", "65534",
             "--label", "team=a", "--replace", "--replace-timeout", "2.5", "base"})
          .value();
  EXPECT_EQ(config.name, "job");
  EXPECT_EQ(config.cpus, 2u);
  EXPECT_EQ(config.memory_mib, 1024u);
  std::vector<std::pair<std::string, std::string>> env = {{"A", "1"}, {"B", "x=y"}};
  EXPECT_EQ(config.env, env);
  EXPECT_EQ(config.workdir, "/tmp");
  EXPECT_EQ(config.user, "65534");
  EXPECT_EQ(config.labels.at("team"), "a");
  EXPECT_TRUE(config.replace);
  EXPECT_EQ(config.replace_timeout_ms, 2500u);
}

TEST(SandboxFlags, APathAsTheImageIsAUsersRoot) {
  std::string dir = ::testing::TempDir();
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  config::SandboxConfig bind = parse({dir}).value();
  EXPECT_EQ(bind.rootfs.kind, config::RootfsSource::Kind::kBind);
  EXPECT_EQ(bind.rootfs.path, dir);
  EXPECT_EQ(bind.image, dir);
  config::SandboxConfig disk = parse({"--rootfs-fstype", "erofs", "./root.img"}).value();
  EXPECT_EQ(disk.rootfs.kind, config::RootfsSource::Kind::kDisk);
  EXPECT_EQ(disk.rootfs.path, (std::filesystem::current_path() / "root.img").string());
  EXPECT_EQ(disk.rootfs.fstype, "erofs");
  config::SandboxConfig image = parse({"registry.local:5000/python:3"}).value();
  EXPECT_EQ(image.rootfs.kind, config::RootfsSource::Kind::kImage);
  EXPECT_FALSE(parse({"--rootfs-fstype", "ext4", "python"}).has_value());
  EXPECT_FALSE(parse({"--rootfs-fstype", "ext4", dir}).has_value());
}

TEST(SandboxFlags, KeyValueFlagsNeedAKey) {
  for (const char* bad : {"NOEQUALS", "=value"}) {
    Result<config::SandboxConfig> config = parse({"-e", bad});
    ASSERT_FALSE(config.has_value()) << bad;
    EXPECT_EQ(config.error().message, std::string("--env expects KEY=VALUE, got '") + bad + "'");
  }
  EXPECT_FALSE(parse({"--label", "novalue"}).has_value());
}

TEST(SandboxFlags, EmptyValueIsAllowed) {
  EXPECT_EQ(parse({"-e", "A="}).value().env.front().second, "");
}

// No -H: derived from the name later. -H '' is an empty hostname (refused by validate),
// not a request to derive one; any other text is taken as it is.
TEST(SandboxFlags, HostnameAbsentEmptyOrVerbatim) {
  EXPECT_EQ(parse({}).value().hostname, std::nullopt);
  EXPECT_EQ(parse({"-H", ""}).value().hostname, std::optional<std::string>(""));
  // CLI11 itself refuses "--hostname=" (no value): a usage error all the same.
  EXPECT_THROW(parse({"--hostname="}), CLI::ParseError);
  EXPECT_EQ(parse({"-H", "a init=/bin/sh"}).value().hostname,
            std::optional<std::string>("a init=/bin/sh"));
  EXPECT_EQ(parse({"--hostname", "x=\"y\"\n"}).value().hostname,
            std::optional<std::string>("x=\"y\"\n"));
}

TEST(SandboxFlags, ReplaceTimeoutIsBounded) {
  EXPECT_FALSE(parse({"--replace-timeout", "-1"}).has_value());
  EXPECT_FALSE(parse({"--replace-timeout", "3601"}).has_value());
}

}  // namespace
}  // namespace msb::cli

namespace msb::cli {
namespace {

TEST(SandboxFlags, PullPolicyIsParsedAndBadOnesAreInvalidConfig) {
  EXPECT_EQ(parse({}).value().pull_policy, config::PullPolicy::kIfMissing);
  EXPECT_EQ(parse({"--pull", "always"}).value().pull_policy, config::PullPolicy::kAlways);
  EXPECT_EQ(parse({"--pull", "never"}).value().pull_policy, config::PullPolicy::kNever);
  Result<config::SandboxConfig> bad = parse({"--pull", "sometimes"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_NE(bad.error().message.find("--pull"), std::string::npos) << bad.error().message;
}

TEST(SandboxFlags, NetworkFlagsFillTheNetworkSection) {
  config::SandboxConfig config =
      parse({"--net", "none", "--net-rule", "allow:ingress@any", "-p", "8080:80"}).value();
  EXPECT_EQ(config.network.policy.preset, net::Preset::kNone);
  EXPECT_EQ(config.network.policy.rules.size(), 1u);
  EXPECT_EQ(config.network.ports.size(), 1u);
  EXPECT_EQ(parse({}).value().network, net::NetworkConfig{});
  EXPECT_FALSE(parse({"--net-rule", "alow@x"}).has_value());
}

}  // namespace
}  // namespace msb::cli
