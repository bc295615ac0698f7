// A running QEMU microvm: the process, its agent channel and its logs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/vm/volume_server.h"
#include "os/child_process.h"

namespace msb::engine::vm {

class VmInstance final : public Instance {
 public:
  VmInstance(os::ChildProcess qemu, os::Fd agent_channel, Accel accel, std::string console_log,
             std::string qemu_log)
      : qemu_(std::move(qemu)),
        agent_channel_(std::move(agent_channel)),
        accel_(accel),
        console_log_(std::move(console_log)),
        qemu_log_(std::move(qemu_log)) {}

  os::Fd take_agent_channel() override { return std::move(agent_channel_); }
  std::optional<NetworkEndpoint> take_network_endpoint() override {
    return std::exchange(network_, std::nullopt);
  }
  // The host end of eth0, handed out by take_network_endpoint().
  void attach_network(NetworkEndpoint endpoint) { network_ = std::move(endpoint); }
  // The volumes' virtiofsd processes: they live as long as this instance (QEMU goes first).
  // From then on exit_fd() is also readable when one of them has ended: the guest's
  // accesses to that volume would hang for good, so wait_for() then ends the VM.
  Result<void> attach_volume_servers(std::vector<VolumeServer> servers);
  int exit_fd() const override { return exit_set_ ? exit_set_.get() : qemu_.pidfd(); }
  int process_id() const override { return qemu_.pid(); }
  Result<std::optional<os::ExitStatus>> wait_for(std::chrono::milliseconds timeout) override;
  Result<os::ExitStatus> kill() override;
  std::string describe() const override;
  std::string failure_report(size_t lines) const override;

 private:
  // The index of a volume server that has ended (reaping it), if any.
  std::optional<size_t> ended_volume_server();

  // Declared before qemu_, so destroyed after it: QEMU never sees its devices' servers go.
  std::vector<VolumeServer> volume_servers_;
  os::ChildProcess qemu_;
  os::Fd agent_channel_;
  std::optional<NetworkEndpoint> network_;
  Accel accel_;
  std::string console_log_;
  std::string qemu_log_;
  os::Fd exit_set_;  // with volume servers: QEMU's and their pidfds (os/any_readable.h)
  std::optional<size_t> ended_server_;  // a volume server that ended while QEMU ran
};

}  // namespace msb::engine::vm
