#include "config/sandbox_config.h"

#include <gtest/gtest.h>

#include <string>

#include "net/rule_grammar.h"

namespace msb::config {
namespace {

SandboxConfig full_config() {
  SandboxConfig config;
  config.name = "web-1";
  config.image = "docker.io/library/python:3.12";
  config.rootfs = {RootfsSource::Kind::kDisk, "/srv/disk.img", "xfs"};
  config.cpus = 4;
  config.memory_mib = 2048;
  config.env = {{"B", "2"}, {"A", "1"}, {"B", "3"}, {"EMPTY", ""}};
  config.workdir = "/app";
  config.user = "1000:1000";
  config.hostname = "web.local";
  config.shell = "/bin/bash";
  config.labels = {{"team", "infra"}, {"tier", "\xc3\xa9t\xc3\xa9"}};
  config.entrypoint = {"/usr/bin/python3", "-u"};
  config.cmd = {"app.py", "--port=80", ""};
  config.pull_policy = PullPolicy::kNever;
  config.replace = true;
  config.replace_timeout_ms = 2500;
  config.ephemeral = true;
  config.detached = true;
  config.accel = "tcg";
  config.isolation = "namespace";
  config.manifest_digest = "sha256:" + std::string(64, 'a');
  config.network.policy.preset = net::Preset::kNone;
  config.network.policy.rules = net::parse_rules("allow@api.example.com:tcp:443").value();
  config.network.ports = {net::PublishedPort{"::1", 8080, 80, false}};
  config.network.max_connections = 32;
  return config;
}

std::string error_of(std::string_view json) {
  Result<SandboxConfig> config = config_from_json(json);
  if (config.has_value()) return "<ok>";
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidConfig);
  return config.error().message;
}

TEST(SandboxConfig, FullConfigRoundTrips) {
  SandboxConfig config = full_config();
  Result<SandboxConfig> parsed = config_from_json(to_json(config));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, config);
  EXPECT_EQ(parsed->env.size(), 4u);  // order and duplicates kept
  EXPECT_EQ(parsed->env[2].first, "B");
  EXPECT_EQ(parsed->env[2].second, "3");
}

TEST(SandboxConfig, DefaultsRoundTrip) {
  Result<SandboxConfig> parsed = config_from_json(to_json(SandboxConfig{}));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, SandboxConfig{});
}

TEST(SandboxConfig, EachRootfsKindAndPullPolicyRoundTrips) {
  for (auto kind : {RootfsSource::Kind::kImage, RootfsSource::Kind::kBind}) {
    for (auto policy : {PullPolicy::kIfMissing, PullPolicy::kAlways}) {
      SandboxConfig config;
      config.rootfs.kind = kind;
      config.pull_policy = policy;
      Result<SandboxConfig> parsed = config_from_json(to_json(config));
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(*parsed, config);
    }
  }
}

TEST(SandboxConfig, JsonIsCompactWithSortedKeys) {
  std::string json = to_json(SandboxConfig{});
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.find(": "), std::string::npos);
  EXPECT_EQ(json,
            R"({"accel":"","cmd":[],"cpus":1,"detached":false,"entrypoint":[],"env":[],)"
            R"("ephemeral":false,"hostname":null,"image":"base","isolation":"vm","labels":{},)"
            R"("manifest_digest":"","memory_mib":512,"mounts":[],)"
            R"("name":"","network":{"dns":{"nameservers":[],"query_timeout_ms":5000,)"
            R"("rebinding_protection":true},"egress":{"burst_bytes":0,"burst_packets":0,)"
            R"("bytes_per_second":0,"packets_per_second":0},"enabled":true,)"
            R"("ingress":{"burst_bytes":0,"burst_packets":0,"bytes_per_second":0,)"
            R"("packets_per_second":0},"max_connections":256,"ports":[],"preset":"public",)"
            R"("rules":[]},"patches":[],"pull_policy":"if-missing","replace":false,)"
            R"("replace_timeout_ms":10000,"root_disk":{"kind":"disk","size_bytes":0},)"
            R"("rootfs":{"fstype":"","kind":"image","path":""},"shell":"/bin/sh","snapshot":"",)"
            R"("user":"",)"
            R"("workdir":""})");
}

