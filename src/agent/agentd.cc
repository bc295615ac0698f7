#include "agent/agentd.h"

#include <signal.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <cstdio>

#include "agent/agent_loop.h"
#include "agent/guest_init.h"
#include "agent/guest_volumes.h"
#include "agent/options.h"
#include "common/step_timer.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/system.h"
#include "protocol/flow_control.h"

namespace msb::agent {
namespace {

void log_line(const std::string& line) { std::fprintf(stderr, "msb-agentd: %s\n", line.c_str()); }

struct Channel {
  os::Fd fd;
  GuestRoot root;
};

// In a VM the agent configures its interfaces itself; the namespace engine's host side has
// done that already. The resolver files are ours in both.
Result<void> bring_up_network(const AgentOptions& options) {
  if (!options.network) return os::set_link_up("lo");
  MSB_TRY(configure_guest_interfaces(*options.network));
  return write_resolver_files(*options.network);
}

// The steps of a VM boot, in order. Each failure is fatal: the host sees no core.ready,
// reports a boot failure and shows the console log, where this explains why.
Result<Channel> init_guest(const AgentOptions& options, StepTimings& timings) {
  Channel channel;
  channel.root =
      MSB_TRY(std::move(GuestRoot::assemble(options, timings)).context("root filesystem"));
  {
    StepTimer timer(timings, "runtime_mounts");
    MSB_TRY(std::move(mount_runtime_filesystems()).context("runtime mounts"));
  }
  if (!options.volumes.empty()) {
    StepTimer timer(timings, "volumes");
    MSB_TRY(mount_volumes(options.volumes));
  }
  if (!options.hostname.empty()) MSB_TRY(os::set_hostname(options.hostname));
  {
    StepTimer timer(timings, "network");
    MSB_TRY(std::move(bring_up_network(options)).context("network"));
  }
  StepTimer timer(timings, "open_port");
  channel.fd = MSB_TRY(std::move(open_agent_port()).context("agent port"));
  return channel;
}

// In a VM we are PID 1 with no arguments of our own; options come from /proc/cmdline.
Result<AgentOptions> load_options(const std::vector<std::string>& args) {
  if (!args.empty() || !os::is_pid1()) return parse_agent_args(args);
  MSB_TRY(std::move(mount_early_filesystems()).context("early mounts"));
  std::string cmdline = MSB_TRY(os::read_file("/proc/cmdline"));
  return parse_kernel_cmdline(cmdline);
}

}  // namespace

Result<int> agentd_main(const std::vector<std::string>& args) {
  // CLOCK_BOOTTIME now is how long the kernel took to reach us.
  uint64_t started_boottime = os::boottime_ns();
  uint64_t started = os::monotonic_ns();
  StepTimings timings;
  Result<AgentOptions> loaded = [&] {
    StepTimer timer(timings, "early_mounts_and_options");
    return load_options(args);
  }();
  // SECURITY: guest init mounts, kills every process and reboots: only ever as PID 1.
  bool is_pid1 = os::is_pid1();
  if (!loaded) {
    log_line("bad options: " + loaded.error().message);
    if (is_pid1) (void)os::reboot_system(RB_AUTOBOOT);
    return tl::unexpected(loaded.error());
  }
  AgentOptions options = std::move(*loaded);
  bool in_vm = options.channel_fd < 0;
  if (in_vm && !is_pid1) {
    return err(ErrorKind::kInvalidArgument,
               "not PID 1 of a VM: pass --channel-fd=N to serve a channel");
  }
  if (in_vm && options.exit_at_init) (void)os::reboot_system(RB_AUTOBOOT);
  if (in_vm && options.clock_ns) os::set_realtime_ns(options.clock_ns + started_boottime);

  // SIGCHLD arrives through the loop; SIGPIPE must not kill PID 1 when the host leaves.
  os::ignore_signal(SIGPIPE);
  os::SignalFd child_signals = MSB_TRY(os::SignalFd::create({SIGCHLD}));
  Channel channel;
  if (in_vm) {
    Result<Channel> ready = init_guest(options, timings);
    if (!ready) {
      log_line("boot failed: " + ready.error().message);
      (void)os::reboot_system(RB_AUTOBOOT);
      return 1;
    }
    channel = std::move(*ready);
  } else {
    channel.fd = os::Fd(options.channel_fd);
    if (options.network)
      MSB_TRY(std::move(write_resolver_files(*options.network)).context("network"));
    // Outside a VM we are not PID 1: adopt orphans so that they are reaped too.
    MSB_TRY(os::become_child_subreaper());
  }

  protocol::FrameConnection connection =
      MSB_TRY(protocol::FrameConnection::create(std::move(channel.fd)));
  // Outside a VM the clock counts since the host booted: there was no kernel boot of ours.
  uint64_t kernel_boot = in_vm ? started_boottime : 0;
  protocol::CoreReady ready{protocol::kProtocolVersion,
                            MSB_VERSION,
                            os::kernel_release(),
                            kernel_boot,
                            os::monotonic_ns() - started,
                            os::boottime_ns(),
                            timings.steps(),
                            protocol::kStdinWindowBytes,
                            protocol::kOutputWindowBytes};
  MSB_TRY(connection.send(0, 0, ready));
  AgentLoop loop(std::move(connection), std::move(child_signals));
  Result<LoopExit> exit = loop.run();
  if (!exit) log_line("event loop failed: " + exit.error().message);
  // Let the host see what is queued (the last exec.exited) before the guest goes away.
  (void)loop.connection().flush_all(1000);
  if (in_vm) power_off(channel.root);
  loop.kill_sessions(SIGKILL);
  return 0;
}

}  // namespace msb::agent
