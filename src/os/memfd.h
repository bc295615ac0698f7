// Anonymous in-memory files (memfd_create(2)): somewhere for a library that only writes
// to an fd (libseccomp's BPF exporter) to put bytes that we then read back.
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// memfd_create(2) with MFD_CLOEXEC; `name` only shows in /proc/<pid>/fd. Errors: kIo
// (e.g. EMFILE), kUnsupported (ENOSYS). Thread-safe.
Result<Fd> create_memfd(const std::string& name);
// The whole content of the file open at `fd`, read from offset 0 with pread(2) (the file
// offset is left alone). Errors: kIo. Thread-safe.
Result<std::string> read_whole_file(int fd);

}  // namespace msb::os
