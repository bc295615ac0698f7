// VmEngine::launch: the steps that start a QEMU microvm, in order.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "engine/vm/accel.h"
#include "engine/vm/guest_kit.h"
#include "engine/vm/qemu_cmdline.h"
#include "engine/vm/vm_instance.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::engine::vm {
namespace {

constexpr int kAgentFdInChild = 3;

class VmEngine final : public Engine {
 public:
  Result<std::unique_ptr<Instance>> launch(const LaunchSpec& spec) override;
};

Result<void> check_disk(const DiskSpec& disk) {
  if (!os::is_regular_file(disk.path)) {
    return err(ErrorKind::kNotFound, "disk image missing: {}", disk.path);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Instance>> VmEngine::launch(const LaunchSpec& spec) {
  // Find the kernel, initramfs and QEMU first: a missing piece is the commonest failure.
  GuestKit kit = MSB_TRY(locate_guest_kit());
  Accel accel = MSB_TRY(choose_accel(spec.accel));
  MSB_TRY(check_disk(spec.rootfs));
  if (spec.upper) MSB_TRY(check_disk(*spec.upper));

  QemuConfig config;
  config.qemu = kit.qemu;
  config.kernel = kit.kernel;
  config.initramfs = kit.initramfs;
  config.console_log =
      spec.console_log.empty() ? spec.runtime_dir + "/console.log" : spec.console_log;
  config.accel = accel;
  config.cpus = spec.cpus;
  config.memory_mib = spec.memory_mib;
  config.disks.push_back(spec.rootfs);
  if (spec.upper) config.disks.push_back(*spec.upper);
  config.agent_fd = kAgentFdInChild;
  config.hostname = spec.hostname;
  config.clock_ns = os::realtime_ns();

  // The agent channel is a connected socketpair handed to QEMU: no socket path to race
  // on, and it closes by itself when either side dies.
  os::SocketPair channel = MSB_TRY(os::make_socketpair(SOCK_STREAM));
  std::string qemu_log = spec.runtime_dir + "/qemu.log";
  os::Fd qemu_stderr = MSB_TRY(os::open_file(qemu_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND));
  os::SpawnOptions options;
  options.argv = qemu_command(config);
  options.fds = {{channel.second.get(), kAgentFdInChild}, {qemu_stderr.get(), 2}};
  // QEMU must never outlive the process that owns it.
  options.parent_death_signal = SIGKILL;
  os::ChildProcess qemu =
      MSB_TRY(std::move(os::ChildProcess::spawn(options)).context("start QEMU"));
  return std::unique_ptr<Instance>(new VmInstance(std::move(qemu), std::move(channel.first), accel,
                                                  config.console_log, qemu_log));
}

}  // namespace msb::engine::vm

namespace msb::engine {
std::unique_ptr<Engine> make_vm_engine() { return std::make_unique<vm::VmEngine>(); }
}  // namespace msb::engine
