#include "server/create_request.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "common/base64.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using nlohmann::json;

[[noreturn]] void invalid(const std::string& where, const std::string& what) {
  throw Error(ErrorKind::kInvalidArgument, "request body: " + where + ": " + what);
}

void check_keys(const json& object, const std::string& where, const std::set<std::string>& known) {
  if (!object.is_object()) invalid(where, "must be an object");
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) invalid(where.empty() ? key : where + "." + key, "unknown key");
  }
}

std::string path_of(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

std::optional<std::string> text(const json& object, const std::string& where,
                                const std::string& key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_string()) invalid(path_of(where, key), "must be a string");
  return object[key].get<std::string>();
}

std::optional<bool> flag(const json& object, const std::string& where, const std::string& key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_boolean()) invalid(path_of(where, key), "must be true or false");
  return object[key].get<bool>();
}

// A JSON integer >= 0 (parsed text gives unsigned numbers; built values signed ones).
bool whole_number(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
}

std::optional<uint64_t> number(const json& object, const std::string& where, const std::string& key,
                               uint64_t max = UINT64_MAX) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  const json& value = object[key];
  if (!whole_number(value) || value.get<uint64_t>() > max)
    invalid(path_of(where, key), "must be a whole number from 0 to " + std::to_string(max));
  return value.get<uint64_t>();
}

