#include "cli/sandbox_flags.h"

#include "cli/pull_progress.h"
#include "cli/root_disk_flag.h"
#include "cli/volume_flags.h"
#include "os/file.h"
#include "sdk/snapshots.h"

namespace msb::cli {

Result<std::pair<std::string, std::string>> split_key_value(std::string_view flag,
                                                            const std::string& text) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    return err(ErrorKind::kInvalidArgument, "{} expects KEY=VALUE, got '{}'", flag, text);
  return std::pair(text.substr(0, equals), text.substr(equals + 1));
}

void SandboxFlags::add_to(CLI::App& app) {
  image_option_ = app.add_option(
      "image", image_,
      "Image to boot (default: the built-in 'base' busybox image); a path (starting with / or "
      ".) boots a host directory (namespace engine) or a disk image as the root");
  app.add_option("--rootfs-fstype", rootfs_fstype_,
                 "Filesystem of a disk image root: ext4 (default), erofs; on the namespace "
                 "engine also xfs, btrfs, squashfs");
  app.add_option("--from-snapshot", snapshot_,
                 "Start from a disk snapshot (msb snapshot): its image and a copy of its layer");
  app.add_option("--accel", accel_, "Accelerator: kvm or tcg (default: detect)");
  app.add_option("--isolation", isolation_,
                 "Engine: vm (default, a microVM) or namespace (host kernel, weaker isolation)");
  app.add_option("-c,--cpus", cpus_, "Virtual CPUs");
  app.add_option("-m,--memory", memory_mib_, "Memory in MiB");
  app.add_option("-e,--env", env_, "Environment variable KEY=VALUE (repeatable)");
  app.add_option("-w,--workdir", workdir_, "Working directory of commands in the sandbox");
  app.add_option("-u,--user", user_, "User commands run as: name, uid or uid:gid");
  hostname_option_ = app.add_option("-H,--hostname", hostname_,
                                    "Hostname, 1-64 bytes (default: derived from the name)");
  app.add_option("--shell", shell_, "Shell for `msb shell` and scripts (default /bin/sh)");
  app.add_option("--label", labels_, "Label KEY=VALUE (repeatable)");
  app.add_option("--pull", pull_, "When to pull the image: if-missing (default), always, never");
  app.add_flag("--insecure", insecure_, "Allow plain HTTP to the image's registry");
  app.add_flag("-q,--quiet", quiet_, "No pull progress");
  app.add_flag("--replace", replace_, "Stop and remove a sandbox of the same name first");
  app.add_option("--replace-timeout", replace_timeout_s_,
                 "Seconds the replaced sandbox gets to stop before SIGKILL (default 10)");
  app.add_option("--root-disk", root_disk_,
                 "Writable root layer: SIZE (a disk, vm engine; 512M, 8G; default 4G), tmpfs "
                 "(half the memory, empty at every start) or tmpfs:SIZE");
  network_.add_to(app);
  volumes_.add_to(app);
  patches_.add_to(app);
}

// A path as the image (it starts with '/' or '.'): a host directory or disk image root. The
// path stays in `image` too, which is what lists show.
Result<void> SandboxFlags::apply_root_path(config::SandboxConfig& config) const {
  bool path = image_.starts_with('/') || image_.starts_with('.');
  std::string absolute = path ? MSB_TRY(absolute_host_path("image", image_, image_)) : "";
  bool directory = path && os::is_directory(absolute);
  if (!rootfs_fstype_.empty() && (!path || directory))
    return err(ErrorKind::kInvalidArgument, "--rootfs-fstype applies to a disk image root only");
  if (!path) return {};
  config.rootfs.kind =
      directory ? config::RootfsSource::Kind::kBind : config::RootfsSource::Kind::kDisk;
  config.rootfs.path = absolute;
  config.rootfs.fstype = rootfs_fstype_;
  config.image = absolute;
  return {};
}

Result<config::SandboxConfig> SandboxFlags::to_config(const std::string& name) const {
  config::SandboxConfig config;
  config.name = name;
  config.image = image_;
  MSB_TRY(apply_root_path(config));
  config.accel = accel_;
  if (!isolation_.empty()) config.isolation = isolation_;
  if (!snapshot_.empty()) {
    if (image_option_ && image_option_->count() > 0)
      return err(ErrorKind::kInvalidArgument,
                 "--from-snapshot brings its own image: give an image or a snapshot, not both");
    config.snapshot = snapshot_;
    // The snapshot's engine unless --isolation says otherwise (create then says why not).
    if (isolation_.empty()) config.isolation = MSB_TRY(sdk::snapshot_engine(snapshot_));
  }
  config.cpus = cpus_;
  config.memory_mib = memory_mib_;
  for (const std::string& entry : env_)
    config.env.push_back(MSB_TRY(split_key_value("--env", entry)));
  config.workdir = workdir_;
  config.user = user_;
  // Only an absent -H means "derive it"; -H '' is an empty hostname, which validate refuses.
  if (hostname_option_ && hostname_option_->count() > 0) config.hostname = hostname_;
  config.shell = shell_;
  for (const std::string& entry : labels_) {
    auto [key, value] = MSB_TRY(split_key_value("--label", entry));
    config.labels[key] = value;
  }
  config.pull_policy = MSB_TRY(config::parse_pull_policy(pull_).context("--pull"));
  config.replace = replace_;
  if (replace_timeout_s_ < 0 || replace_timeout_s_ > 3600)
    return err(ErrorKind::kInvalidArgument, "--replace-timeout must be 0 to 3600 seconds");
  config.replace_timeout_ms = static_cast<uint32_t>(replace_timeout_s_ * 1000);
  if (!root_disk_.empty()) config.root_disk = MSB_TRY(parse_root_disk_flag(root_disk_));
  config.network = MSB_TRY(network_.to_config());
  config.mounts = MSB_TRY(volumes_.to_mounts());
  config.patches = MSB_TRY(patches_.to_patches());
  return config;
}

runtime::PullOptions SandboxFlags::pull_options() const {
  return printed_pull_options(progress_style(quiet_), insecure_);
}

}  // namespace msb::cli
