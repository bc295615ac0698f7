// Whole-file helpers and directories, errors with the path in the message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

// open(2) with O_CLOEXEC always added.
Result<Fd> open_file(const std::string& path, int flags, int mode = 0644);
Result<std::string> read_file(const std::string& path);
// Writes `data` to `path` (created or truncated) with mode `mode`.
Result<void> write_file(const std::string& path, std::string_view data, int mode = 0644);
// What a write_file_atomic survives. A power loss needs fsyncs of the file and of its
// directory (~1.5 ms here); records of live processes mean nothing after a reboot and skip
// them.
enum class Durability { kPowerLoss, kProcessCrash };
// Writes via a temporary sibling and rename(2): readers see the old or the new file only.
Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode = 0644,
                               Durability durability = Durability::kPowerLoss);
// A name next to `path` ("<path>.tmp.<pid>.<n>") that no other process uses at the same
// time: write there, then rename over `path`.
std::string temp_sibling_name(const std::string& path);
// mkdir -p (new directories get 0777 & ~umask); succeeds when the directory exists.
Result<void> make_dirs(const std::string& path);
// unlink(2); succeeds when the path is already absent.
Result<void> remove_file(const std::string& path);
// rm -rf; succeeds when the path is already absent.
Result<void> remove_tree(const std::string& path);
// Names in a directory, without "." and ".." (and without other dot files); empty when
// the directory cannot be read.
std::vector<std::string> list_dir(const std::string& path);
bool path_exists(const std::string& path);
// Seconds since `path` was last modified; nullopt if it cannot be stat'ed.
std::optional<int64_t> seconds_since_modified(const std::string& path);
bool is_regular_file(const std::string& path);
bool is_directory(const std::string& path);
// Creates (or truncates) a sparse file of `size` bytes.
Result<void> create_sparse_file(const std::string& path, uint64_t size);
// Sets the size of the existing file `path` to `size` bytes, keeping its contents: a larger
// size adds a hole at the end, a smaller one cuts the end off.
Result<void> set_file_size(const std::string& path, uint64_t size);

// TempDir: a fresh directory under `parent` ($TMPDIR or /tmp when empty), removed with
// its contents on destruction. Move-only.
class TempDir {
 public:
  static Result<TempDir> create(const std::string& prefix, const std::string& parent = "");
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // Keeps the directory on disk; the caller owns it from now on.
  std::string release() { return std::exchange(path_, std::string()); }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace msb::os
