// Runs the real msb binary against a private $MSB_HOME and collects its output, and
// checks that nothing it started is left behind.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "os/child_process.h"
#include "os/file.h"
#include "test_engine.h"

namespace msb::testing {

struct MsbResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class MsbHarness {
 public:
  MsbHarness();
  const std::string& home() const { return home_.path(); }
  void set_env(const std::string& key, const std::string& value) { env_[key] = value; }

  // Runs `msb args...` to completion (killing it after `timeout`) with stdout and
  // stderr captured separately; stdin is /dev/null or the file `stdin_path`.
  MsbResult run(const std::vector<std::string>& args,
                std::chrono::seconds timeout = std::chrono::seconds(300),
                const std::string& stdin_path = "");
  // Starts `msb args...` without waiting; stdout/stderr go to files in home() unless
  // `stdout_fd` is given.
  os::ChildProcess start(const std::vector<std::string>& args, int stdout_fd = -1);
  // What a start()ed msb wrote to stderr.
  std::string started_stderr() const;

  // Engine processes (QEMU, or a namespace sandbox's init) started for this harness's
  // $MSB_HOME that are still alive.
  std::vector<int> live_qemu_pids() const;
  // Waits up to `timeout` for live_qemu_pids() to become empty.
  bool wait_no_qemu(std::chrono::milliseconds timeout) const;
  // Entries left in $MSB_HOME/run (runtime directories of runs).
  std::vector<std::string> leftover_run_dirs() const;

 private:
  bool is_our_namespace_init(const std::string& proc_dir) const;
  os::SpawnOptions spawn_options(const std::vector<std::string>& args) const;

  os::TempDir home_;
  std::map<std::string, std::string> env_;
};

}  // namespace msb::testing
