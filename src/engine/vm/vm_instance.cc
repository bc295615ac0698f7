#include "engine/vm/vm_instance.h"

#include "engine/log_tail.h"

namespace msb::engine::vm {

std::string VmInstance::describe() const {
  return std::string("vm (") + std::string(accel_name(accel_)) + ")";
}

std::string VmInstance::failure_report(size_t lines) const {
  std::string report;
  std::string console = last_lines_of_file(console_log_, lines);
  std::string qemu = last_lines_of_file(qemu_log_, lines);
  if (!qemu.empty()) report += "QEMU says:\n" + qemu + "\n";
  if (!console.empty()) report += "guest console (last lines):\n" + console + "\n";
  if (report.empty()) report = "(the console and QEMU logs are empty)\n";
  return report;
}

}  // namespace msb::engine::vm
