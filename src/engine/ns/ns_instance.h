// A running namespace sandbox: msb-agentd as PID 1 of its pid namespace, its channel, its
// cgroup and the mount point of its root. Destroying it kills the sandbox.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "engine/engine.h"
#include "engine/ns/cgroup.h"
#include "os/child_process.h"

namespace msb::engine::ns {

class NsInstance final : public Instance {
 public:
  NsInstance(CgroupDir cgroup, os::ChildProcess init, os::Fd agent_channel, std::string console_log,
             std::string root_mount_point)
      : cgroup_(std::move(cgroup)),
        init_(std::move(init)),
        agent_channel_(std::move(agent_channel)),
        console_log_(std::move(console_log)),
        root_mount_point_(std::move(root_mount_point)) {}
  ~NsInstance() override;

  os::Fd take_agent_channel() override { return std::move(agent_channel_); }
  std::optional<NetworkEndpoint> take_network_endpoint() override {
    return std::exchange(network_, std::nullopt);
  }
  // The host end of eth0, handed out by take_network_endpoint().
  void attach_network(NetworkEndpoint endpoint) { network_ = std::move(endpoint); }
  int exit_fd() const override { return init_.pidfd(); }
  int process_id() const override { return init_.pid(); }
  Result<std::optional<os::ExitStatus>> wait_for(std::chrono::milliseconds timeout) override {
    return init_.wait_for(timeout);
  }
  // Killing PID 1 of the pid namespace kills every process in it.
  Result<os::ExitStatus> kill() override { return init_.kill_and_wait(); }
  std::string describe() const override { return "namespace"; }
  std::string failure_report(size_t lines) const override;

 private:
  CgroupDir cgroup_;  // outlives init_: removing it kills anything that escaped PID 1's death
  os::ChildProcess init_;
  os::Fd agent_channel_;
  std::optional<NetworkEndpoint> network_;
  std::string console_log_;
  std::string root_mount_point_;
};

}  // namespace msb::engine::ns
