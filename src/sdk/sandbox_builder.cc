// SandboxBuilder: fills one config::SandboxConfig; create() hands it to the lifecycle.
#include "config/sandbox_config.h"
#include "microsandbox/sandbox.h"
#include "sdk/mount_impl.h"
#include "sdk/network_impl.h"
#include "sdk/patch_impl.h"
#include "sdk/pull_progress.h"
#include "sdk/sandbox_impl.h"
#include "sdk/snapshots.h"

namespace microsandbox {

struct SandboxBuilder::Impl {
  msb::config::SandboxConfig config;
  bool insecure_registry = false;
  PullProgressCallback on_pull_progress;
  std::optional<Network> network;  // parsed into config.network by create()
  bool network_disabled = false;
  bool isolation_set = false;  // isolation() was called: a snapshot's engine does not apply
};

SandboxBuilder::SandboxBuilder(std::string name) : impl_(std::make_unique<Impl>()) {
  impl_->config.name = std::move(name);
}
SandboxBuilder::SandboxBuilder(SandboxBuilder&&) noexcept = default;
SandboxBuilder& SandboxBuilder::operator=(SandboxBuilder&&) noexcept = default;
SandboxBuilder::~SandboxBuilder() = default;

SandboxBuilder& SandboxBuilder::image(std::string reference) {
  impl_->config.image = std::move(reference);
  return *this;
}
SandboxBuilder& SandboxBuilder::cpus(uint32_t count) {
  impl_->config.cpus = count;
  return *this;
}
SandboxBuilder& SandboxBuilder::memory_mib(uint32_t mib) {
  impl_->config.memory_mib = mib;
  return *this;
}
SandboxBuilder& SandboxBuilder::env(std::string key, std::string value) {
  impl_->config.env.emplace_back(std::move(key), std::move(value));
  return *this;
}
SandboxBuilder& SandboxBuilder::workdir(std::string guest_path) {
  impl_->config.workdir = std::move(guest_path);
  return *this;
}
SandboxBuilder& SandboxBuilder::user(std::string user) {
  impl_->config.user = std::move(user);
  return *this;
}
SandboxBuilder& SandboxBuilder::hostname(std::string hostname) {
  impl_->config.hostname = std::move(hostname);
  return *this;
}
SandboxBuilder& SandboxBuilder::shell(std::string guest_path) {
  impl_->config.shell = std::move(guest_path);
  return *this;
}
SandboxBuilder& SandboxBuilder::label(std::string key, std::string value) {
  impl_->config.labels[std::move(key)] = std::move(value);
  return *this;
}
SandboxBuilder& SandboxBuilder::entrypoint(std::vector<std::string> entrypoint) {
  impl_->config.entrypoint = std::move(entrypoint);
  return *this;
}
SandboxBuilder& SandboxBuilder::cmd(std::vector<std::string> cmd) {
  impl_->config.cmd = std::move(cmd);
  return *this;
}
SandboxBuilder& SandboxBuilder::pull_policy(PullPolicy policy) {
  impl_->config.pull_policy = static_cast<msb::config::PullPolicy>(policy);
  return *this;
}
SandboxBuilder& SandboxBuilder::insecure_registry(bool yes) {
  impl_->insecure_registry = yes;
  return *this;
}
SandboxBuilder& SandboxBuilder::on_pull_progress(PullProgressCallback callback) {
  impl_->on_pull_progress = std::move(callback);
  return *this;
}
SandboxBuilder& SandboxBuilder::replace(std::chrono::milliseconds grace) {
  impl_->config.replace = true;
  impl_->config.replace_timeout_ms = static_cast<uint32_t>(grace.count());
  return *this;
}
SandboxBuilder& SandboxBuilder::ephemeral(bool yes) {
  impl_->config.ephemeral = yes;
  return *this;
}
SandboxBuilder& SandboxBuilder::detached(bool yes) {
  impl_->config.detached = yes;
  return *this;
}
SandboxBuilder& SandboxBuilder::isolation(std::string isolation) {
  impl_->config.isolation = std::move(isolation);
  impl_->isolation_set = true;
  return *this;
}

SandboxBuilder& SandboxBuilder::root_disk(uint64_t size_bytes) {
  impl_->config.root_disk = {msb::config::RootDisk::Kind::kDisk, size_bytes};
  return *this;
}

SandboxBuilder& SandboxBuilder::root_disk_tmpfs(uint64_t size_bytes) {
  impl_->config.root_disk = {msb::config::RootDisk::Kind::kTmpfs, size_bytes};
  return *this;
}

SandboxBuilder& SandboxBuilder::accel(std::string accel) {
  impl_->config.accel = std::move(accel);
  return *this;
}

SandboxBuilder& SandboxBuilder::network(const Network& network) {
  impl_->network = network;
  return *this;
}

SandboxBuilder& SandboxBuilder::volume(std::string guest_path, const Mount& mount) {
  msb::config::VolumeMount entry = MountAccess::mount(mount);
  entry.target = std::move(guest_path);
  impl_->config.mounts.push_back(std::move(entry));
  return *this;
}

SandboxBuilder& SandboxBuilder::patch(const Patch& patch) {
  impl_->config.patches.push_back(PatchAccess::patch(patch));
  return *this;
}

SandboxBuilder& SandboxBuilder::rootfs_dir(std::string path) {
  impl_->config.rootfs = {msb::config::RootfsSource::Kind::kBind, path, ""};
  impl_->config.image = std::move(path);
  return *this;
}

SandboxBuilder& SandboxBuilder::rootfs_image(std::string path, std::string fstype) {
  impl_->config.rootfs = {msb::config::RootfsSource::Kind::kDisk, path, std::move(fstype)};
  impl_->config.image = std::move(path);
  return *this;
}

SandboxBuilder& SandboxBuilder::from_snapshot(std::string name) {
  impl_->config.snapshot = std::move(name);
  return *this;
}

SandboxBuilder& SandboxBuilder::disable_network() {
  impl_->network_disabled = true;
  return *this;
}

Sandbox SandboxBuilder::create() {
  msb::config::SandboxConfig config = impl_->config;
  if (impl_->network)
    config.network = msb::sdk::value_or_throw(msb::sdk::network_config(*impl_->network));
  if (impl_->network_disabled) config.network.enabled = false;
  if (!config.snapshot.empty() && !impl_->isolation_set)
    config.isolation = msb::sdk::value_or_throw(msb::sdk::snapshot_engine(config.snapshot));
  msb::runtime::PullOptions pull =
      msb::sdk::runtime_pull_options(impl_->insecure_registry, impl_->on_pull_progress);
  return msb::sdk::make_sandbox(msb::sdk::value_or_throw(msb::sdk::create_sandbox(config, pull)),
                                !config.detached);
}

Sandbox SandboxBuilder::create_detached() {
  impl_->config.detached = true;
  return create();
}

}  // namespace microsandbox
