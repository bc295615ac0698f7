#include "image/cache_files.h"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>

#include "image/digest.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::image {

Result<void> check_fault(const FaultPoint& fault, std::string_view step) {
  if (!fault) return {};
  return fault(step);
}

Result<os::FileLock> lock_entry(const std::string& cache_dir, std::string_view kind,
                                const std::string& hex) {
  std::string dir = cache_dir + "/locks";
  MSB_TRY(os::make_dirs(dir));
  return os::FileLock::acquire(dir + "/" + std::string(kind) + "-" + hex + ".lock");
}

Result<void> sync_dir(const std::string& dir) {
  os::Fd fd = MSB_TRY(os::open_file(dir, O_RDONLY | O_DIRECTORY));
  return std::move(os::sync_fd(fd.get())).context("sync directory {}", dir);
}

Result<void> publish(const std::string& temp, const std::string& final, const FaultPoint& fault) {
  MSB_TRY(check_fault(fault, "rename"));
  MSB_TRY(os::rename_at(AT_FDCWD, temp, AT_FDCWD, final));
  MSB_TRY(check_fault(fault, "sync-dir"));
  return sync_dir(std::filesystem::path(final).parent_path().string());
}

std::vector<std::string> list_digests(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> digests;
  for (const std::string& name : os::list_dir(dir)) {
    if (!name.ends_with(suffix)) continue;
    std::string digest = "sha256:" + name.substr(0, name.size() - suffix.size());
    if (is_valid_digest(digest)) digests.push_back(std::move(digest));
  }
  std::sort(digests.begin(), digests.end());
  return digests;
}

}  // namespace msb::image
