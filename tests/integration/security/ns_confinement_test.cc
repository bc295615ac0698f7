// What a namespace sandbox cannot do, checked from inside (real sandboxes through the SDK)
// and from the host. Each test boots its own small sandbox (~0.1 s) with the limits it needs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "engine/ns/cgroup_driver.h"
#include "microsandbox/fs.h"
#include "microsandbox/sandbox.h"
#include "os/child_process.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"

namespace msb::testing {
namespace {

using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::Sandbox;
using ::testing::HasSubstr;

class NsConfinement : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the namespace engine needs root";
    home_.emplace(std::move(*os::TempDir::create("msb-ns-sec")));
    env_.emplace("MSB_HOME", home_->path());
  }

  Sandbox make(const std::string& name, uint32_t memory_mib = 256) {
    return Sandbox::builder(name).isolation("namespace").memory_mib(memory_mib).create();
  }

  static ExecOutput sh(Sandbox& sandbox, const std::string& script,
                       std::chrono::seconds timeout = std::chrono::seconds(60)) {
    ExecOptions options;
    options.timeout = timeout;
    return sandbox.exec("sh", {"-c", script}, options);
  }

  std::string home() const { return home_->path(); }

  std::optional<os::TempDir> home_;
  std::optional<ScopedEnv> env_;
};

std::string host_status_field(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return "";
}

TEST_F(NsConfinement, SeesOnlyItsOwnProcesses) {
  Sandbox sandbox = make("procs");
  ExecOutput out =
      sh(sandbox, "cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep -c '^[0-9]'");
  ASSERT_TRUE(out.success()) << out.stderr_data;
  EXPECT_THAT(out.stdout_data, HasSubstr("msb-agentd"));
  // The agent, sh, ls, grep (and maybe cat's leftovers): nothing of the host's hundreds.
  int count = std::stoi(out.stdout_data.substr(out.stdout_data.find('\n') + 1));
  EXPECT_LE(count, 6) << out.stdout_data;
  std::string self = std::to_string(::getpid());
  EXPECT_FALSE(sh(sandbox, "test -e /proc/" + self + "/cmdline && grep -q ns_confinement /proc/" +
                               self + "/cmdline")
                   .success());
}

TEST_F(NsConfinement, CannotReachHostFiles) {
  std::string secret = home() + "/host-secret";
  ASSERT_TRUE(os::write_file(secret, "top secret").has_value());
  Sandbox sandbox = make("files");
  ExecOutput out = sh(sandbox, "cat " + secret + " || ls " + home() + " || cat /etc/shadow");
  EXPECT_FALSE(out.success());
  EXPECT_EQ(out.stdout_data.find("top secret"), std::string::npos);
  // The root is the image's: no host tools, no host /etc.
  EXPECT_FALSE(sh(sandbox, "test -e /usr/bin/apt-get").success());
}

TEST_F(NsConfinement, PrivilegedOperationsFail) {
  Sandbox sandbox = make("calls");
  sandbox.fs().copy_from_host(SYSCALL_PROBE, "/tmp/probe");
  ExecOutput out =
      sandbox.exec("/tmp/probe", {"mount", "insmod", "finit_module", "kexec_load", "bpf", "keyctl",
                                  "unshare_user", "unshare_net", "reboot", "settime",
                                  "perf_event_open", "open_by_handle_at", "sethostname"});
  ASSERT_TRUE(out.success()) << out.stderr_data;
  std::istringstream lines(out.stdout_data);
  std::string name;
  int err = 0;
  int checked = 0;
  while (lines >> name >> err) {
    EXPECT_NE(err, 0) << name << " succeeded inside the sandbox";
    ++checked;
  }
  EXPECT_EQ(checked, 13) << out.stdout_data;
  // The same through the image's own tools.
  EXPECT_FALSE(sh(sandbox, "mount -t tmpfs none /mnt").success());
  EXPECT_FALSE(sh(sandbox, "unshare -U true").success());
  EXPECT_FALSE(sh(sandbox, "reboot -f").success());
  EXPECT_TRUE(sh(sandbox, "echo still here").success());
}

