#include "runtime/sandbox_launch.h"

#include <signal.h>

#include <cerrno>

#include "config/hostname.h"
#include "os/io.h"
#include "runtime/sandbox_network.h"

namespace msb::runtime {
namespace {

constexpr size_t kReportLines = 25;

}  // namespace

Result<engine::LaunchSpec> launch_spec_for(const config::SandboxConfig& config,
                                           std::vector<std::string> rootfs_layers,
                                           LaunchPlace place, bool ephemeral) {
  engine::LaunchSpec spec;
  spec.runtime_dir = std::move(place.runtime_dir);
  spec.console_log = std::move(place.console_log);
  spec.run_dir = std::move(place.run_dir);
  // A tmpfs root layer is made by the engine at launch; there is no layer on the host.
  if (config.root_disk.kind == config::RootDisk::Kind::kTmpfs) {
    spec.root_tmpfs_bytes =
        config::effective_root_disk_bytes(config.root_disk, config.memory_mib, config.isolation);
  } else {
    spec.writable_layer = std::move(place.writable_layer);
  }
  spec.instance_name = std::move(place.instance_name);
  spec.rootfs_layers = std::move(rootfs_layers);
  if (config.rootfs.kind == config::RootfsSource::Kind::kDisk)
    spec.rootfs_fstype = config.rootfs.fstype.empty() ? "ext4" : config.rootfs.fstype;
  spec.cpus = config.cpus;
  spec.memory_mib = config.memory_mib;
  // Stored configs are normalized (hostname set); derive it anyway for one that is not.
  spec.hostname = config.hostname.value_or(config::derive_hostname(config.name));
  spec.ephemeral = ephemeral;
  spec.network = guest_network_for(config);
  if (!config.accel.empty()) {
    engine::Accel accel = MSB_TRY(engine::parse_accel(config.accel));
    spec.accel = accel;
  }
  return spec;
}

Result<protocol::CoreReady> await_ready(AgentSession& session, const engine::Instance& instance,
                                        std::chrono::milliseconds timeout) {
  for (;;) {
    Result<protocol::Envelope> envelope = session.next(timeout);
    if (!envelope) {
      Error error = envelope.error();
      if (error.kind == ErrorKind::kTimeout)
        error.message =
            fmt::format("the agent did not report ready within {} s", timeout.count() / 1000);
      if (error.kind == ErrorKind::kCancelled) return tl::unexpected(error);
      error.kind = ErrorKind::kBootFailed;
      // The guest's side of the story: the tail of its console and engine logs.
      error.message =
          "boot failed: " + error.message + "\n" + instance.failure_report(kReportLines);
      return tl::unexpected(error);
    }
    if (auto* ready = std::get_if<protocol::CoreReady>(&envelope->message)) return *ready;
  }
}

Result<void> forward_output(int fd, std::string_view data, std::string_view stream) {
  Result<void> written = os::write_all(fd, data);
  if (written || written.error().sys_errno != EPIPE)
    return std::move(written).context("{}", stream);
  return make_error(ErrorKind::kCancelled, std::string(stream) + " closed", SIGPIPE);
}

}  // namespace msb::runtime
