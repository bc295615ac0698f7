#include "os/mount.h"

#include <sys/mount.h>

#include <cerrno>

namespace msb::os {

Result<void> mount_fs(const std::string& source, const std::string& target, const std::string& type,
                      unsigned long flags, const std::string& data) {
  if (::mount(source.c_str(), target.c_str(), type.empty() ? nullptr : type.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) != 0) {
    return errno_error(errno, "mount " + type + " " + source + " on " + target);
  }
  return {};
}

Result<void> move_mount_to(const std::string& from, const std::string& to) {
  if (::mount(from.c_str(), to.c_str(), nullptr, MS_MOVE, nullptr) != 0) {
    return errno_error(errno, "move mount " + from + " to " + to);
  }
  return {};
}

Result<void> remount(const std::string& target, unsigned long flags) {
  if (::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | flags, nullptr) != 0) {
    return errno_error(errno, "remount " + target);
  }
  return {};
}

Result<void> unmount(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) != 0) return errno_error(errno, "unmount " + target);
  return {};
}

Result<Mount> Mount::create(const std::string& source, const std::string& target,
                            const std::string& type, unsigned long flags, const std::string& data) {
  MSB_TRY(mount_fs(source, target, type, flags, data));
  return Mount(target);
}

Mount& Mount::operator=(Mount&& other) noexcept {
  if (this != &other) {
    if (!target_.empty()) (void)os::unmount(target_, MNT_DETACH);
    target_ = std::exchange(other.target_, std::string());
  }
  return *this;
}

Mount::~Mount() {
  if (!target_.empty()) (void)os::unmount(target_, MNT_DETACH);
}

Result<void> Mount::unmount() {
  if (target_.empty()) return {};
  MSB_TRY(os::unmount(target_));
  target_.clear();
  return {};
}

}  // namespace msb::os