std::vector<std::string> strings(const json& object, const std::string& where,
                                 const std::string& key) {
  std::vector<std::string> out;
  if (!object.contains(key) || object[key].is_null()) return out;
  if (!object[key].is_array()) invalid(path_of(where, key), "must be an array of strings");
  for (const json& item : object[key]) {
    if (!item.is_string()) invalid(path_of(where, key), "must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> string_map(const json& object,
                                                            const std::string& where,
                                                            const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!object.contains(key) || object[key].is_null()) return out;
  if (!object[key].is_object()) invalid(path_of(where, key), "must be an object of strings");
  for (const auto& [name, value] : object[key].items()) {
    if (!value.is_string()) invalid(path_of(where, key) + "." + name, "must be a string");
    out.emplace_back(name, value.get<std::string>());
  }
  return out;
}

microsandbox::Network parse_network(const json& spec) {
  const std::string where = "network";
  check_keys(spec, where,
             {"preset", "rules", "ports", "dns_nameservers", "rebinding_protection",
              "dns_query_timeout_ms", "max_connections", "egress_limit", "ingress_limit",
              "egress_burst", "ingress_burst"});
  std::optional<std::string> preset = text(spec, where, "preset");
  microsandbox::Network network =
      preset ? microsandbox::Network::preset(*preset) : microsandbox::Network();
  for (const std::string& rule : strings(spec, where, "rules")) network.rule(rule);
  if (spec.contains("ports") && !spec["ports"].is_null()) {
    if (!spec["ports"].is_array()) invalid("network.ports", "must be an array");
    for (const json& port : spec["ports"]) {
      check_keys(port, "network.ports[]", {"host_port", "guest_port", "bind", "protocol"});
      std::optional<uint64_t> host = number(port, "network.ports[]", "host_port", 65535);
      std::optional<uint64_t> guest = number(port, "network.ports[]", "guest_port", 65535);
      if (!host || !guest) invalid("network.ports[]", "needs host_port and guest_port");
      std::string protocol = text(port, "network.ports[]", "protocol").value_or("tcp");
      if (protocol != "tcp" && protocol != "udp")
        invalid("network.ports[].protocol", "must be tcp or udp");
      network.publish_on(text(port, "network.ports[]", "bind").value_or("127.0.0.1"),
                         static_cast<uint16_t>(*host), static_cast<uint16_t>(*guest),
                         protocol == "udp");
    }
  }
  for (const std::string& server : strings(spec, where, "dns_nameservers"))
    network.dns_nameserver(server);
  if (auto on = flag(spec, where, "rebinding_protection")) network.rebinding_protection(*on);
  if (auto ms = number(spec, where, "dns_query_timeout_ms"))
    network.dns_query_timeout(std::chrono::milliseconds(*ms));
  if (auto count = number(spec, where, "max_connections", UINT32_MAX))
    network.max_connections(static_cast<uint32_t>(*count));
  auto rate = [&](const std::string& key, auto apply) {
    if (!spec.contains(key) || spec[key].is_null()) return;
    const json& limit = spec[key];
    std::string at = path_of(where, key);
    check_keys(limit, at, {"bytes_per_second", "packets_per_second", "bytes", "packets"});
    apply(
        number(limit, at, "bytes_per_second").value_or(number(limit, at, "bytes").value_or(0)),
        number(limit, at, "packets_per_second").value_or(number(limit, at, "packets").value_or(0)));
  };
  rate("egress_limit", [&](uint64_t b, uint64_t p) { network.egress_limit(b, p); });
  rate("ingress_limit", [&](uint64_t b, uint64_t p) { network.ingress_limit(b, p); });
  rate("egress_burst", [&](uint64_t b, uint64_t p) { network.egress_burst(b, p); });
  rate("ingress_burst", [&](uint64_t b, uint64_t p) { network.ingress_burst(b, p); });
  return network;
}

std::pair<std::string, microsandbox::Mount> parse_volume(const json& spec) {
  const std::string where = "volumes[]";
  check_keys(
      spec, where,
      {"guest_path", "kind", "path", "name", "size_mib", "format", "fstype", "readonly", "noexec"});
  std::optional<std::string> guest = text(spec, where, "guest_path");
  std::optional<std::string> kind = text(spec, where, "kind");
  if (!guest || !kind) invalid(where, "needs guest_path and kind");
  auto required = [&](const std::string& key) {
    std::optional<std::string> value = text(spec, where, key);
    if (!value) invalid(where, "a " + *kind + " volume needs " + key);
    return *value;
  };
  std::optional<microsandbox::Mount> mount;
  if (*kind == "bind") {
    mount = microsandbox::Mount::bind(required("path"));
  } else if (*kind == "named") {
    mount = microsandbox::Mount::named(required("name"));
  } else if (*kind == "tmpfs") {
    mount = microsandbox::Mount::tmpfs(number(spec, where, "size_mib").value_or(0));
  } else if (*kind == "disk") {
    mount = microsandbox::Mount::disk(required("path"));
    if (auto format = text(spec, where, "format")) mount->format(*format);
    if (auto fstype = text(spec, where, "fstype")) mount->fstype(*fstype);
  } else {
    invalid(where + ".kind", "must be bind, named, tmpfs or disk");
  }
  mount->readonly(flag(spec, where, "readonly").value_or(false));
  mount->noexec(flag(spec, where, "noexec").value_or(false));
  return {*guest, *mount};
}

microsandbox::Patch parse_patch(const json& spec) {
  const std::string where = "patches[]";
  check_keys(spec, where,
             {"kind", "path", "content", "content_base64", "source", "target", "mode", "owner",
              "replace"});
  std::optional<std::string> kind = text(spec, where, "kind");
  std::optional<std::string> path = text(spec, where, "path");
  if (!kind || !path) invalid(where, "needs kind and path");
  auto content = [&]() -> std::string {
    if (auto encoded = text(spec, where, "content_base64")) {
      std::optional<std::string> decoded = msb::base64_decode(*encoded);
      if (!decoded) invalid(where + ".content_base64", "is not base64");
      return *decoded;
    }
    return text(spec, where, "content").value_or("");
  };
  auto source = [&] {
    std::optional<std::string> value = text(spec, where, "source");
    if (!value) invalid(where, "a " + *kind + " patch needs source");
    return *value;
  };
  std::optional<microsandbox::Patch> patch;
  if (*kind == "text" || *kind == "file")
    patch = microsandbox::Patch::file(*path, content());
  else if (*kind == "append")
    patch = microsandbox::Patch::append(*path, content());
  else if (*kind == "copy_file")
    patch = microsandbox::Patch::copy_file(source(), *path);
  else if (*kind == "copy_dir")
    patch = microsandbox::Patch::copy_dir(source(), *path);
  else if (*kind == "mkdir")
    patch = microsandbox::Patch::mkdir(*path);
  else if (*kind == "remove")
    patch = microsandbox::Patch::remove(*path);
  else if (*kind == "symlink") {
    std::optional<std::string> target = text(spec, where, "target");
    if (!target) invalid(where, "a symlink patch needs target");
    patch = microsandbox::Patch::symlink(*target, *path);
  } else {
    invalid(where + ".kind",
            "must be text, file, append, copy_file, copy_dir, mkdir, symlink or remove");
  }
  if (auto mode = number(spec, where, "mode", 07777)) patch->mode(static_cast<uint32_t>(*mode));
  if (spec.contains("owner") && !spec["owner"].is_null()) {
    const json& owner = spec["owner"];
    if (!owner.is_array() || owner.size() != 2 || !whole_number(owner[0]) ||
        !whole_number(owner[1]) || owner[0].get<uint64_t>() > UINT32_MAX ||
        owner[1].get<uint64_t>() > UINT32_MAX)
      invalid(where + ".owner", "must be [uid, gid]");
    patch->owner(owner[0].get<uint32_t>(), owner[1].get<uint32_t>());
  }
  if (auto replace = flag(spec, where, "replace")) patch->replace(*replace);
  return *patch;
}

}  // namespace

