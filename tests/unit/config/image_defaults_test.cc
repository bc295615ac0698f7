#include "config/image_defaults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace msb::config {
namespace {

using ::testing::ElementsAre;
using Env = std::vector<std::pair<std::string, std::string>>;

ImageDefaults python_image() {
  return ImageDefaults{.env = {"PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "BROKEN", "=x"},
                       .entrypoint = {},
                       .cmd = {"python3"},
                       .working_dir = "/app",
                       .user = "1000:1000"};
}

TEST(ApplyImageDefaults, ImageEnvComesFirstAndTheSandboxWinsPerKey) {
  SandboxConfig config;
  config.env = {{"LANG", "de_DE.UTF-8"}, {"MODE", "test"}};
  apply_image_defaults(config, python_image());
  EXPECT_EQ(config.env,
            (Env{{"PATH", "/usr/local/bin:/usr/bin"}, {"LANG", "de_DE.UTF-8"}, {"MODE", "test"}}));
}

TEST(ApplyImageDefaults, FillsOnlyWhatTheSandboxLeavesUnset) {
  SandboxConfig own;
  own.workdir = "/work";
  own.user = "root";
  own.cmd = {"bash"};
  apply_image_defaults(own, python_image());
  EXPECT_EQ(own.workdir, "/work");
  EXPECT_EQ(own.user, "root");
  EXPECT_THAT(own.cmd, ElementsAre("bash"));

  SandboxConfig unset;
  apply_image_defaults(unset, python_image());
  EXPECT_EQ(unset.workdir, "/app");
  EXPECT_EQ(unset.user, "1000:1000");
  EXPECT_THAT(unset.cmd, ElementsAre("python3"));
}

TEST(ApplyImageDefaults, AnExplicitEntrypointDropsTheImageCmd) {
  SandboxConfig config;
  config.entrypoint = {"/bin/sh", "-c"};
  ImageDefaults image = python_image();
  image.entrypoint = {"/entry"};
  apply_image_defaults(config, image);
  EXPECT_THAT(config.entrypoint, ElementsAre("/bin/sh", "-c"));
  EXPECT_TRUE(config.cmd.empty());
}

TEST(ApplyImageDefaults, ImageLabelsAddToTheSandboxsOwnWhichWin) {
  SandboxConfig config;
  config.labels = {{"team", "infra"}};
  ImageDefaults image = python_image();
  image.labels = {{"team", "python"},
                  {"org.opencontainers.image.version", "3.12"},
                  {"sandbox.name", "forged"},
                  {"microsandbox.owner", "forged"},
                  {"service.port", "80"},
                  {std::string("nul\0key", 7), "x"},
                  {"bad", std::string("a\0b", 3)}};
  apply_image_defaults(config, image);
  EXPECT_EQ(config.labels, (std::map<std::string, std::string>{
                               {"org.opencontainers.image.version", "3.12"}, {"team", "infra"}}));
}

TEST(ResolveRunCommand, CommandReplacesCmdAndKeepsTheEntrypoint) {
  SandboxConfig config;
  config.entrypoint = {"/entry", "--flag"};
  config.cmd = {"default"};
  EXPECT_THAT(resolve_run_command(config, {"echo", "hi"}).value(),
              ElementsAre("/entry", "--flag", "echo", "hi"));
  EXPECT_THAT(resolve_run_command(config, {}).value(), ElementsAre("/entry", "--flag", "default"));
}

TEST(ResolveRunCommand, NothingToRunIsInvalidArgument) {
  SandboxConfig config;
  Result<std::vector<std::string>> argv = resolve_run_command(config, {});
  ASSERT_FALSE(argv);
  EXPECT_EQ(argv.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_THAT(argv.error().message, ::testing::HasSubstr("missing command"));
}

}  // namespace
}  // namespace msb::config
