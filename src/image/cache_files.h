// What the blob, layer and rootfs caches share: lock files, atomic publication of a
// finished entry, and the fault-injection seam that tests use to crash them at each step.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/file_lock.h"

namespace msb::image {

// Called with the name of each durable step ("fsync", "rename", "sync-dir", ...) just
// before it runs; an error aborts the operation there, as a crash would. Tests use it to
// fail or kill the process at every step. Empty in production.
using FaultPoint = std::function<Result<void>(std::string_view step)>;

// Runs `fault` for `step` if set.
Result<void> check_fault(const FaultPoint& fault, std::string_view step);

// Waits for the exclusive lock "<cache_dir>/locks/<kind>-<hex>.lock" (the directory is
// created as needed). Held until the FileLock is destroyed; also excludes other processes.
Result<os::FileLock> lock_entry(const std::string& cache_dir, std::string_view kind,
                                const std::string& hex);

// Makes `temp` visible as `final` in one step: rename(2), then fsync of the directory so
// that the rename survives a power cut. `fault` sees "rename" and "sync-dir". The caller
// has made the contents durable before. REQUIRES: both in the same directory or filesystem.
Result<void> publish(const std::string& temp, const std::string& final, const FaultPoint& fault);

// fsync(2) of the directory `dir`.
Result<void> sync_dir(const std::string& dir);

// Digests ("sha256:<hex>") of the entries of `dir` whose names are 64 lowercase hex digits
// followed by `suffix`, sorted.
std::vector<std::string> list_digests(const std::string& dir, std::string_view suffix = "");

}  // namespace msb::image
