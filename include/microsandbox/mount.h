// A mount for SandboxBuilder::volume(): a host directory or file, a named volume (see
// volume.h; created on first use) or a fresh tmpfs.
//
//   auto sandbox = microsandbox::Sandbox::builder("job")
//                      .volume("/app", microsandbox::Mount::bind("/home/me/project").readonly())
//                      .volume("/root/.cache", microsandbox::Mount::named("pip-cache"))
//                      .volume("/scratch", microsandbox::Mount::tmpfs(256))
//                      .create();
//
// Every mount is nosuid and nodev. In the guest, root reads and writes a bind or named
// volume as the host owner of its directory (or file); guest user n as host id
// <sandbox id base> + n (docs/design/volumes.md). Nothing here checks: create() validates
// all mounts (absolute normalized guest paths, not /, /proc, /sys or /dev, each once;
// existing host paths) and throws Error kInvalidConfig before anything is created. A
// Mount is a plain value: copy it freely; not thread-safe to modify from two threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "microsandbox/export.h"

namespace microsandbox {

class MSB_EXPORT Mount {
 public:
  // A host directory or regular file at an absolute path.
  static Mount bind(std::string host_path);
  // The named volume `name`, created (empty) when a sandbox first mounts it.
  static Mount named(std::string name);
  // A tmpfs of at most `size_mib` MiB; 0: the kernel's default (half the guest's memory).
  static Mount tmpfs(uint64_t size_mib = 0);
  // The filesystem in the disk image at absolute path `image_path` (default: a raw image
  // holding ext4). The vm engine attaches it as a virtio-blk disk; the namespace engine as a
  // loop device (raw images only). One running sandbox at a time may mount an image
  // read-write (readonly() ones share it); create() of a second fails with kStillRunning.
  static Mount disk(std::string image_path);

  Mount(const Mount& other);
  Mount& operator=(const Mount& other);
  Mount(Mount&&) noexcept;
  Mount& operator=(Mount&&) noexcept;
  ~Mount();

  // Writes fail with EROFS in the guest.
  Mount& readonly(bool yes = true);
  // Programs on it cannot be executed in the guest.
  Mount& noexec(bool yes = true);
  // disk() only: "raw" (default) or "qcow2" (vm engine only).
  Mount& format(std::string format);
  // disk() only: "ext4" (default), "ext3" or "ext2".
  Mount& fstype(std::string fstype);

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  Mount();
  std::unique_ptr<Impl> impl_;
  friend struct MountAccess;  // the SDK's implementation, which reads the settings
};

}  // namespace microsandbox
