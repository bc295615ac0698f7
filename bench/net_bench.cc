// bench/net: a sandbox's network against a plain veth between two network namespaces, in
// the same run and the same private world of test hosts (tests/support/net_world.h: this
// process moves into a fresh network namespace; nothing leaves the machine).
//   guest -> test host TCP throughput: tests/support/guest_net_tool.cc sends MIB MiB to the host's
//   discard sink; connect latency: the median of 200 connects to its HTTP port.
// The same static probe runs in each sandbox (copied in through the fs API) and, for the
// peer, in this process's namespace, whose veth leads to the hosts: the stack under test
// is the only difference. Medians over RUNS.
// Targets (docs/targets.md): namespace engine >= 50 % of the veth's throughput and connect
// latency <= 2x the veth's; vm engine (TCG) >= 30 MiB/s.
//   build/bin/net_bench [RUNS] [MIB] [namespace|vm|all]      (root)
#include <microsandbox/sandbox.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/vm/accel.h"
#include "median.h"
#include "net_world.h"

extern char** environ;

namespace {

constexpr const char* kTarget = msb::testing::kPublicV4;
constexpr int kConnects = 200;

struct Figures {
  double mib_per_s = 0;
  double connect_us = 0;
};

// "key value" from the probe's output.
double value_of(const std::string& output, const std::string& key) {
  std::istringstream lines(output);
  std::string word;
  double value = 0;
  while (lines >> word >> value)
    if (word == key) return value;
  throw microsandbox::Error(microsandbox::ErrorKind::kInternal, "probe said: " + output);
}

// The probe as a child of this process (the peer side), its stdout returned.
std::string run_here(const std::string& probe, const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  std::vector<std::string> argv = {probe};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, probe.c_str(), &actions, nullptr, raw.data(), environ) != 0)
    throw std::runtime_error("spawn " + probe);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

template <class Run>
Figures measure(int runs, long mib, const Run& run) {
  std::vector<double> rates, connects;
  const std::string port_discard = std::to_string(msb::testing::kDiscardPort);
  const std::string port_http = std::to_string(msb::testing::kHttpPort);
  for (int i = 0; i < runs; ++i) {
    const double seconds =
        value_of(run({"send", kTarget, port_discard, std::to_string(mib)}), "send_s");
    rates.push_back(double(mib) / seconds);
    connects.push_back(
        value_of(run({"connect", kTarget, port_http, std::to_string(kConnects)}), "connect_us"));
  }
  return {msb::bench::median(rates), msb::bench::median(connects)};
}

Figures measure_engine(const std::string& engine, const std::string& probe, int runs, long mib) {
  using microsandbox::Sandbox;
  Sandbox sandbox =
      Sandbox::builder("bench-net-" + engine).isolation(engine).replace().ephemeral().create();
  std::ifstream file(probe, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  microsandbox::WriteOptions options;
  options.mode = 0755;
  sandbox.fs().write("/tmp/net_probe", bytes, options);
  Figures figures = measure(runs, mib, [&](const std::vector<std::string>& args) {
    microsandbox::ExecOutput output = sandbox.exec("/tmp/net_probe", args);
    return output.stdout_data;
  });
  sandbox.stop_and_wait();
  return figures;
}

void print(const char* what, const Figures& figures, const Figures& veth) {
  std::printf("  %-22s %8.1f MiB/s (%5.1f %% of veth)   connect %8.1f us (%4.2fx veth)\n", what,
              figures.mib_per_s, 100.0 * figures.mib_per_s / veth.mib_per_s, figures.connect_us,
              figures.connect_us / veth.connect_us);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const long mib = argc > 2 ? std::max(1L, std::atol(argv[2])) : 256;
  const std::string which = argc > 3 ? argv[3] : "all";
  const std::string probe =
      (std::filesystem::path(argv[0]).parent_path() / "msb-guest-net-tool").string();
  // First, before any thread: the whole process moves into the private world.
  msb::Result<std::unique_ptr<msb::testing::NetWorld>> world = msb::testing::NetWorld::create();
  if (!world) {
    std::fprintf(stderr, "bench/net: no net world: %s\n", world.error().message.c_str());
    return 1;
  }
  try {
    std::printf("bench/net: %d runs, %ld MiB per transfer, %d connects per run, to %s\n", runs, mib,
                kConnects, kTarget);
    const Figures veth = measure(
        runs, mib, [&](const std::vector<std::string>& args) { return run_here(probe, args); });
    std::printf("  %-22s %8.1f MiB/s                    connect %8.1f us\n", "veth (plain netns)",
                veth.mib_per_s, veth.connect_us);
    if (which == "all" || which == "namespace") {
      const Figures ns = measure_engine("namespace", probe, runs, mib);
      print("namespace engine", ns, veth);
      std::printf("    target: >= 50 %% of veth throughput: %s; connect <= 2x veth: %s\n",
                  ns.mib_per_s >= 0.5 * veth.mib_per_s ? "met" : "NOT met",
                  ns.connect_us <= 2 * veth.connect_us ? "met" : "NOT met");
    }
    if (which == "all" || which == "vm") {
      // The vm engine moves less per run: TCG emulates every guest instruction.
      const long vm_mib = std::max(1L, mib / 4);
      msb::Result<msb::engine::Accel> accel = msb::engine::vm::choose_accel(std::nullopt);
      const Figures vm = measure_engine("vm", probe, runs, vm_mib);
      print("vm engine", vm, veth);
      std::printf("    accelerator: %s; %ld MiB per transfer; target (TCG) >= 30 MiB/s: %s\n",
                  accel ? std::string(msb::engine::accel_name(*accel)).c_str() : "unknown", vm_mib,
                  vm.mib_per_s >= 30 ? "met" : "NOT met");
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench/net: %s\n", error.what());
    return 1;
  }
  return 0;
}
