// Mount syscalls with errors that name the target, and Mount, the RAII owner of a mount
// that must not outlive its user (the agent's own mounts live as long as the guest).
#pragma once

#include <string>
#include <utility>

#include "common/error.h"

namespace msb::os {

Result<void> mount_fs(const std::string& source, const std::string& target, const std::string& type,
                      unsigned long flags, const std::string& data = "");
// mount --move
Result<void> move_mount_to(const std::string& from, const std::string& to);
Result<void> remount(const std::string& target, unsigned long flags);
Result<void> unmount(const std::string& target, int flags = 0);

// Mount: a mount made by mount_fs() and detached (umount2 MNT_DETACH) on destruction unless
// unmounted already. Move-only; not thread-safe.
class Mount {
 public:
  static Result<Mount> create(const std::string& source, const std::string& target,
                              const std::string& type, unsigned long flags,
                              const std::string& data = "");
  Mount(Mount&& other) noexcept : target_(std::exchange(other.target_, std::string())) {}
  Mount& operator=(Mount&& other) noexcept;
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  ~Mount();

  const std::string& target() const { return target_; }
  // Unmounts now (not lazily), reporting failure (EBUSY while something uses it).
  Result<void> unmount();

 private:
  explicit Mount(std::string target) : target_(std::move(target)) {}
  std::string target_;
};

}  // namespace msb::os
