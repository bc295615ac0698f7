// Copying files and directory trees from one sandbox to another (`msb cp a:/x b:/y`,
// SandboxFs::copy_to_sandbox), with the semantics of the host copies (sdk/host_copy.h):
// a destination that is an existing directory receives the source under its own name;
// regular files, directories and symlinks keep their permission bits; other file types
// are skipped. File data streams from one agent to the other in chunks: at most a chunk
// and the connections' bounded queues are in memory, whatever the size of the tree.
#pragma once

#include <string>

#include "common/error.h"
#include "sdk/fs_client.h"

namespace msb::sdk {

// `from` and `to` are separate connections (to the same sandbox or not): a read streams
// on one while the writes go out on the other. Errors: kNotFound (source missing), the
// fs errors of FsClient, each naming the guest path at fault and which side it is on.
Result<void> copy_between_sandboxes(FsClient& from, const std::string& from_path, FsClient& to,
                                    const std::string& to_path);

}  // namespace msb::sdk
