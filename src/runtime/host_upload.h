// Host files and trees written into a sandbox through its agent (GuestFsChannel): what
// `msb cp` into a sandbox and the copy_file/copy_dir rootfs patches both do. Regular
// files, directories and symlinks are copied with their permission bits; devices, fifos and
// sockets are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"
#include "runtime/guest_fs_channel.h"

namespace msb::runtime {

struct HostUpload {
  size_t chunk_bytes = 256 * 1024;    // per fs.data frame
  std::optional<uint32_t> root_mode;  // the top directory's mode instead of the host's
  // Called after each entry that was made in the guest (e.g. to set its owner); optional.
  std::function<Result<void>(const std::string& guest_path)> after_entry;
};

// The host file `host` written to `guest` (created or truncated), then given `mode` (the
// guest's umask may have narrowed it at creation). Errors: the host file's, the agent's.
Result<void> upload_host_file(GuestFsChannel& channel, const std::string& host,
                              const std::string& guest, uint32_t mode, size_t chunk_bytes);

// The host tree at `host` made at `guest` (a directory is created with its parents; what is
// already there is written over), entry by entry without recursion. Errors: kIo and errno
// kinds naming the host path, the agent's errors.
Result<void> upload_host_tree(GuestFsChannel& channel, const std::string& host,
                              const std::string& guest, const HostUpload& options);

}  // namespace msb::runtime
