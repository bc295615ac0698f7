// JSON form of SandboxConfig. nlohmann-json throws on type mismatches, so fields are read
// through get_ptr<>(), which returns nullptr instead; parse() runs with exceptions off.
#include "config/sandbox_config.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "net/network_json.h"

namespace msb::config {
namespace {

using nlohmann::json;

tl::unexpected<Error> wrong_type(std::string_view key, std::string_view expected) {
  return err(ErrorKind::kInvalidConfig, "sandbox config: '{}' must be {}", key, expected);
}

// `where` names the enclosing object in messages ("rootfs." for 'rootfs.kind').
Result<void> read_string(const json& object, const char* key, std::string& out,
                         std::string_view where = "") {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::string_t* value = it->get_ptr<const json::string_t*>();
  if (!value) return wrong_type(fmt::format("{}{}", where, key), "a string");
  out = *value;
  return {};
}

// A string, or null / a missing key for "not set".
Result<void> read_optional_string(const json& object, const char* key,
                                  std::optional<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    out.reset();
    return {};
  }
  const json::string_t* value = it->get_ptr<const json::string_t*>();
  if (!value) return wrong_type(key, "a string or null");
  out = *value;
  return {};
}

Result<void> read_u32(const json& object, const char* key, uint32_t& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::number_unsigned_t* value = it->get_ptr<const json::number_unsigned_t*>();
  if (!value || *value > std::numeric_limits<uint32_t>::max()) {
    return wrong_type(key, "an integer from 0 to 4294967295");
  }
  out = static_cast<uint32_t>(*value);
  return {};
}

Result<void> read_bool(const json& object, const char* key, bool& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::boolean_t* value = it->get_ptr<const json::boolean_t*>();
  if (!value) return wrong_type(key, "true or false");
  out = *value;
  return {};
}

Result<void> read_string_list(const json& object, const char* key, std::vector<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::array_t* array = it->get_ptr<const json::array_t*>();
  if (!array) return wrong_type(key, "an array of strings");
  std::vector<std::string> values;
  for (const json& element : *array) {
    const json::string_t* value = element.get_ptr<const json::string_t*>();
    if (!value) return wrong_type(key, "an array of strings");
    values.push_back(*value);
  }
  out = std::move(values);
  return {};
}

Result<void> read_labels(const json& object, std::map<std::string, std::string>& out) {
  auto it = object.find("labels");
  if (it == object.end()) return {};
  const json::object_t* labels = it->get_ptr<const json::object_t*>();
  if (!labels) return wrong_type("labels", "an object of strings");
  std::map<std::string, std::string> values;
  for (const auto& [key, element] : *labels) {
    const json::string_t* value = element.get_ptr<const json::string_t*>();
    if (!value) return wrong_type("labels." + key, "a string");
    values[key] = *value;
  }
  out = std::move(values);
  return {};
}

Result<std::pair<std::string, std::string>> read_env_entry(const json& element, size_t index) {
  std::string where = fmt::format("env[{}]", index);
  if (!element.is_object()) return wrong_type(where, R"(an object {"name": ..., "value": ...})");
  auto name = element.find("name");
  auto value = element.find("value");
  if (name == element.end() || !name->is_string()) return wrong_type(where + ".name", "a string");
  if (value == element.end() || !value->is_string()) {
    return wrong_type(where + ".value", "a string");
  }
  return std::pair(*name->get_ptr<const json::string_t*>(),
                   *value->get_ptr<const json::string_t*>());
}

Result<void> read_env(const json& object, std::vector<std::pair<std::string, std::string>>& out) {
  auto it = object.find("env");
  if (it == object.end()) return {};
  const json::array_t* array = it->get_ptr<const json::array_t*>();
  if (!array) return wrong_type("env", R"(an array of {"name": ..., "value": ...} objects)");
  std::vector<std::pair<std::string, std::string>> values;
  for (size_t i = 0; i < array->size(); ++i) {
    values.push_back(MSB_TRY(read_env_entry((*array)[i], i)));
  }
  out = std::move(values);
  return {};
}

Result<void> read_rootfs(const json& object, RootfsSource& out) {
  auto it = object.find("rootfs");
  if (it == object.end()) return {};
  if (!it->is_object()) return wrong_type("rootfs", R"(an object {"kind", "path", "fstype"})");
  std::string kind = std::string(rootfs_kind_name(out.kind));
  MSB_TRY(read_string(*it, "kind", kind, "rootfs."));
  out.kind = MSB_TRY(parse_rootfs_kind(kind).context("sandbox config"));
  MSB_TRY(read_string(*it, "path", out.path, "rootfs."));
  MSB_TRY(read_string(*it, "fstype", out.fstype, "rootfs."));
  return {};
}

Result<void> read_pull_policy(const json& object, PullPolicy& out) {
  std::string name = std::string(pull_policy_name(out));
  MSB_TRY(read_string(object, "pull_policy", name));
  out = MSB_TRY(parse_pull_policy(name).context("sandbox config"));
  return {};
}

json env_to_json(const std::vector<std::pair<std::string, std::string>>& env) {
  json array = json::array();
  for (const auto& [name, value] : env) array.push_back({{"name", name}, {"value", value}});
  return array;
}

}  // namespace

