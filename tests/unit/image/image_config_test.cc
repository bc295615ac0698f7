#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "image/manifest.h"

namespace msb::image {
namespace {

using nlohmann::json;

const std::string kA = "sha256:" + std::string(64, 'a');

json sample_config() {
  return json{{"architecture", "amd64"},
              {"os", "linux"},
              {"config",
               {{"Env", {"PATH=/usr/bin", "LANG=C"}},
                {"Entrypoint", {"/bin/sh", "-c"}},
                {"Cmd", {"echo hi"}},
                {"WorkingDir", "/srv"},
                {"User", "1000:1000"},
                {"Labels", {{"org.x", "y"}}},
                {"ExposedPorts", {{"80/tcp", json::object()}}}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {kA}}}}};
}

Error config_error(const json& document) {
  Result<ImageConfig> config = parse_image_config(document.dump());
  EXPECT_FALSE(config.has_value()) << document.dump();
  return config.has_value() ? Error{} : config.error();
}

TEST(ImageConfig, ParsesRunSettingsAndDiffIds) {
  std::string raw = sample_config().dump();
  Result<ImageConfig> config = parse_image_config(raw);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->env, (std::vector<std::string>{"PATH=/usr/bin", "LANG=C"}));
  EXPECT_EQ(config->entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(config->cmd, (std::vector<std::string>{"echo hi"}));
  EXPECT_EQ(config->working_dir, "/srv");
  EXPECT_EQ(config->user, "1000:1000");
  EXPECT_EQ(config->labels.at("org.x"), "y");
  EXPECT_EQ(config->exposed_ports, (std::vector<std::string>{"80/tcp"}));
  EXPECT_EQ(config->diff_ids, (std::vector<std::string>{kA}));
  EXPECT_EQ(config->os, "linux");
  EXPECT_EQ(config->architecture, "amd64");
  EXPECT_EQ(config->raw, raw);
}

TEST(ImageConfig, NullAndMissingRunSettingsAreEmpty) {
  json document = sample_config();
  document["config"] = nullptr;
  Result<ImageConfig> config = parse_image_config(document.dump());
  ASSERT_TRUE(config.has_value());
  EXPECT_TRUE(config->env.empty());
  document["config"] = {{"Cmd", nullptr}, {"Labels", nullptr}};
  EXPECT_TRUE(parse_image_config(document.dump()).has_value());
}

TEST(ImageConfig, RejectsWrongTypes) {
  json env_string = sample_config();
  env_string["config"]["Env"] = "PATH=/bin";
  EXPECT_NE(config_error(env_string).message.find("config.Env"), std::string::npos);
  json cmd_numbers = sample_config();
  cmd_numbers["config"]["Cmd"] = {1, 2};
  EXPECT_EQ(config_error(cmd_numbers).kind, ErrorKind::kInvalidArgument);
  json label_number = sample_config();
  label_number["config"]["Labels"]["n"] = 3;
  config_error(label_number);
  json ports_array = sample_config();
  ports_array["config"]["ExposedPorts"] = {"80/tcp"};
  config_error(ports_array);
  json settings_array = sample_config();
  settings_array["config"] = json::array();
  config_error(settings_array);
}

TEST(ImageConfig, RejectsBadRootfs) {
  json no_rootfs = sample_config();
  no_rootfs.erase("rootfs");
  EXPECT_NE(config_error(no_rootfs).message.find("rootfs"), std::string::npos);
  json wrong_type = sample_config();
  wrong_type["rootfs"]["type"] = "squash";
  config_error(wrong_type);
  json bad_diff = sample_config();
  bad_diff["rootfs"]["diff_ids"] = {"sha256:zz"};
  EXPECT_NE(config_error(bad_diff).message.find("bad digest"), std::string::npos);
}

TEST(ImageConfig, RejectsTruncatedGarbageAndOversized) {
  std::string raw = sample_config().dump();
  EXPECT_FALSE(parse_image_config(raw.substr(0, raw.size() / 2)).has_value());
  EXPECT_FALSE(parse_image_config("").has_value());
  EXPECT_FALSE(parse_image_config(std::string("\0\0\0", 3)).has_value());
  EXPECT_FALSE(parse_image_config("\"string\"").has_value());
  json padded = sample_config();
  padded["history"] = std::string(kMaxConfigBytes, ' ');
  Result<ImageConfig> config = parse_image_config(padded.dump());
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("too large"), std::string::npos);
}

}  // namespace
}  // namespace msb::image