TEST(SandboxConfig, ManifestDigestIsStoredAndReadBackAndDefaultsToEmpty) {
  SandboxConfig config;
  config.manifest_digest = "sha256:" + std::string(64, 'b');
  std::string json = to_json(config);
  EXPECT_NE(json.find(R"("manifest_digest":"sha256:bbbb)"), std::string::npos) << json;
  EXPECT_EQ(config_from_json(json).value().manifest_digest, config.manifest_digest);
  // Configs stored before the field existed read as unpinned.
  EXPECT_EQ(config_from_json(R"({"name": "old"})").value().manifest_digest, "");
  EXPECT_EQ(error_of(R"({"manifest_digest": 1})"),
            "sandbox config: 'manifest_digest' must be a string");
}

// Absent (derive it from the name) and "" (an empty hostname, refused by validate) are
// different configs, and stay different through JSON.
TEST(SandboxConfig, AbsentAndEmptyHostnamesStayApart) {
  SandboxConfig absent;
  SandboxConfig empty;
  empty.hostname = "";
  SandboxConfig hostile;
  hostile.hostname = "a init=/bin/sh \"q\"\n";
  EXPECT_NE(to_json(absent), to_json(empty));
  EXPECT_NE(to_json(empty).find(R"("hostname":"")"), std::string::npos);
  for (const SandboxConfig& config : {absent, empty, hostile}) {
    Result<SandboxConfig> parsed = config_from_json(to_json(config));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->hostname, config.hostname);
  }
  EXPECT_EQ(config_from_json(R"({"hostname": null})")->hostname, std::nullopt);
  EXPECT_EQ(config_from_json(R"({"name": "x"})")->hostname, std::nullopt);
  EXPECT_EQ(config_from_json(R"({"hostname": ""})")->hostname, std::optional<std::string>(""));
  EXPECT_EQ(config_from_json(R"({"hostname": "h"})")->hostname, std::optional<std::string>("h"));
  EXPECT_EQ(error_of(R"({"hostname": 1})"), "sandbox config: 'hostname' must be a string or null");
  EXPECT_EQ(error_of(R"({"hostname": []})"), "sandbox config: 'hostname' must be a string or null");
}

TEST(SandboxConfig, JsonIsStable) { EXPECT_EQ(to_json(full_config()), to_json(full_config())); }

TEST(SandboxConfig, EnvIsAnArrayOfNameValueObjects) {
  SandboxConfig config;
  config.env = {{"A", "1"}};
  EXPECT_NE(to_json(config).find(R"("env":[{"name":"A","value":"1"}])"), std::string::npos);
}

TEST(SandboxConfig, InvalidUtf8IsReplacedInsteadOfThrowing) {
  SandboxConfig config;
  config.name = "a\xff";
  std::string json = to_json(config);
  EXPECT_NE(json.find("\"name\":\"a\xef\xbf\xbd\""), std::string::npos);
}

TEST(SandboxConfig, MissingKeysKeepDefaults) {
  Result<SandboxConfig> parsed = config_from_json(R"({"name": "x", "cpus": 2})");
  ASSERT_TRUE(parsed.has_value());
  SandboxConfig expected;
  expected.name = "x";
  expected.cpus = 2;
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(*config_from_json("{}"), SandboxConfig{});
}

