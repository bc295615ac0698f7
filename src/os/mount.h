// Mount syscalls with errors that name the target. Mount is the RAII form (detaches the
// mount on destruction); the agent uses the plain calls because its mounts live as long
// as the guest.
#pragma once

#include <string>

#include "common/error.h"

namespace msb::os {

Result<void> mount_fs(const std::string& source, const std::string& target, const std::string& type,
                      unsigned long flags, const std::string& data = "");
// mount --move
Result<void> move_mount_to(const std::string& from, const std::string& to);
Result<void> remount(const std::string& target, unsigned long flags);
Result<void> unmount(const std::string& target, int flags = 0);

class Mount {
 public:
  static Result<Mount> create(const std::string& source, const std::string& target,
                              const std::string& type, unsigned long flags,
                              const std::string& data = "");
  Mount(Mount&& other) noexcept : target_(std::move(other.target_)) { other.target_.clear(); }
  Mount& operator=(Mount&&) = delete;
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  ~Mount();

  const std::string& target() const { return target_; }

 private:
  explicit Mount(std::string target) : target_(std::move(target)) {}
  std::string target_;
};

}  // namespace msb::os