TEST_F(NsConfinement, KernelTunablesAreReadOnly) {
  Sandbox sandbox = make("sysctl");
  for (const char* file : {"/proc/sys/kernel/domainname", "/proc/sys/net/ipv4/ip_forward",
                           "/proc/sys/vm/drop_caches"}) {
    ExecOutput out = sh(sandbox, std::string("echo 1 > ") + file);
    EXPECT_FALSE(out.success()) << file;
  }
  EXPECT_FALSE(sh(sandbox, "echo x > /sys/kernel/uevent_helper").success());
}

TEST_F(NsConfinement, RunsWithNoNewPrivsSeccompAndFewCapabilities) {
  Sandbox sandbox = make("caps");
  ExecOutput out = sh(sandbox, "grep -E '^(NoNewPrivs|Seccomp|CapBnd|CapEff):' /proc/self/status");
  ASSERT_TRUE(out.success()) << out.stderr_data;
  EXPECT_THAT(out.stdout_data, HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(out.stdout_data, HasSubstr("Seccomp:\t2"));
  // Docker's default set; no CAP_SYS_ADMIN (bit 21), CAP_SYS_MODULE (16), CAP_SYS_PTRACE (19).
  EXPECT_THAT(out.stdout_data, HasSubstr("CapBnd:\t00000000a80425fb"));
}

TEST_F(NsConfinement, RootInsideIsAnUnprivilegedUidOutside) {
  Sandbox sandbox = make("ids");
  ExecOutput inside = sh(sandbox, "id -u; echo data > /root/created");
  ASSERT_TRUE(inside.success()) << inside.stderr_data;
  EXPECT_EQ(inside.stdout_data, "0\n");
  // The agent (PID 1 inside) as the host sees it.
  std::string supervisor = home() + "/run/ids/supervisor.json";
  Result<std::string> text = os::read_file(supervisor);
  ASSERT_TRUE(text.has_value()) << supervisor;
  size_t at = text->find("\"engine_pid\":");
  ASSERT_NE(at, std::string::npos) << *text;
  int engine_pid = std::stoi(text->substr(at + 13));
  std::string uids = host_status_field(engine_pid, "Uid");
  EXPECT_THAT(uids, ::testing::Not(HasSubstr("\t0\t"))) << uids;
  EXPECT_THAT(uids, HasSubstr("100000")) << uids;
  // What it writes lands on the host owned by that uid.
  struct stat created {};
  std::string path = home() + "/sandboxes/ids/writable/diff/root/created";
  ASSERT_EQ(::stat(path.c_str(), &created), 0) << path;
  EXPECT_NE(created.st_uid, 0u);
  EXPECT_GE(created.st_uid, 100000u);
}

TEST_F(NsConfinement, ForkBombStopsAtThePidsLimit) {
  Sandbox sandbox = make("bomb", 1024);
  // Each iteration leaves a sleeping child behind until fork fails and the shell exits.
  ExecOutput bomb = sh(sandbox,
                       "i=0; while [ $i -lt 10000 ]; do sleep 8 & i=$((i+1)); "
                       "echo $i > /tmp/forks; done",
                       std::chrono::seconds(120));
  EXPECT_FALSE(bomb.success()) << "10000 processes were created";
  EXPECT_THAT(bomb.stderr_data, HasSubstr("can't fork"));
  // The host still starts processes while the sandbox sits at its limit.
  os::SpawnOptions host_true;
  host_true.argv = {"true"};
  Result<os::ChildProcess> child = os::ChildProcess::spawn(host_true);
  ASSERT_TRUE(child.has_value());
  EXPECT_TRUE(child->wait()->success());
  // Once the sleepers are gone the sandbox runs commands again (until then even the agent
  // cannot fork: the limit holds for everything inside).
  std::string forks;
  EXPECT_TRUE(wait_until(
      [&] {
        try {
          forks = sh(sandbox, "cat /tmp/forks").stdout_data;
          return !forks.empty();
        } catch (const microsandbox::Error&) {
          return false;
        }
      },
      std::chrono::seconds(60)));
  ASSERT_FALSE(forks.empty());
  EXPECT_GT(std::stoi(forks), 100);
  EXPECT_LT(std::stoi(forks), 2048);
}

TEST_F(NsConfinement, MemoryHogIsKilledInsideOnly) {
  Sandbox sandbox = make("hog", 96);
  ExecOutput hog =
      sh(sandbox, "awk 'BEGIN { s = \"x\"; while (1) s = s s }'", std::chrono::seconds(120));
  // sh execs awk in place: the OOM killer's SIGKILL is the exec's own end.
  EXPECT_FALSE(hog.timed_out);
  EXPECT_EQ(hog.signal, 9) << hog.stderr_data;
  // The sandbox (its agent) survives and the host was never under pressure.
  EXPECT_EQ(sh(sandbox, "echo alive").stdout_data, "alive\n");
}

// The cgroups of sandbox `name` in every hierarchy the engine uses (v1: memory, pids and
// cpu; v2: the unified tree), as "<parent>/<leaf>".
std::vector<std::string> cgroups_of(const std::string& name) {
  std::vector<std::string> found;
  Result<const engine::ns::CgroupDriver*> driver =
      engine::ns::detect_cgroup_driver(engine::ns::cgroup_root());
  EXPECT_TRUE(driver.has_value()) << driver.error().message;
  if (!driver) return found;
  for (const std::string& leaf : (*driver)->leaf_paths(engine::ns::cgroup_root(), "x")) {
    std::string parent = leaf.substr(0, leaf.rfind('/'));
    for (const std::string& entry : os::list_dir(parent)) {
      if (entry.rfind(name + "-", 0) == 0) found.push_back(parent + "/" + entry);
    }
  }
  return found;
}

TEST_F(NsConfinement, CgroupsAreRemovedOnStopAndSweptAfterASupervisorIsKilled) {
  size_t hierarchies = 0;
  if (Result<const engine::ns::CgroupDriver*> driver =
          engine::ns::detect_cgroup_driver(engine::ns::cgroup_root()))
    hierarchies = (*driver)->leaf_paths(engine::ns::cgroup_root(), "x").size();
  ASSERT_GT(hierarchies, 0u) << "the namespace engine found no cgroup filesystem";
  std::string name = "cg" + std::to_string(::getpid());
  {
    Sandbox sandbox = make(name);
    EXPECT_THAT(cgroups_of(name), ::testing::SizeIs(hierarchies));
    sandbox.stop_and_wait();
  }
  EXPECT_THAT(cgroups_of(name), ::testing::IsEmpty()) << "a stopped sandbox kept its cgroup";

  Sandbox sandbox = Sandbox::start(name);
  Result<std::string> text = os::read_file(home() + "/run/" + name + "/supervisor.json");
  ASSERT_TRUE(text.has_value());
  int supervisor = std::stoi(text->substr(text->find("\"pid\":") + 6));
  ASSERT_EQ(::kill(supervisor, SIGKILL), 0);
  EXPECT_TRUE(wait_until([&] { return !os::path_exists("/proc/" + std::to_string(supervisor)); },
                         std::chrono::seconds(10)));
  EXPECT_THAT(cgroups_of(name), ::testing::SizeIs(hierarchies)) << "nothing could remove it yet";
  Sandbox other = make(name + "x");
  EXPECT_THAT(cgroups_of(name), ::testing::IsEmpty()) << "the next launch did not sweep it";
  EXPECT_EQ(Sandbox::get(name).status, microsandbox::SandboxStatus::kCrashed);
}

}  // namespace
}  // namespace msb::testing