TEST(SandboxConfig, RootfsMissingKeysKeepDefaults) {
  Result<SandboxConfig> parsed = config_from_json(R"({"rootfs": {"path": "/d"}})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->rootfs.kind, RootfsSource::Kind::kImage);
  EXPECT_EQ(parsed->rootfs.path, "/d");
}

TEST(SandboxConfig, UnknownKeysAreIgnored) {
  Result<SandboxConfig> parsed =
      config_from_json(R"({"name": "x", "future": {"a": [1, 2]}, "rootfs": {"extra": 1}})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->name, "x");
}

TEST(SandboxConfig, MalformedJsonIsAnError) {
  EXPECT_EQ(error_of(""), "sandbox config: not valid JSON");
  EXPECT_EQ(error_of("{"), "sandbox config: not valid JSON");
  EXPECT_EQ(error_of(R"({"name": "x",})"), "sandbox config: not valid JSON");
  EXPECT_EQ(error_of(R"({"name": "x"} trailing)"), "sandbox config: not valid JSON");
  EXPECT_EQ(error_of(std::string_view("\x00\xff garbage", 11)), "sandbox config: not valid JSON");
  EXPECT_EQ(error_of("{\"name\": \"\xff\"}"), "sandbox config: not valid JSON");
}

TEST(SandboxConfig, TruncatedJsonIsAnError) {
  std::string json = to_json(full_config());
  for (size_t size = 0; size < json.size(); ++size) {
    EXPECT_FALSE(config_from_json(std::string_view(json).substr(0, size)).has_value()) << size;
  }
}

TEST(SandboxConfig, DeeplyNestedJsonDoesNotCrash) {
  std::string json = R"({"unknown": )" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_TRUE(config_from_json(json).has_value());
  EXPECT_FALSE(config_from_json(std::string(10000, '[')).has_value());
}

TEST(SandboxConfig, TopLevelMustBeAnObject) {
  EXPECT_EQ(error_of("[]"), "sandbox config: the top level must be an object");
  EXPECT_EQ(error_of("null"), "sandbox config: the top level must be an object");
  EXPECT_EQ(error_of("\"x\""), "sandbox config: the top level must be an object");
}

TEST(SandboxConfig, WrongStringTypes) {
  EXPECT_EQ(error_of(R"({"name": 1})"), "sandbox config: 'name' must be a string");
  EXPECT_EQ(error_of(R"({"image": null})"), "sandbox config: 'image' must be a string");
  EXPECT_EQ(error_of(R"({"workdir": []})"), "sandbox config: 'workdir' must be a string");
  EXPECT_EQ(error_of(R"({"accel": false})"), "sandbox config: 'accel' must be a string");
  EXPECT_EQ(error_of(R"({"pull_policy": 1})"), "sandbox config: 'pull_policy' must be a string");
}

TEST(SandboxConfig, WrongNumberTypes) {
  constexpr const char* kRange = "must be an integer from 0 to 4294967295";
  EXPECT_EQ(error_of(R"({"cpus": "2"})"), std::string("sandbox config: 'cpus' ") + kRange);
  EXPECT_EQ(error_of(R"({"cpus": -1})"), std::string("sandbox config: 'cpus' ") + kRange);
  EXPECT_EQ(error_of(R"({"cpus": 1.5})"), std::string("sandbox config: 'cpus' ") + kRange);
  EXPECT_EQ(error_of(R"({"memory_mib": 4294967296})"),
            std::string("sandbox config: 'memory_mib' ") + kRange);
  EXPECT_EQ(error_of(R"({"replace_timeout_ms": true})"),
            std::string("sandbox config: 'replace_timeout_ms' ") + kRange);
  Result<SandboxConfig> max = config_from_json(R"({"memory_mib": 4294967295})");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->memory_mib, 4294967295u);
}

TEST(SandboxConfig, WrongBoolTypes) {
  EXPECT_EQ(error_of(R"({"replace": 1})"), "sandbox config: 'replace' must be true or false");
  EXPECT_EQ(error_of(R"({"ephemeral": "true"})"),
            "sandbox config: 'ephemeral' must be true or false");
  EXPECT_EQ(error_of(R"({"detached": null})"), "sandbox config: 'detached' must be true or false");
}

TEST(SandboxConfig, WrongListTypes) {
  EXPECT_EQ(error_of(R"({"cmd": "ls"})"), "sandbox config: 'cmd' must be an array of strings");
  EXPECT_EQ(error_of(R"({"entrypoint": ["a", 1]})"),
            "sandbox config: 'entrypoint' must be an array of strings");
  EXPECT_EQ(error_of(R"({"labels": []})"), "sandbox config: 'labels' must be an object of strings");
  EXPECT_EQ(error_of(R"({"labels": {"a": 1}})"), "sandbox config: 'labels.a' must be a string");
}

TEST(SandboxConfig, WrongEnvTypes) {
  EXPECT_EQ(error_of(R"({"env": {"A": "1"}})"),
            R"(sandbox config: 'env' must be an array of {"name": ..., "value": ...} objects)");
  EXPECT_EQ(error_of(R"({"env": ["A=1"]})"),
            R"(sandbox config: 'env[0]' must be an object {"name": ..., "value": ...})");
  EXPECT_EQ(error_of(R"({"env": [{"name": "A", "value": "1"}, {"value": "2"}]})"),
            "sandbox config: 'env[1].name' must be a string");
  EXPECT_EQ(error_of(R"({"env": [{"name": "A", "value": 1}]})"),
            "sandbox config: 'env[0].value' must be a string");
}

TEST(SandboxConfig, WrongRootfsTypes) {
  EXPECT_EQ(error_of(R"({"rootfs": "image"})"),
            R"(sandbox config: 'rootfs' must be an object {"kind", "path", "fstype"})");
  EXPECT_EQ(error_of(R"({"rootfs": {"kind": 1}})"),
            "sandbox config: 'rootfs.kind' must be a string");
  EXPECT_EQ(error_of(R"({"rootfs": {"path": 1}})"),
            "sandbox config: 'rootfs.path' must be a string");
  EXPECT_EQ(error_of(R"({"rootfs": {"fstype": 1}})"),
            "sandbox config: 'rootfs.fstype' must be a string");
}

TEST(SandboxConfig, UnknownEnumValues) {
  EXPECT_EQ(error_of(R"({"rootfs": {"kind": "nfs"}})"),
            "sandbox config: unknown rootfs kind 'nfs': use image, bind or disk");
  EXPECT_EQ(error_of(R"({"pull_policy": "sometimes"})"),
            "sandbox config: unknown pull policy 'sometimes': use if-missing, always or never");
}

TEST(PullPolicy, NamesRoundTrip) {
  for (auto policy : {PullPolicy::kIfMissing, PullPolicy::kAlways, PullPolicy::kNever}) {
    EXPECT_EQ(parse_pull_policy(pull_policy_name(policy)).value(), policy);
  }
  EXPECT_EQ(pull_policy_name(PullPolicy::kIfMissing), "if-missing");
  Result<PullPolicy> bad = parse_pull_policy("If-Missing");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidConfig);
}

