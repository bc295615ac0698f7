// Copying files and directory trees between the host and a sandbox (`msb cp`,
// SandboxFs::copy_from_host / copy_to_host), docker-cp style: a destination that is an
// existing directory receives the source under its own name. Regular files, directories
// and symlinks are copied with their permission bits; other file types are skipped.
#pragma once

#include <string>

#include "common/error.h"
#include "sdk/fs_client.h"

namespace msb::sdk {

// Errors: kNotFound (source missing), the fs errors of FsClient, kIo for host errors,
// each naming the path at fault.
Result<void> copy_host_to_guest(FsClient& fs, const std::string& host_path,
                                const std::string& guest_path);
Result<void> copy_guest_to_host(FsClient& fs, const std::string& guest_path,
                                const std::string& host_path);

// The last component of `path`, trailing slashes ignored ("/a/b/" -> "b").
std::string path_base_name(const std::string& path);
// `dir` + "/" + `name`, without doubling a trailing slash.
std::string path_join(const std::string& dir, const std::string& name);

}  // namespace msb::sdk
