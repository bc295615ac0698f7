// VmEngine::launch: the steps that start a QEMU microvm, in order.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "common/paths.h"
#include "engine/guest_kit.h"
#include "engine/vm/accel.h"
#include "engine/vm/qemu_cmdline.h"
#include "engine/vm/tsc_frequency.h"
#include "engine/vm/upper_disk.h"
#include "engine/vm/vm_instance.h"
#include "engine/vm/volume_plan.h"
#include "engine/vm/volume_server.h"
#include "image/rootfs_disk.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"
#include "os/sparse_copy.h"

namespace msb::engine::vm {
namespace {

constexpr int kAgentFdInChild = 3;
constexpr int kNetworkFdInChild = 4;
// QEMU's ends of the volumes' vhost-user sockets: 5, 6, ...
constexpr int kFirstShareFdInChild = 5;

class VmEngine final : public Engine {
 public:
  Isolation isolation() const override { return Isolation::kVm; }
  Result<std::string> base_image_root() const override {
    GuestKit kit = MSB_TRY(locate_guest_kit());
    return kit.base_image;
  }
  std::string writable_layer_path(const std::string& sandbox_dir) const override {
    return sandbox_dir + "/upper.ext4";
  }
  Result<void> create_writable_layer(const std::string& path, bool ephemeral,
                                     uint64_t size_bytes) const override {
    return create_upper_disk(path, size_bytes ? size_bytes : kDefaultUpperDiskBytes,
                             ephemeral ? UpperDiskJournal::kNone : UpperDiskJournal::kJournaled,
                             default_upper_disk_template_dir());
  }
  Result<void> grow_writable_layer(const std::string& path, uint64_t new_bytes) const override {
    return grow_upper_disk(path, new_bytes);
  }
  bool has_writable_layer(const std::string& path) const override {
    return os::is_regular_file(path);
  }
  std::string layer_artifact_name() const override { return "upper.ext4"; }
  // The disk is copied as it is: the guest's ids are inside it, and a hostile disk harms
  // only the guest kernel that mounts it.
  Result<void> export_writable_layer(const std::string& path,
                                     const std::string& out) const override {
    (void)MSB_TRY(os::clone_or_copy_file(path, out, 0600));
    return {};
  }
  Result<void> import_writable_layer(const std::string& artifact,
                                     const std::string& path) const override {
    (void)MSB_TRY(os::clone_or_copy_file(artifact, path, 0600));
    return {};
  }
  Result<std::unique_ptr<Instance>> launch(const LaunchSpec& spec) override;
};

Result<void> check_disk(const std::string& path) {
  if (!os::is_regular_file(path)) return err(ErrorKind::kNotFound, "disk image missing: {}", path);
  return {};
}

// The machine QEMU is asked for: the kit's kernel and initramfs, the image disk read-only,
// the sandbox's upper disk, and what the agent reads from the kernel command line.
Result<QemuConfig> plan_machine(const LaunchSpec& spec, const GuestKit& kit, Accel accel,
                                const VolumePlan& volumes) {
  if (spec.rootfs_layers.size() != 1)
    return err(ErrorKind::kInvalidArgument, "the vm engine boots one root disk, got {}",
               spec.rootfs_layers.size());
  const std::string& rootfs = spec.rootfs_layers.front();
  MSB_TRY(check_disk(rootfs));
  if (!spec.writable_layer.empty()) MSB_TRY(check_disk(spec.writable_layer));

  QemuConfig config;
  config.qemu = kit.qemu;
  config.kernel = kit.kernel;
  config.initramfs = kit.initramfs;
  config.console_log =
      spec.console_log.empty() ? spec.runtime_dir + "/console.log" : spec.console_log;
  config.accel = accel;
  config.cpus = spec.cpus;
  config.memory_mib = spec.memory_mib;
  // The image's erofs disk, or a user's root image (--rootfs) of its own filesystem.
  std::string fstype = spec.rootfs_fstype.empty() ? "erofs" : spec.rootfs_fstype;
  config.disks.push_back(DiskSpec{rootfs, fstype, "rootfs", true});
  if (!spec.writable_layer.empty())
    config.disks.push_back(DiskSpec{spec.writable_layer, "ext4", "upper", false, spec.ephemeral});
  if (spec.root_tmpfs_bytes > 0) config.upper_tmpfs_bytes = spec.root_tmpfs_bytes;
  config.agent_fd = kAgentFdInChild;
  config.hostname = spec.hostname;
  config.clock_ns = os::realtime_ns();
  config.network = spec.network;
  config.network_fd = kNetworkFdInChild;
  config.volumes = volumes.volumes;
  for (const ShareGroup& group : volumes.groups) config.shares.push_back(group.share);
  return config;
}

// A directory root (msb run /path) as the guest can mount it: packed into an erofs disk in
// the run directory at every launch, ids, modes and xattrs kept exactly, so the guest sees
// the directory as it is when the sandbox starts. Other roots pass unchanged.
Result<LaunchSpec> with_directory_root_packed(const LaunchSpec& spec) {
  LaunchSpec packed = spec;
  if (!spec.rootfs_fstype.empty() || spec.rootfs_layers.size() != 1 ||
      !os::is_directory(spec.rootfs_layers.front()))
    return packed;
  std::string image = spec.run_dir + "/root.erofs";
  MSB_TRY(image::pack_directory_disk(spec.rootfs_layers.front(), image));
  packed.rootfs_layers = {image};
  packed.rootfs_fstype = "erofs";
  return packed;
}

// The agent channel is a connected socketpair handed to QEMU: no socket path to race on,
// and it closes by itself when either side dies.
Result<std::unique_ptr<Instance>> spawn_qemu(const QemuConfig& config, const LaunchSpec& spec,
                                             std::vector<VolumeServer> servers) {
  os::SocketPair channel = MSB_TRY(os::make_socketpair(SOCK_STREAM));
  std::string qemu_log = spec.runtime_dir + "/qemu.log";
  os::Fd qemu_stderr = MSB_TRY(os::open_file(qemu_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND));
  os::SpawnOptions options;
  options.argv = qemu_command(config);
  options.fds = {{channel.second.get(), kAgentFdInChild}, {qemu_stderr.get(), 2}};
  // The network card's frames go over a socketpair too: QEMU's end dies with it, so a
  // dead supervisor's network cannot be taken over by anyone.
  std::optional<os::SocketPair> network;
  if (config.network) {
    network = MSB_TRY(os::make_socketpair(SOCK_STREAM));
    options.fds.push_back({network->second.get(), config.network_fd});
  }
  for (size_t i = 0; i < config.shares.size(); ++i)
    options.fds.push_back({servers.at(i).qemu_socket.get(), config.shares[i].socket_fd});
  // QEMU must never outlive the process that owns it.
  options.parent_death_signal = SIGKILL;
  os::ChildProcess qemu =
      MSB_TRY(std::move(os::ChildProcess::spawn(options)).context("start QEMU"));
  auto instance = std::make_unique<VmInstance>(std::move(qemu), std::move(channel.first),
                                               config.accel, config.console_log, qemu_log);
  // QEMU holds its ends now; ours would keep a dead QEMU's devices connected.
  for (VolumeServer& volume_server : servers) volume_server.qemu_socket.reset();
  MSB_TRY(instance->attach_volume_servers(std::move(servers)));
  if (network) {
    MSB_TRY(os::set_nonblocking(network->first.get(), true));
    instance->attach_network(
        NetworkEndpoint{std::move(network->first), FrameFormat::kLengthPrefixed});
  }
  return std::unique_ptr<Instance>(std::move(instance));
}

}  // namespace

Result<std::unique_ptr<Instance>> VmEngine::launch(const LaunchSpec& spec) {
  StepTimings unreported;
  StepTimings& steps = spec.timings ? *spec.timings : unreported;
  // Find the kernel, initramfs and QEMU first: a missing piece is the commonest failure.
  GuestKit kit;
  {
    StepTimer timer(steps, "vm.locate_kit");
    kit = MSB_TRY(locate_guest_kit());
  }
  Accel accel = Accel::kTcg;
  {
    StepTimer timer(steps, "vm.choose_accel");
    accel = MSB_TRY(choose_accel(spec.accel));
  }
  // Benchmarks may ask for QEMU's 9p server instead of virtiofsd (docs/design/vm-volumes.md).
  VolumeTransport transport = MSB_TRY(volume_transport_from_env());
  VolumePlan volumes = plan_volumes(spec.volumes, transport, kFirstShareFdInChild);
  LaunchSpec packed;
  {
    StepTimer timer(steps, "vm.pack_root");
    packed = MSB_TRY(with_directory_root_packed(spec));
  }
  QemuConfig config = MSB_TRY(plan_machine(packed, kit, accel, volumes));
  if (accel == Accel::kTcg) {
    // Measured once per host boot, then cached: the guest never calibrates against the PIT.
    StepTimer timer(steps, "vm.tsc_rate");
    config.tsc_khz = host_tsc_khz(msb_cache_dir());
  }
  // The volumes' targets are what can make the line too long; the kernel would cut it.
  MSB_TRY(check_kernel_cmdline_length(config));
  MSB_TRY(check_device_count(config));
  std::vector<VolumeServer> servers;
  if (!volumes.groups.empty()) {
    StepTimer timer(steps, "vm.virtiofsd");
    servers = MSB_TRY(start_volume_servers(spec, volumes));
  }
  StepTimer timer(steps, "vm.spawn_qemu");
  return spawn_qemu(config, spec, std::move(servers));
}

}  // namespace msb::engine::vm

namespace msb::engine {
std::unique_ptr<Engine> make_vm_engine() { return std::make_unique<vm::VmEngine>(); }
}  // namespace msb::engine
