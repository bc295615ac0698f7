// Named volumes in the local store ($MSB_HOME), shared with `msb volume ...`: directories
// that outlive sandboxes, e.g. for caches. A volume of kind dir is the host directory
// $MSB_HOME/volumes/<name>/; a sandbox mounts it with `--mount-named NAME:DST` (or
// `-v NAME:DST`), which also creates it on first use.
//
//   microsandbox::VolumeOptions options;
//   options.labels["team"] = "ml";
//   microsandbox::Volume cache = microsandbox::Volume::create("pip-cache", options);
//   std::string host_dir = cache.path();
//   microsandbox::Volume::remove("pip-cache");
//
// Every call throws microsandbox::Error on failure (error.h) and may be used from any
// thread; each opens the store, works, and closes it. Besides the kinds named per call,
// each may throw kIo (store or file system), kTimeout (the store stayed locked) and
// kPermissionDenied.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/export.h"

namespace microsandbox {

// What backs a volume: a host directory, or a fixed-size disk image (raw, ext4) that
// sandboxes mount as a disk (Mount::disk's rules: one running writer at a time).
enum class VolumeKind { kDir, kDisk };
// "dir", "disk". Thread-safe.
MSB_EXPORT const char* volume_kind_name(VolumeKind kind);

struct VolumeOptions {
  VolumeKind kind = VolumeKind::kDir;
  uint64_t size_bytes = 0;  // a disk volume's size (16 MiB to 16 TiB); kInvalidConfig on a dir
  uint64_t quota_mib = 0;   // 0: none; any other value: kUnsupported for now
  std::map<std::string, std::string> labels;
};

// A volume, at the time it was read.
struct VolumeInfo {
  std::string name;
  VolumeKind kind = VolumeKind::kDir;
  std::string path;  // the host directory (kDir)
  uint64_t quota_mib = 0;
  uint64_t size_bytes = 0;
  std::chrono::system_clock::time_point created_at;
  std::map<std::string, std::string> labels;
  std::vector<std::string> used_by;  // names of the sandboxes whose config mounts it, sorted
};

// One volume, as read when it was created or got: a snapshot, not a live view (used_by does
// not follow later changes). Copyable; a const Volume may be read from several threads.
class MSB_EXPORT Volume {
 public:
  // Creates volume `name` and its directory (mode 0755, owned by the calling user).
  // Errors: kInvalidConfig (a name that is not 1-128 characters of letters, digits, '.',
  // '_' and '-' starting with a letter or digit; a reserved or malformed label; a size on a
  // dir volume; a disk volume without a size in range), kUnsupported (a quota), kAlreadyExists (the
  // name is taken, or its directory exists without a record and is not empty: move it away first).
  static Volume create(std::string name, const VolumeOptions& options = {});
  // The volume named `name`. Errors: kInvalidConfig (the name), kNotFound.
  static Volume get(const std::string& name);
  // Every volume, by name.
  static std::vector<VolumeInfo> list();
  // Removes the volume and everything in its directory (symlinks in it are removed, never
  // followed). Errors: kInvalidConfig (the name), kNotFound, kStillRunning while a sandbox
  // mounts it (remove the sandbox first, or pass `force`) and, even with `force`, while such
  // a sandbox runs. A forced removal leaves the sandboxes' configs: their next start
  // creates the volume again, empty.
  static void remove(const std::string& name, bool force = false);

  Volume(const Volume& other);
  Volume& operator=(const Volume& other);
  Volume(Volume&&) noexcept;
  Volume& operator=(Volume&&) noexcept;
  ~Volume();

  const std::string& name() const;
  VolumeKind kind() const;
  // The host directory that holds the volume's files.
  const std::string& path() const;
  std::chrono::system_clock::time_point created_at() const;
  const std::map<std::string, std::string>& labels() const;
  // The sandboxes whose config mounts the volume, sorted.
  const std::vector<std::string>& used_by() const;
  // All of the above in one struct.
  const VolumeInfo& info() const;

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  explicit Volume(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace microsandbox
