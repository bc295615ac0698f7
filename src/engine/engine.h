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
#include "os/child_process.h"
#include "os/fd.h"

namespace msb::engine {

enum class Accel { kKvm, kTcg };
std::string_view accel_name(Accel accel);
Result<Accel> parse_accel(std::string_view text);  // "kvm" | "tcg"

struct DiskSpec {
  std::string path;
  std::string fstype;  // how the agent mounts it: erofs, ext4
  std::string serial;  // how the agent finds it
  bool read_only = false;
};

struct LaunchSpec {
  std::string runtime_dir;  // per-sandbox directory for logs and runtime files (exists)
  std::string console_log;  // where the guest console goes; "" = <runtime_dir>/console.log
  uint32_t cpus = 1;
  uint32_t memory_mib = 512;
  DiskSpec rootfs;
  std::optional<DiskSpec> upper;
  std::string hostname;
  std::optional<Accel> accel;  // nullopt: detect
};

// A launched sandbox. Destroying it kills whatever still runs.
class Instance {
 public:
  virtual ~Instance() = default;
  // The stream to the agent; call once.
  virtual os::Fd take_agent_channel() = 0;
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
  // Starts the sandbox; it is booting when this returns (wait for core.ready on the
  // channel). Errors: kNotFound (kernel, QEMU or disk missing), kBootFailed, kIo.
  virtual Result<std::unique_ptr<Instance>> launch(const LaunchSpec& spec) = 0;
};

std::unique_ptr<Engine> make_vm_engine();

}  // namespace msb::engine
