// Disk snapshots in the local store ($MSB_HOME), shared with `msb snapshot ...`: the
// writable layer of a stopped sandbox, saved so that new sandboxes start from it. Not
// captured: memory, processes, network state; a sandbox from a snapshot boots cold, on the
// image (by digest) the snapshot was taken on, and writes to its own copy of the layer.
//
//   microsandbox::Snapshot::create("prepared", "builder");  // "builder" is stopped
//   auto sandbox = microsandbox::Sandbox::builder("worker-1").from_snapshot("prepared")
//                      .create();
//   microsandbox::Snapshot::get("prepared").save("prepared.tar", /*with_image=*/true);
//   microsandbox::Snapshot::load("prepared.tar");  // on another machine or MSB_HOME
//
// Every call throws microsandbox::Error on failure (error.h) and may be used from any
// thread; each opens the store, works, and closes it. Besides the kinds named per call,
// each may throw kIo, kTimeout (the store stayed locked) and kPermissionDenied.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/export.h"

namespace microsandbox {

// A snapshot, at the time it was read.
struct SnapshotInfo {
  std::string name;
  std::string source_sandbox;   // the sandbox it was taken of (which may be gone since)
  std::string engine;           // "vm" or "namespace": the engine its sandboxes run on
  std::string image;            // the image reference the layer sits on ("base": built-in)
  std::string manifest_digest;  // that image's manifest ("" for the built-in base image)
  std::string digest;           // content digest of the layer ("msb-sparse-sha256-v1:...")
  uint64_t size_bytes = 0;      // apparent size of the stored layer (a disk may be sparse)
  std::string path;             // its directory under $MSB_HOME/snapshots
  std::chrono::system_clock::time_point created_at;
};

// What verify() found.
struct SnapshotVerification {
  std::string expected;  // the digest recorded when the snapshot was taken
  std::string actual;    // the digest of the layer now
  bool ok() const { return expected == actual; }
};

// One snapshot, as read when it was created or got. Copyable; a const Snapshot may be read
// from several threads.
class MSB_EXPORT Snapshot {
 public:
  // Takes snapshot `name` of stopped (or crashed) sandbox `from_sandbox`: on the vm engine
  // a reflink of its upper disk where the file system can, else a sparse copy; on the
  // namespace engine a tar of its upper layer. Errors: kInvalidConfig (either name: 1-128
  // characters of letters, digits, '.', '_' and '-' starting with a letter or digit),
  // kNotFound (the sandbox), kStillRunning (it runs, or was started meanwhile),
  // kAlreadyExists (the name is taken), kUnsupported (a root that is not an image).
  static Snapshot create(const std::string& name, const std::string& from_sandbox);
  // Errors: kInvalidConfig (the name), kNotFound.
  static Snapshot get(const std::string& name);
  // Every snapshot, by name.
  static std::vector<SnapshotInfo> list();
  // Removes the snapshot and its files; sandboxes made from it keep their own layers.
  // Errors: kInvalidConfig, kNotFound.
  static void remove(const std::string& name);
  // Loads an archive written by save(): entries, descriptor and layer digest are checked
  // before anything is recorded; the image is loaded too when the archive holds it.
  // Errors: kInvalidArgument (not a snapshot archive), kIntegrity (a damaged layer),
  // kAlreadyExists (the snapshot's name is taken), kNotFound (no such file).
  static Snapshot load(const std::string& archive);

  Snapshot(const Snapshot& other);
  Snapshot& operator=(const Snapshot& other);
  Snapshot(Snapshot&&) noexcept;
  Snapshot& operator=(Snapshot&&) noexcept;
  ~Snapshot();

  // Recomputes the layer's digest (reads the layer's data, not its holes).
  // Errors: kNotFound when the layer file is gone.
  SnapshotVerification verify() const;
  // Writes the snapshot to the tar `out` (replaced atomically); with `with_image` its image
  // too, so that a store without it can start sandboxes from the snapshot. Errors:
  // kIntegrity (the layer is damaged), kImageNotFound (with_image, and the image is gone).
  void save(const std::string& out, bool with_image = false) const;

  const std::string& name() const;
  const SnapshotInfo& info() const;

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  explicit Snapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace microsandbox
