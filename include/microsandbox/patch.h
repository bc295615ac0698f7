// A rootfs patch for SandboxBuilder::patch(): a file, directory or link written into the
// sandbox's root filesystem when it is created, before create() returns and before any
// command of yours runs.
//
//   auto sandbox = microsandbox::Sandbox::builder("job")
//                      .patch(microsandbox::Patch::text("/etc/app.conf", "debug = true\n"))
//                      .patch(microsandbox::Patch::copy_dir("/home/me/site", "/srv/www")
//                                 .owner(33, 33))
//                      .patch(microsandbox::Patch::remove("/etc/motd"))
//                      .create();
//
// Patches apply once, in order, through the sandbox's agent: paths resolve as the guest
// sees them (its symlinks), missing parent directories are made (0755, root), and the
// result lives in the sandbox's writable layer (later starts do not apply them again).
// Guest paths must be absolute and normalized, and not /, /proc, /sys or /dev; copies need
// an existing host source of the right type; 256 patches at most, and 16 MiB of text, file
// and append content together. create() checks all of it before anything is created and
// throws Error kInvalidConfig. A patch that cannot apply (a guest path that exists when
// replace is off, a parent that is a file, ...) fails create() with kInvalidConfig
// "patch <index> (<kind> <path>): <reason>" and removes the sandbox. A Patch is a plain
// value: copy it freely; not thread-safe to modify from two threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "microsandbox/export.h"

namespace microsandbox {

class MSB_EXPORT Patch {
 public:
  // A file at `guest_path` holding `content` (default mode 0644).
  static Patch text(std::string guest_path, std::string content);
  // The same for any bytes.
  static Patch file(std::string guest_path, std::string bytes);
  // The host file `host_path` at `guest_path`, with the host's permission bits.
  static Patch copy_file(std::string host_path, std::string guest_path);
  // The host directory tree `host_path` at `guest_path` (files, directories and symlinks,
  // with their permission bits; other file types are skipped). With replace (the
  // default), what was at `guest_path` is removed first.
  static Patch copy_dir(std::string host_path, std::string guest_path);
  // A directory and its missing parents (default mode 0755); an existing one is kept.
  static Patch mkdir(std::string guest_path);
  // A symbolic link at `link_path` to `target` (stored as given; may be relative).
  static Patch symlink(std::string target, std::string link_path);
  // `content` added to the end of `guest_path` (created, 0644, if missing).
  static Patch append(std::string guest_path, std::string content);
  // `guest_path` and everything under it; nothing when it does not exist.
  static Patch remove(std::string guest_path);

  Patch(const Patch& other);
  Patch& operator=(const Patch& other);
  Patch(Patch&&) noexcept;
  Patch& operator=(Patch&&) noexcept;
  ~Patch();

  // Permission bits (at most 07777) of what the patch writes; not for symlink or remove.
  Patch& mode(uint32_t mode);
  // The guest owner of what the patch writes (every entry of a copied tree); default root.
  Patch& owner(uint32_t uid, uint32_t gid);
  // false: the patch fails when `guest_path` already exists (append and remove ignore it).
  Patch& replace(bool yes);

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  Patch();
  std::unique_ptr<Impl> impl_;
  friend struct PatchAccess;  // the SDK's implementation, which reads the settings
};

}  // namespace microsandbox