TEST(RootfsKind, NamesRoundTrip) {
  using Kind = RootfsSource::Kind;
  for (auto kind : {Kind::kImage, Kind::kBind, Kind::kDisk}) {
    EXPECT_EQ(parse_rootfs_kind(rootfs_kind_name(kind)).value(), kind);
  }
  EXPECT_FALSE(parse_rootfs_kind("").has_value());
}

TEST(SandboxConfig, NetworkIsStoredUnderItsOwnKey) {
  SandboxConfig config;
  config.network.policy.rules = net::parse_rules("deny@10.0.0.0/8").value();
  std::string json = to_json(config);
  EXPECT_NE(json.find(R"("network":{)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("rules":["deny@10.0.0.0/8"])"), std::string::npos) << json;
  EXPECT_EQ(config_from_json(json).value().network, config.network);
}

TEST(SandboxConfig, AStoredConfigWithoutNetworkGetsTheDefaults) {
  EXPECT_EQ(config_from_json(R"({"name": "old"})").value().network, net::NetworkConfig{});
}

TEST(SandboxConfig, NetworkErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"network": true})"), "sandbox config: network: must be an object");
  EXPECT_EQ(error_of(R"({"network": {"rules": ["deny@10.0.0.1/8"]}})"),
            "sandbox config: network.rules[0]: '10.0.0.1/8' at column 6: host bits set, did you "
            "mean 10.0.0.0/8");
}

}  // namespace
}  // namespace msb::config
