#include "server/create_request.h"

#include <gtest/gtest.h>

namespace msb::server {
namespace {

using nlohmann::json;

std::string rejection(const json& body) {
  try {
    parse_create_request(body);
  } catch (const microsandbox::Error& error) {
    EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kInvalidArgument);
    return error.what();
  }
  return "";
}

TEST(CreateRequestTest, AcceptsTheFullShape) {
  json body = {
      {"name", "job"},
      {"attached", true},
      {"image", "base"},
      {"cpus", 2},
      {"memory_mib", 256},
      {"env", {{"A", "1"}}},
      {"labels", {{"team", "ml"}}},
      {"cmd", {"sh", "-c", "true"}},
      {"pull_policy", "never"},
      {"isolation", "namespace"},
      {"root_disk", {{"kind", "tmpfs"}, {"size_bytes", 64 << 20}}},
      {"network",
       {{"preset", "none"},
        {"rules", {"allow@1.2.3.4:tcp:443"}},
        {"ports", {{{"host_port", 8080}, {"guest_port", 80}}}}}},
      {"volumes", {{{"guest_path", "/scratch"}, {"kind", "tmpfs"}, {"size_mib", 16}}}},
      {"patches", {{{"kind", "text"}, {"path", "/etc/x"}, {"content", "y"}, {"mode", 0600}}}},
  };
  CreateRequest request = parse_create_request(body);
  EXPECT_EQ(request.name, "job");
  EXPECT_TRUE(request.attached);
}

TEST(CreateRequestTest, NameIsRequired) {
  EXPECT_NE(rejection(json::object()).find("name: is required"), std::string::npos);
  EXPECT_NE(rejection({{"name", ""}}).find("name: is required"), std::string::npos);
}

TEST(CreateRequestTest, UnknownKeysAreNamed) {
  EXPECT_NE(rejection({{"name", "a"}, {"imgae", "base"}}).find("imgae: unknown key"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"network", {{"presett", "none"}}}})
                .find("network.presett: unknown key"),
            std::string::npos);
}

TEST(CreateRequestTest, WrongTypesAreNamed) {
  EXPECT_NE(rejection({{"name", "a"}, {"cpus", "two"}}).find("cpus: must be a whole number"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"cpus", -1}}).find("cpus"), std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"env", {{"A", 1}}}}).find("env.A: must be a string"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"ephemeral", "yes"}}).find("ephemeral: must be true"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"cmd", {"sh", 1}}}).find("cmd: must be an array"),
            std::string::npos);
  EXPECT_NE(rejection(json::array()).find("must be an object"), std::string::npos);
}

TEST(CreateRequestTest, EnumsAndRequiredPartsAreChecked) {
  EXPECT_NE(rejection({{"name", "a"}, {"pull_policy", "sometimes"}}).find("pull_policy"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"volumes", {{{"guest_path", "/x"}, {"kind", "nfs"}}}}})
                .find("volumes[].kind"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"volumes", {{{"guest_path", "/x"}, {"kind", "bind"}}}}})
                .find("needs path"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"},
                       {"network", {{"ports", {{{"host_port", 70000}, {"guest_port", 80}}}}}}})
                .find("host_port"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"},
                       {"patches", {{{"kind", "text"}, {"path", "/x"}, {"content_base64", "!!"}}}}})
                .find("is not base64"),
            std::string::npos);
  EXPECT_NE(rejection({{"name", "a"}, {"root_disk", {{"kind", "huge"}}}}).find("root_disk.kind"),
            std::string::npos);
}

}  // namespace
}  // namespace msb::server