std::string to_json(const SandboxConfig& config) {
  json object = {
      {"name", config.name},
      {"image", config.image},
      {"rootfs",
       {{"kind", rootfs_kind_name(config.rootfs.kind)},
        {"path", config.rootfs.path},
        {"fstype", config.rootfs.fstype}}},
      {"root_disk", root_disk_to_json(config.root_disk)},
      {"cpus", config.cpus},
      {"memory_mib", config.memory_mib},
      {"env", env_to_json(config.env)},
      {"workdir", config.workdir},
      {"user", config.user},
      {"hostname", config.hostname ? json(*config.hostname) : json(nullptr)},
      {"shell", config.shell},
      {"labels", config.labels},
      {"entrypoint", config.entrypoint},
      {"cmd", config.cmd},
      {"pull_policy", pull_policy_name(config.pull_policy)},
      {"replace", config.replace},
      {"replace_timeout_ms", config.replace_timeout_ms},
      {"ephemeral", config.ephemeral},
      {"detached", config.detached},
      {"accel", config.accel},
      {"isolation", config.isolation},
      {"manifest_digest", config.manifest_digest},
      {"snapshot", config.snapshot},
      {"network", net::network_to_json(config.network)},
      {"mounts", mounts_to_json(config.mounts)},
      {"patches", patches_to_json(config.patches)},
  };
  // The replace handler keeps dump() from throwing on bytes that are not UTF-8.
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SandboxConfig> config_from_json(std::string_view text) {
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded())
    return err(ErrorKind::kInvalidConfig, "sandbox config: not valid JSON");
  if (!object.is_object()) {
    return err(ErrorKind::kInvalidConfig, "sandbox config: the top level must be an object");
  }
  SandboxConfig config;
  MSB_TRY(read_string(object, "name", config.name));
  MSB_TRY(read_string(object, "image", config.image));
  MSB_TRY(read_rootfs(object, config.rootfs));
  if (auto root_disk = object.find("root_disk"); root_disk != object.end())
    config.root_disk = MSB_TRY(root_disk_from_json(*root_disk));
  MSB_TRY(read_u32(object, "cpus", config.cpus));
  MSB_TRY(read_u32(object, "memory_mib", config.memory_mib));
  MSB_TRY(read_env(object, config.env));
  MSB_TRY(read_string(object, "workdir", config.workdir));
  MSB_TRY(read_string(object, "user", config.user));
  MSB_TRY(read_optional_string(object, "hostname", config.hostname));
  MSB_TRY(read_string(object, "shell", config.shell));
  MSB_TRY(read_labels(object, config.labels));
  MSB_TRY(read_string_list(object, "entrypoint", config.entrypoint));
  MSB_TRY(read_string_list(object, "cmd", config.cmd));
  MSB_TRY(read_pull_policy(object, config.pull_policy));
  MSB_TRY(read_bool(object, "replace", config.replace));
  MSB_TRY(read_u32(object, "replace_timeout_ms", config.replace_timeout_ms));
  MSB_TRY(read_bool(object, "ephemeral", config.ephemeral));
  MSB_TRY(read_bool(object, "detached", config.detached));
  MSB_TRY(read_string(object, "accel", config.accel));
  MSB_TRY(read_string(object, "isolation", config.isolation));
  MSB_TRY(read_string(object, "manifest_digest", config.manifest_digest));
  MSB_TRY(read_string(object, "snapshot", config.snapshot));
  if (auto network = object.find("network"); network != object.end())
    config.network = MSB_TRY(net::network_from_json(*network));
  if (auto mounts = object.find("mounts"); mounts != object.end())
    config.mounts = MSB_TRY(mounts_from_json(*mounts));
  if (auto patches = object.find("patches"); patches != object.end())
    config.patches = MSB_TRY(patches_from_json(*patches));
  return config;
}

std::string_view pull_policy_name(PullPolicy policy) {
  switch (policy) {
    case PullPolicy::kIfMissing:
      return "if-missing";
    case PullPolicy::kAlways:
      return "always";
    case PullPolicy::kNever:
      return "never";
  }
  MSB_CHECK(false);
}

Result<PullPolicy> parse_pull_policy(std::string_view text) {
  for (PullPolicy policy : {PullPolicy::kIfMissing, PullPolicy::kAlways, PullPolicy::kNever}) {
    if (text == pull_policy_name(policy)) return policy;
  }
  return err(ErrorKind::kInvalidConfig, "unknown pull policy '{}': use if-missing, always or never",
             text);
}

std::string_view rootfs_kind_name(RootfsSource::Kind kind) {
  switch (kind) {
    case RootfsSource::Kind::kImage:
      return "image";
    case RootfsSource::Kind::kBind:
      return "bind";
    case RootfsSource::Kind::kDisk:
      return "disk";
  }
  MSB_CHECK(false);
}

Result<RootfsSource::Kind> parse_rootfs_kind(std::string_view text) {
  using Kind = RootfsSource::Kind;
  for (Kind kind : {Kind::kImage, Kind::kBind, Kind::kDisk}) {
    if (text == rootfs_kind_name(kind)) return kind;
  }
  return err(ErrorKind::kInvalidConfig, "unknown rootfs kind '{}': use image, bind or disk", text);
}

}  // namespace msb::config
