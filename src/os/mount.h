// Mount syscalls with errors that name the target. (The agent's mounts live as long as
// the guest; an RAII Mount type comes with the first user whose mounts do not.)
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

}  // namespace msb::os
