#include "agent/guest_disks.h"

#include "os/file.h"

namespace msb::agent {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::map<std::string, std::string> disks_by_serial() {
  std::map<std::string, std::string> disks;
  for (const std::string& name : os::list_dir("/sys/block")) {
    Result<std::string> value = os::read_file("/sys/block/" + name + "/serial");
    if (value) disks.emplace(trim(*value), "/dev/" + name);
  }
  return disks;
}

Result<std::string> find_disk(const std::map<std::string, std::string>& disks,
                              const std::string& serial) {
  auto found = disks.find(serial);
  if (found == disks.end()) return err(ErrorKind::kNotFound, "no disk with serial '{}'", serial);
  return found->second;
}

}  // namespace msb::agent
