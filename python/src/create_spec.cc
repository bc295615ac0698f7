#include "create_spec.h"

#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "exec_pump.h"

namespace msb_python {

namespace {

using microsandbox::Mount;
using microsandbox::Network;
using microsandbox::Patch;

template <typename T>
T get(const py::dict& dict, const char* key, T fallback) {
  return dict.contains(key) && !dict[key].is_none() ? dict[key].cast<T>() : fallback;
}

bool has(const py::dict& dict, const char* key) {
  return dict.contains(key) && !dict[key].is_none();
}

void check_keys(const py::dict& dict, const std::set<std::string>& known, const char* what) {
  for (auto item : dict) {
    std::string key = item.first.cast<std::string>();
    if (!known.contains(key)) throw py::type_error(std::string("unknown ") + what + " key: " + key);
  }
}

Mount mount_from_spec(const py::dict& spec) {
  check_keys(spec, {"kind", "path", "name", "size_mib", "format", "fstype", "readonly", "noexec"},
             "mount spec");
  std::string kind = spec["kind"].cast<std::string>();
  std::optional<Mount> mount;
  if (kind == "bind") {
    mount = Mount::bind(spec["path"].cast<std::string>());
  } else if (kind == "named") {
    mount = Mount::named(spec["name"].cast<std::string>());
  } else if (kind == "tmpfs") {
    mount = Mount::tmpfs(get<uint64_t>(spec, "size_mib", 0));
  } else if (kind == "disk") {
    mount = Mount::disk(spec["path"].cast<std::string>());
    if (has(spec, "format")) mount->format(spec["format"].cast<std::string>());
    if (has(spec, "fstype")) mount->fstype(spec["fstype"].cast<std::string>());
  } else {
    throw py::value_error("unknown mount kind: " + kind);
  }
  mount->readonly(get<bool>(spec, "readonly", false));
  mount->noexec(get<bool>(spec, "noexec", false));
  return *mount;
}

Patch patch_from_spec(const py::dict& spec) {
  check_keys(spec, {"kind", "path", "content", "source", "target", "mode", "owner", "replace"},
             "patch spec");
  std::string kind = spec["kind"].cast<std::string>();
  std::string path = spec["path"].cast<std::string>();
  auto content = [&] { return get<std::string>(spec, "content", ""); };
  auto source = [&] { return spec["source"].cast<std::string>(); };
  std::optional<Patch> patch;
  if (kind == "text")
    patch = Patch::text(path, content());
  else if (kind == "file")
    patch = Patch::file(path, content());
  else if (kind == "append")
    patch = Patch::append(path, content());
  else if (kind == "copy_file")
    patch = Patch::copy_file(source(), path);
  else if (kind == "copy_dir")
    patch = Patch::copy_dir(source(), path);
  else if (kind == "mkdir")
    patch = Patch::mkdir(path);
  else if (kind == "symlink")
    patch = Patch::symlink(spec["target"].cast<std::string>(), path);
  else if (kind == "remove")
    patch = Patch::remove(path);
  else
    throw py::value_error("unknown patch kind: " + kind);
  if (has(spec, "mode")) patch->mode(spec["mode"].cast<uint32_t>());
  if (has(spec, "owner")) {
    auto [uid, gid] = spec["owner"].cast<std::pair<uint32_t, uint32_t>>();
    patch->owner(uid, gid);
  }
  if (has(spec, "replace")) patch->replace(spec["replace"].cast<bool>());
  return *patch;
}

Network network_from_spec(const py::dict& spec) {
  check_keys(spec,
             {"preset", "rules", "ports", "dns_nameservers", "rebinding_protection",
              "dns_query_timeout_ms", "egress_limit", "ingress_limit", "egress_burst",
              "ingress_burst", "max_connections"},
             "network spec");
  Network network =
      has(spec, "preset") ? Network::preset(spec["preset"].cast<std::string>()) : Network();
  for (const std::string& rule : get<std::vector<std::string>>(spec, "rules", {}))
    network.rule(rule);
  if (has(spec, "ports")) {
    for (auto item : spec["ports"]) {
      py::dict port = item.cast<py::dict>();
      network.publish_on(get<std::string>(port, "bind", "127.0.0.1"),
                         port["host_port"].cast<uint16_t>(), port["guest_port"].cast<uint16_t>(),
                         get<bool>(port, "udp", false));
    }
  }
  for (const std::string& server : get<std::vector<std::string>>(spec, "dns_nameservers", {}))
    network.dns_nameserver(server);
  if (has(spec, "rebinding_protection"))
    network.rebinding_protection(spec["rebinding_protection"].cast<bool>());
  if (has(spec, "dns_query_timeout_ms"))
    network.dns_query_timeout(
        std::chrono::milliseconds(spec["dns_query_timeout_ms"].cast<int64_t>()));
  auto rate = [&](const char* key, auto apply) {
    if (!has(spec, key)) return;
    py::dict limit = spec[key].cast<py::dict>();
    apply(get<uint64_t>(limit, "bytes_per_second", get<uint64_t>(limit, "bytes", 0)),
          get<uint64_t>(limit, "packets_per_second", get<uint64_t>(limit, "packets", 0)));
  };
  rate("egress_limit", [&](uint64_t b, uint64_t p) { network.egress_limit(b, p); });
  rate("ingress_limit", [&](uint64_t b, uint64_t p) { network.ingress_limit(b, p); });
  rate("egress_burst", [&](uint64_t b, uint64_t p) { network.egress_burst(b, p); });
  rate("ingress_burst", [&](uint64_t b, uint64_t p) { network.ingress_burst(b, p); });
  if (has(spec, "max_connections"))
    network.max_connections(spec["max_connections"].cast<uint32_t>());
  return network;
}

}  // namespace

microsandbox::SandboxBuilder builder_from_spec(const std::string& name, const py::dict& spec) {
  check_keys(spec,
             {"image",
              "rootfs_dir",
              "rootfs_image",
              "from_snapshot",
              "cpus",
              "memory_mib",
              "env",
              "workdir",
              "user",
              "hostname",
              "shell",
              "labels",
              "entrypoint",
              "cmd",
              "pull_policy",
              "insecure_registry",
              "replace",
              "replace_grace_ms",
              "ephemeral",
              "detached",
              "isolation",
              "accel",
              "root_disk",
              "network",
              "disable_network",
              "volumes",
              "patches"},
             "create spec");
  microsandbox::SandboxBuilder builder(name);
  if (has(spec, "image")) builder.image(spec["image"].cast<std::string>());
  if (has(spec, "rootfs_dir")) builder.rootfs_dir(spec["rootfs_dir"].cast<std::string>());
  if (has(spec, "rootfs_image")) {
    py::dict image = spec["rootfs_image"].cast<py::dict>();
    builder.rootfs_image(image["path"].cast<std::string>(),
                         get<std::string>(image, "fstype", "ext4"));
  }
  if (has(spec, "from_snapshot")) builder.from_snapshot(spec["from_snapshot"].cast<std::string>());
  if (has(spec, "cpus")) builder.cpus(spec["cpus"].cast<uint32_t>());
  if (has(spec, "memory_mib")) builder.memory_mib(spec["memory_mib"].cast<uint32_t>());
  for (auto& [key, value] : get<std::vector<std::pair<std::string, std::string>>>(spec, "env", {}))
    builder.env(key, value);
  if (has(spec, "workdir")) builder.workdir(spec["workdir"].cast<std::string>());
  if (has(spec, "user")) builder.user(spec["user"].cast<std::string>());
  if (has(spec, "hostname")) builder.hostname(spec["hostname"].cast<std::string>());
  if (has(spec, "shell")) builder.shell(spec["shell"].cast<std::string>());
  for (auto& [key, value] : get<std::map<std::string, std::string>>(spec, "labels", {}))
    builder.label(key, value);
  if (has(spec, "entrypoint"))
    builder.entrypoint(spec["entrypoint"].cast<std::vector<std::string>>());
  if (has(spec, "cmd")) builder.cmd(spec["cmd"].cast<std::vector<std::string>>());
  if (has(spec, "pull_policy")) {
    std::string policy = spec["pull_policy"].cast<std::string>();
    if (policy == "if-missing")
      builder.pull_policy(microsandbox::PullPolicy::kIfMissing);
    else if (policy == "always")
      builder.pull_policy(microsandbox::PullPolicy::kAlways);
    else if (policy == "never")
      builder.pull_policy(microsandbox::PullPolicy::kNever);
    else
      throw py::value_error("unknown pull policy: " + policy);
  }
  builder.insecure_registry(get<bool>(spec, "insecure_registry", false));
  if (get<bool>(spec, "replace", false))
    builder.replace(std::chrono::milliseconds(get<int64_t>(spec, "replace_grace_ms", 10000)));
  builder.ephemeral(get<bool>(spec, "ephemeral", false));
  builder.detached(get<bool>(spec, "detached", false));
  if (has(spec, "isolation")) builder.isolation(spec["isolation"].cast<std::string>());
  if (has(spec, "accel")) builder.accel(spec["accel"].cast<std::string>());
  if (has(spec, "root_disk")) {
    py::dict disk = spec["root_disk"].cast<py::dict>();
    std::string kind = disk["kind"].cast<std::string>();
    uint64_t size = get<uint64_t>(disk, "size_bytes", 0);
    if (kind == "managed")
      builder.root_disk(size);
    else if (kind == "tmpfs")
      builder.root_disk_tmpfs(size);
    else
      throw py::value_error("unknown root disk kind: " + kind);
  }
  if (has(spec, "network")) builder.network(network_from_spec(spec["network"].cast<py::dict>()));
  if (get<bool>(spec, "disable_network", false)) builder.disable_network();
  if (has(spec, "volumes")) {
    for (auto item : spec["volumes"]) {
      py::tuple pair = item.cast<py::tuple>();
      builder.volume(pair[0].cast<std::string>(), mount_from_spec(pair[1].cast<py::dict>()));
    }
  }
  if (has(spec, "patches")) {
    for (auto item : spec["patches"]) builder.patch(patch_from_spec(item.cast<py::dict>()));
  }
  return builder;
}

py::tuple progress_tuple(const microsandbox::PullProgress& progress) {
  return py::make_tuple(microsandbox::pull_stage_name(progress.stage), progress.reference,
                        progress.manifest_digest, progress.layer, progress.layer_count,
                        progress.bytes, progress.total_bytes);
}

microsandbox::PullProgressCallback progress_callback(py::object callable) {
  if (callable.is_none()) return nullptr;
  // The callable is released with the GIL held, whichever thread drops the last copy.
  std::shared_ptr<py::object> holder = hold(std::move(callable));
  return [holder](const microsandbox::PullProgress& progress) {
    if (python_finalizing()) return;
    py::gil_scoped_acquire gil;
    try {
      (*holder)(progress_tuple(progress));
    } catch (py::error_already_set& error) {
      error.discard_as_unraisable("microsandbox pull progress callback");
    }
  };
}

}  // namespace msb_python
