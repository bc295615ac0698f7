// Files inside a sandbox, by guest path. Every call throws microsandbox::Error naming the
// guest path and the reason (kNotFound, kPermissionDenied, kAlreadyExists,
// kInvalidArgument for a bad path, kIo otherwise). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/export.h"

namespace microsandbox {

enum class FileType { kMissing, kFile, kDir, kSymlink, kOther };
// "missing", "file", "directory", "symlink", "other". Thread-safe.
MSB_EXPORT const char* file_type_name(FileType type);

struct FileStat {
  bool exists = false;
  FileType type = FileType::kMissing;
  uint32_t mode = 0;  // permission bits with setuid, setgid, sticky
  uint64_t size = 0;
  std::chrono::system_clock::time_point mtime;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;
  uint32_t mode = 0;
  uint64_t size = 0;
  std::chrono::system_clock::time_point mtime;
  std::string link_target;  // symlinks
};

struct WriteOptions {
  uint32_t mode = 0644;  // for a file that is created
  bool append = false;
  bool exclusive = false;  // fail with kAlreadyExists when the file exists
};

// A file being written in chunks; close() makes it durable (fsync) and reports errors.
// Destroying a writer without close() cancels the write: the sandbox closes the file,
// which keeps the bytes that reached it so far (not fsynced, not removed), and no error
// is reported.
class MSB_EXPORT FileWriter {
 public:
  FileWriter(FileWriter&&) noexcept;
  FileWriter& operator=(FileWriter&&) noexcept;
  ~FileWriter();
  void write(std::string_view data);
  // Returns the bytes written.
  uint64_t close();

  struct Impl;  // opaque

 private:
  explicit FileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct FsAccess;
};

class MSB_EXPORT SandboxFs {
 public:
  SandboxFs(SandboxFs&&) noexcept;
  SandboxFs& operator=(SandboxFs&&) noexcept;
  ~SandboxFs();

  FileStat stat(const std::string& path, bool follow = true);
  bool exists(const std::string& path);
  std::vector<DirEntry> list(const std::string& path);  // sorted by name
  // The whole file, or `length` bytes from `offset` (0 = to the end).
  std::string read(const std::string& path, uint64_t offset = 0, uint64_t length = 0);
  // Streams the file to `sink` in chunks; returns the bytes read. The sandbox reads ahead
  // at most about 1 MiB of what the sink has taken; a sink that throws cancels the read.
  uint64_t read_stream(const std::string& path,
                       const std::function<void(std::string_view chunk)>& sink);
  void write(const std::string& path, std::string_view data, const WriteOptions& options = {});
  FileWriter open_write(const std::string& path, const WriteOptions& options = {});
  void mkdir(const std::string& path, bool parents = false, uint32_t mode = 0755);
  void remove(const std::string& path);  // a file, symlink or empty directory
  void remove_dir(const std::string& path, bool recursive);
  void rename(const std::string& from, const std::string& to);
  void copy(const std::string& from, const std::string& to, bool recursive = false);
  void symlink(const std::string& target, const std::string& link);
  std::string read_link(const std::string& path);
  std::string real_path(const std::string& path);
  void chmod(const std::string& path, uint32_t mode);
  // -1 leaves an id unchanged.
  void chown(const std::string& path, int64_t uid, int64_t gid, bool follow = true);
  void set_times(const std::string& path, std::chrono::system_clock::time_point atime,
                 std::chrono::system_clock::time_point mtime, bool follow = true);
  // Host file or directory tree -> guest path (modes and symlinks kept).
  void copy_from_host(const std::string& host_path, const std::string& guest_path);
  // Guest file or directory tree -> host path (modes and symlinks kept).
  void copy_to_host(const std::string& guest_path, const std::string& host_path);
  // Guest file or directory tree -> `destination_path` in the sandbox of `destination`
  // (modes and symlinks kept; the same sandbox works too). Data streams between the two
  // in chunks, never whole files in memory. An existing destination directory receives
  // the source under its own name. Errors as above, saying which side is at fault.
  void copy_to_sandbox(const std::string& guest_path, SandboxFs& destination,
                       const std::string& destination_path);

  struct Impl;  // opaque

 private:
  explicit SandboxFs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct FsAccess;
};

}  // namespace microsandbox
