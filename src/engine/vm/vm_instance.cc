#include "engine/vm/vm_instance.h"

#include <fmt/format.h>

#include "engine/log_tail.h"
#include "os/any_readable.h"

namespace msb::engine::vm {

std::string VmInstance::describe() const {
  return std::string("vm (") + std::string(accel_name(accel_)) + ")";
}

Result<void> VmInstance::attach_volume_servers(std::vector<VolumeServer> servers) {
  volume_servers_ = std::move(servers);
  if (volume_servers_.empty()) return {};
  std::vector<int> pidfds = {qemu_.pidfd()};
  for (const VolumeServer& server : volume_servers_) pidfds.push_back(server.process.pidfd());
  exit_set_ = MSB_TRY(os::any_readable(pidfds));
  return {};
}

std::optional<size_t> VmInstance::ended_volume_server() {
  for (size_t i = 0; i < volume_servers_.size(); ++i) {
    Result<std::optional<os::ExitStatus>> status = volume_servers_[i].process.try_wait();
    if (!status || *status) return i;
  }
  return std::nullopt;
}

Result<std::optional<os::ExitStatus>> VmInstance::wait_for(std::chrono::milliseconds timeout) {
  // QEMU first: when it ends, its servers end too, and that is no failure of theirs.
  std::optional<os::ExitStatus> done = MSB_TRY(qemu_.try_wait());
  if (done) return done;
  // A volume server gone while QEMU runs: that volume is dead in the guest, so is the VM.
  if (!ended_server_) ended_server_ = ended_volume_server();
  if (ended_server_) return std::optional<os::ExitStatus>(MSB_TRY(kill()));
  return qemu_.wait_for(timeout);
}

Result<os::ExitStatus> VmInstance::kill() {
  os::ExitStatus status = MSB_TRY(qemu_.kill_and_wait());
  // Each virtiofsd exits when QEMU's socket closes; this makes sure, and reaps them now.
  for (VolumeServer& server : volume_servers_) (void)server.process.kill_and_wait();
  return status;
}

std::string VmInstance::failure_report(size_t lines) const {
  std::string report;
  std::string console = last_lines_of_file(console_log_, lines);
  std::string qemu = last_lines_of_file(qemu_log_, lines);
  if (!qemu.empty()) report += "QEMU says:\n" + qemu + "\n";
  if (ended_server_)
    report += fmt::format("the server of volume {} ended while the VM ran; the VM was stopped\n",
                          *ended_server_);
  if (!console.empty()) report += "guest console (last lines):\n" + console + "\n";
  // After the console: when the guest fails, the servers only log its disconnect.
  for (const VolumeServer& server : volume_servers_) {
    std::string log = last_lines_of_file(server.log_path, lines);
    if (!log.empty()) report += "virtiofsd (" + server.log_path + ") says:\n" + log + "\n";
  }
  if (report.empty()) report = "(the console and QEMU logs are empty)\n";
  return report;
}

}  // namespace msb::engine::vm
