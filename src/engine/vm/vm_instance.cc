#include "engine/vm/vm_instance.h"

#include "engine/log_tail.h"

namespace msb::engine::vm {

std::string VmInstance::describe() const {
  return std::string("vm (") + std::string(accel_name(accel_)) + ")";
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
  for (const VolumeServer& server : volume_servers_) {
    std::string log = last_lines_of_file(server.log_path, lines);
    if (!log.empty()) report += "virtiofsd (" + server.log_path + ") says:\n" + log + "\n";
  }
  if (!console.empty()) report += "guest console (last lines):\n" + console + "\n";
  if (report.empty()) report = "(the console and QEMU logs are empty)\n";
  return report;
}

}  // namespace msb::engine::vm
