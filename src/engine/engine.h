// The isolation engine contract. The rest of the system launches a sandbox through this
// interface and talks to its agent over the channel; it does not know which engine runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/step_timer.h"
#include "os/child_process.h"
#include "os/fd.h"

namespace msb::engine {

enum class Accel { kKvm, kTcg };
std::string_view accel_name(Accel accel);
Result<Accel> parse_accel(std::string_view text);  // "kvm" | "tcg"

// Which engine runs a sandbox: a microVM (default) or Linux namespaces on the host kernel.
enum class Isolation { kVm, kNamespace };
std::string_view isolation_name(Isolation isolation);      // "vm" | "namespace"
Result<Isolation> parse_isolation(std::string_view text);  // kInvalidConfig otherwise

// A disk attached to a VM (the vm engine's form of a root layer).
struct DiskSpec {
  std::string path;
  std::string fstype;  // how the agent mounts it: erofs, ext4
  std::string serial;  // how the agent finds it
  bool read_only = false;
  bool ignore_flushes = false;  // the guest's flushes are not passed on (a throwaway disk)
};

// The sandbox's network card as the guest configures it. Addresses are text the engine
// passes on unchanged, so they must be plain (digits, hex, '.', ':', '/').
struct GuestNetworkSpec {
  std::string ipv4_cidr;   // "172.16.0.2/30"
  std::string gateway_v4;  // "172.16.0.1"
  std::string ipv6_cidr;   // "" = no IPv6
  std::string gateway_v6;
  uint32_t mtu = 1500;
  std::string mac;  // the guest's, "02:6d:73:00:00:02"
};

// How the host end of the network card carries Ethernet frames.
enum class FrameFormat {
  kLengthPrefixed,  // a stream: 4-byte big-endian length, then the frame (QEMU -netdev stream)
  kTap,             // one frame per read and write (a TAP device)
};

struct NetworkEndpoint {
  os::Fd fd;  // non-blocking
  FrameFormat format = FrameFormat::kTap;
};

// A host directory, a host file or a fresh tmpfs mounted into the guest: a config's
// VolumeMount as the runtime resolved it (a named volume becomes its directory). Both
// engines mount it with nosuid and nodev; ids follow engine/id_map.h (volume_*_id_map).
struct VolumeSpec {
  // kDisk: a disk image whose filesystem is mounted (vm: a virtio-blk disk; namespace: a
  // loop device, which needs root).
  enum class Kind { kDirectory, kFile, kTmpfs, kDisk } kind = Kind::kDirectory;
  std::string source;  // absolute host path (kDirectory, kFile, kDisk); unused for kTmpfs
  std::string target;  // absolute, normalized guest path ("/data"), never "/"
  bool read_only = false;
  bool noexec = false;
  uint64_t size_bytes = 0;      // kTmpfs only; 0 = the kernel's default (half the memory)
  std::string format = "raw";   // kDisk: "raw" or "qcow2"
  std::string fstype = "ext4";  // kDisk: the filesystem in the image
  // The host ids the guest's root reads and writes the volume as: the source's owner
  // (kDirectory, kFile), which the runtime takes from stat() when it launches.
  uint32_t owner_uid = 0;
  uint32_t owner_gid = 0;
};

struct LaunchSpec {
  std::string runtime_dir;  // per-sandbox directory for logs and runtime files (exists)
  std::string console_log;  // where the guest console goes; "" = <runtime_dir>/console.log
  // Engine runtime files that must not outlive the run (sockets, mount points); exists.
  std::string run_dir;
  uint32_t cpus = 1;
  uint32_t memory_mib = 512;
  // The read-only root, lowest layer first: Engine::base_image_root(), or an image's
  // unpacked layer directories (namespace) / its one erofs disk (vm).
  std::vector<std::string> rootfs_layers;
  // "" = rootfs_layers is the engine's image form (above). Otherwise rootfs_layers is one
  // disk image (a user's root: --rootfs IMAGE) holding this filesystem, mounted read-only
  // (vm: a virtio-blk disk; namespace: a loop device).
  std::string rootfs_fstype;
  std::string writable_layer;  // from Engine::create_writable_layer(); "" = read-only root
  // > 0: the writable layer is instead a fresh tmpfs of at most this many bytes, empty at
  // every start (`--root-disk tmpfs`); writable_layer is then "".
  uint64_t root_tmpfs_bytes = 0;
  // The writable layer is deleted after this run (a foreground `msb run`, an ephemeral
  // sandbox): nothing in it needs to survive a host crash, so the engine skips syncing it
  // (namespace: a volatile overlay; vm: the disk ignores the guest's flushes).
  bool ephemeral = false;
  std::string hostname;
  std::optional<Accel> accel;  // vm only; nullopt: detect
  std::string instance_name;   // unique per run (the namespace engine's cgroup name)
  // nullopt: no network card (only lo). Otherwise the engine attaches eth0 and hands its
  // host end out through Instance::take_network_endpoint().
  std::optional<GuestNetworkSpec> network;
  // Mounted in this order after the root (the runtime sorts parents first).
  std::vector<VolumeSpec> volumes;
  // When set, the engine adds the time of each of its host-side launch steps here, by name
  // ("vm.spawn_qemu", "ns.id_maps", ...), for `msb run --timings` and the supervisor's log.
  StepTimings* timings = nullptr;
};

// A launched sandbox. Destroying it kills whatever still runs.
class Instance {
 public:
  virtual ~Instance() = default;
  // The stream to the agent; call once.
  virtual os::Fd take_agent_channel() = 0;
  // The host end of eth0 when LaunchSpec::network was set (call once); else nullopt.
  virtual std::optional<NetworkEndpoint> take_network_endpoint() = 0;
  // Readable once the sandbox's process has ended (for poll loops).
  virtual int exit_fd() const = 0;
  // The engine's process (QEMU, or the namespace init), e.g. to check it is gone.
  virtual int process_id() const = 0;
  virtual Result<std::optional<os::ExitStatus>> wait_for(std::chrono::milliseconds timeout) = 0;
  virtual Result<os::ExitStatus> kill() = 0;
  // "vm (tcg)", "vm (kvm)": what runs, for messages and benchmarks.
  virtual std::string describe() const = 0;
  // Diagnostics for a failed boot: the last `lines` lines of the console and engine logs.
  virtual std::string failure_report(size_t lines) const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Isolation isolation() const = 0;
  // The built-in `base` image in the form this engine boots (vm: an erofs image file,
  // namespace: a directory tree). kNotFound when the build did not produce it.
  virtual Result<std::string> base_image_root() const = 0;
  // Where a sandbox whose state lives in `sandbox_dir` keeps its writable root layer.
  virtual std::string writable_layer_path(const std::string& sandbox_dir) const = 0;
  // Creates an empty writable layer at `path` (vm: sparse ext4 disk; namespace: upper and
  // work directories owned by the sandbox's mapped root). kAlreadyExists if present.
  // `ephemeral`: booted once and deleted afterwards (LaunchSpec::ephemeral): the vm engine
  // formats it without a journal. `size_bytes`: the vm engine's disk size (0 = its default,
  // config::kDefaultRootDiskBytes); the namespace engine's directory has none (validate()
  // refuses a size for it, so it ignores this).
  virtual Result<void> create_writable_layer(const std::string& path, bool ephemeral,
                                             uint64_t size_bytes) const = 0;
  // Grows the writable layer at `path` of a stopped sandbox to `new_bytes` (vm: the disk
  // file and its ext4 filesystem, offline). On failure the layer is as it was. Errors:
  // kUnsupported (namespace engine: a directory has no size), kInvalidConfig (new_bytes not
  // above the layer's size), kNotFound (no layer, or e2fsprogs missing), kIo.
  virtual Result<void> grow_writable_layer(const std::string& path, uint64_t new_bytes) const = 0;
  virtual bool has_writable_layer(const std::string& path) const = 0;
  // The file name a snapshot stores this engine's writable layer under: "upper.ext4" (vm:
  // the disk itself) or "upper.tar" (namespace: the upper directory as a tar of guest ids).
  virtual std::string layer_artifact_name() const = 0;
  // Writes the writable layer at `path` (of a stopped sandbox) to the new file `out`, in the
  // form layer_artifact_name() says: vm: a reflink or sparse copy of the disk; namespace:
  // image/tree_archive.h. Errors: kNotFound, kInvalidArgument (a file the layer may not
  // hold), kIo. On failure `out` does not exist.
  virtual Result<void> export_writable_layer(const std::string& path,
                                             const std::string& out) const = 0;
  // Creates the writable layer at `path` (which must not exist) from a file written by
  // export_writable_layer. The artifact is not trusted (it may come from a loaded archive):
  // the namespace engine refuses names outside the layer, foreign owners and devices
  // (kInvalidArgument). On failure nothing is left at `path`.
  virtual Result<void> import_writable_layer(const std::string& artifact,
                                             const std::string& path) const = 0;
  // Starts the sandbox; it is booting when this returns (wait for core.ready on the
  // channel). Errors: kNotFound (kernel, QEMU or disk missing), kBootFailed, kIo,
  // kPermissionDenied (namespace engine without root).
  virtual Result<std::unique_ptr<Instance>> launch(const LaunchSpec& spec) = 0;
};

std::unique_ptr<Engine> make_engine(Isolation isolation);
std::unique_ptr<Engine> make_vm_engine();
std::unique_ptr<Engine> make_ns_engine();

}  // namespace msb::engine