CreateRequest parse_create_request(const json& body) {
  check_keys(body, "", {"name",         "attached",
                        "image",        "rootfs_dir",
                        "rootfs_image", "from_snapshot",
                        "cpus",         "memory_mib",
                        "env",          "workdir",
                        "user",         "hostname",
                        "shell",        "labels",
                        "entrypoint",   "cmd",
                        "pull_policy",  "insecure_registry",
                        "replace",      "replace_grace_ms",
                        "ephemeral",    "isolation",
                        "accel",        "root_disk",
                        "network",      "disable_network",
                        "volumes",      "patches"});
  CreateRequest request;
  std::optional<std::string> name = text(body, "", "name");
  if (!name || name->empty()) invalid("name", "is required");
  request.name = *name;
  request.attached = flag(body, "", "attached").value_or(false);
  microsandbox::SandboxBuilder& builder = request.builder = microsandbox::SandboxBuilder(*name);
  if (auto image = text(body, "", "image")) builder.image(*image);
  if (auto dir = text(body, "", "rootfs_dir")) builder.rootfs_dir(*dir);
  if (body.contains("rootfs_image") && !body["rootfs_image"].is_null()) {
    const json& image = body["rootfs_image"];
    check_keys(image, "rootfs_image", {"path", "fstype"});
    std::optional<std::string> path = text(image, "rootfs_image", "path");
    if (!path) invalid("rootfs_image", "needs path");
    builder.rootfs_image(*path, text(image, "rootfs_image", "fstype").value_or("ext4"));
  }
  if (auto snapshot = text(body, "", "from_snapshot")) builder.from_snapshot(*snapshot);
  if (auto cpus = number(body, "", "cpus", UINT32_MAX)) builder.cpus(static_cast<uint32_t>(*cpus));
  if (auto mib = number(body, "", "memory_mib", UINT32_MAX))
    builder.memory_mib(static_cast<uint32_t>(*mib));
  for (auto& [key, value] : string_map(body, "", "env")) builder.env(key, value);
  if (auto workdir = text(body, "", "workdir")) builder.workdir(*workdir);
  if (auto user = text(body, "", "user")) builder.user(*user);
  if (auto hostname = text(body, "", "hostname")) builder.hostname(*hostname);
  if (auto shell = text(body, "", "shell")) builder.shell(*shell);
  for (auto& [key, value] : string_map(body, "", "labels")) builder.label(key, value);
  if (body.contains("entrypoint")) builder.entrypoint(strings(body, "", "entrypoint"));
  if (body.contains("cmd")) builder.cmd(strings(body, "", "cmd"));
  if (auto policy = text(body, "", "pull_policy")) {
    if (*policy == "if-missing")
      builder.pull_policy(microsandbox::PullPolicy::kIfMissing);
    else if (*policy == "always")
      builder.pull_policy(microsandbox::PullPolicy::kAlways);
    else if (*policy == "never")
      builder.pull_policy(microsandbox::PullPolicy::kNever);
    else
      invalid("pull_policy", "must be if-missing, always or never");
  }
  builder.insecure_registry(flag(body, "", "insecure_registry").value_or(false));
  if (flag(body, "", "replace").value_or(false))
    builder.replace(
        std::chrono::milliseconds(number(body, "", "replace_grace_ms").value_or(10000)));
  builder.ephemeral(flag(body, "", "ephemeral").value_or(false));
  if (auto isolation = text(body, "", "isolation")) builder.isolation(*isolation);
  if (auto accel = text(body, "", "accel")) builder.accel(*accel);
  if (body.contains("root_disk") && !body["root_disk"].is_null()) {
    const json& disk = body["root_disk"];
    check_keys(disk, "root_disk", {"kind", "size_bytes"});
    std::string kind = text(disk, "root_disk", "kind").value_or("managed");
    uint64_t size = number(disk, "root_disk", "size_bytes").value_or(0);
    if (kind == "managed")
      builder.root_disk(size);
    else if (kind == "tmpfs")
      builder.root_disk_tmpfs(size);
    else
      invalid("root_disk.kind", "must be managed or tmpfs");
  }
  if (body.contains("network") && !body["network"].is_null())
    builder.network(parse_network(body["network"]));
  if (flag(body, "", "disable_network").value_or(false)) builder.disable_network();
  if (body.contains("volumes") && !body["volumes"].is_null()) {
    if (!body["volumes"].is_array()) invalid("volumes", "must be an array");
    for (const json& volume : body["volumes"]) {
      auto [guest, mount] = parse_volume(volume);
      builder.volume(guest, mount);
    }
  }
  if (body.contains("patches") && !body["patches"].is_null()) {
    if (!body["patches"].is_array()) invalid("patches", "must be an array");
    for (const json& patch : body["patches"]) builder.patch(parse_patch(patch));
  }
  return request;
}

}  // namespace msb::server
