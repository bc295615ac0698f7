#include "engine/vm/vm_instance.h"

#include "os/file.h"

namespace msb::engine::vm {
namespace {

std::string last_lines(const std::string& path, size_t count) {
  Result<std::string> text = os::read_file(path);
  if (!text || text->empty()) return "";
  size_t end = text->size();
  while (end > 0 && ((*text)[end - 1] == '\n' || (*text)[end - 1] == '\r')) --end;
  size_t start = end;
  for (size_t found = 0; start > 0; --start) {
    if ((*text)[start - 1] == '\n' && ++found == count) break;
  }
  return text->substr(start, end - start);
}

}  // namespace

std::string VmInstance::describe() const {
  return std::string("vm (") + std::string(accel_name(accel_)) + ")";
}

std::string VmInstance::failure_report(size_t lines) const {
  std::string report;
  std::string console = last_lines(console_log_, lines);
  std::string qemu = last_lines(qemu_log_, lines);
  if (!qemu.empty()) report += "QEMU says:\n" + qemu + "\n";
  if (!console.empty()) report += "guest console (last lines):\n" + console + "\n";
  if (report.empty()) report = "(the console and QEMU logs are empty)\n";
  return report;
}

}  // namespace msb::engine::vm
