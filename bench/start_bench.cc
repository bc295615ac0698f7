// bench/start: how fast a namespace sandbox starts, next to crun and bwrap running the same
// root filesystem (the built-in base image's tree) in the same run. Medians over N runs of
//   msb run --isolation namespace -- /bin/true        (a whole CLI run, teardown included)
//   SDK create -> first exec of /bin/true              (what an agent developer waits for)
//   crun run (bundle on the same tree, /bin/true)      (an OCI runtime, Debian's crun)
//   bwrap --unshare-all ... /bin/true                  (bubblewrap)
// Targets (docs/targets.md): SDK create->first exec <= 30 ms; msb run / crun run <= 1.5.
//   build/bin/start_bench [RUNS]        (needs root, crun and bwrap: scripts/setup.sh)
#include <fcntl.h>
#include <microsandbox/sandbox.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "median.h"

extern char** environ;

using Clock = std::chrono::steady_clock;

namespace {

// Runs argv with stdio on /dev/null and fails the bench when it does not exit 0.
void run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (spawned != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "start_bench: '%s' failed (status %d)\n", argv[0].c_str(), status);
    std::exit(1);
  }
}

std::string self_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path(); }

// An OCI bundle for crun: the default spec with the base tree as a read-only root.
std::string make_bundle(const std::string& dir, const std::string& rootfs) {
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir + "/config.json");
  run({"crun", "spec", "-b", dir});
  std::ifstream in(dir + "/config.json");
  nlohmann::json spec = nlohmann::json::parse(in);
  spec["root"] = {{"path", rootfs}, {"readonly", true}};
  spec["process"]["terminal"] = false;
  spec["process"]["args"] = {"/bin/true"};
  std::ofstream(dir + "/config.json") << spec.dump(2);
  return dir;
}

// crun refuses hosts whose cgroup v2 hierarchy has controllers next to v1 ("hybrid mode",
// as on our CI machines). The bench hides that hierarchy in a mount namespace of its own,
// which every run below (ours included) inherits; nothing changes for the host.
bool hide_hybrid_cgroup2() {
  const char* unified = "/sys/fs/cgroup/unified";
  if (!std::filesystem::exists(std::string(unified) + "/cgroup.controllers")) return false;
  return unshare(CLONE_NEWNS) == 0 &&
         mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
         umount2(unified, MNT_DETACH) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using msb::bench::median_ms;
  int runs = argc > 1 ? std::max(5, std::atoi(argv[1])) : 30;
  std::string bin = self_dir();
  std::string msb = bin + "/msb";
  std::string rootfs = std::filesystem::canonical(bin + "/../share/microsandbox/base").string();
  std::string work = "/tmp/msb-start-bench-" + std::to_string(getpid());
  bool hid_cgroup2 = hide_hybrid_cgroup2();
  std::string bundle = make_bundle(work + "/bundle", rootfs);
  setenv("MSB_HOME", (work + "/home").c_str(), 1);

  run({msb, "run", "--isolation", "namespace", "--", "/bin/true"});  // warm caches
  double msb_run = median_ms(runs, [&] {
    run({msb, "run", "--isolation", "namespace", "--", "/bin/true"});
  });

  int counter = 0;
  double create_exec = 0;
  try {
    using microsandbox::Sandbox;
    std::vector<double> samples;
    for (int i = 0; i < runs; ++i) {
      std::string name = "bench-start-" + std::to_string(counter++);
      Clock::time_point start = Clock::now();
      Sandbox sandbox = Sandbox::builder(name).isolation("namespace").ephemeral().create();
      sandbox.exec("/bin/true");
      samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      sandbox.stop_and_wait();
    }
    create_exec = msb::bench::median(std::move(samples));
  } catch (const microsandbox::Error& error) {
    std::fprintf(stderr, "start_bench: SDK: %s\n", error.what());
    return 1;
  }

  double crun = median_ms(runs, [&] {
    run({"crun", "run", "-b", bundle, "msb-bench-" + std::to_string(counter++)});
  });
  double bwrap = median_ms(runs, [&] {
    run({"bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", rootfs, "/", "--proc", "/proc",
         "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"});
  });
  std::filesystem::remove_all(work);

  std::printf("bench/start: %d runs each, engine: namespace, same root tree for all\n", runs);
  if (hid_cgroup2)
    std::printf(
        "  (hybrid cgroups: /sys/fs/cgroup/unified hidden in the bench's mount namespace for "
        "crun)\n");
  std::printf("  msb run --isolation namespace -- true  median %7.2f ms\n", msb_run);
  std::printf("  SDK create -> first exec               median %7.2f ms   (target <= 30 ms)\n",
              create_exec);
  std::printf("  crun run (OCI bundle)                  median %7.2f ms\n", crun);
  std::printf("  bwrap --unshare-all                    median %7.2f ms\n", bwrap);
  std::printf("  ratio msb run / crun run               %7.2f        (target <= 1.5)\n",
              msb_run / crun);
  std::printf("  ratio SDK create->exec / crun run      %7.2f\n", create_exec / crun);
  std::printf("  ratio msb run / bwrap                  %7.2f\n", msb_run / bwrap);
  return 0;
}
