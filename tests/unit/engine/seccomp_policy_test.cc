#include "engine/ns/seccomp_policy.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <thread>

#include "os/child_process.h"
#include "os/io.h"
#include "os/seccomp.h"

namespace msb::engine::ns {
namespace {

// Child exit codes: a call's errno, or one of these.
constexpr int kSucceeded = 200;
constexpr int kInstallFailed = 201;

// What a raw syscall's return value says: its errno, or kSucceeded.
int outcome(long result) { return result == -1 ? errno : kSucceeded; }

const SeccompProgram& program() {
  static const SeccompProgram built = [] {
    Result<SeccompProgram> result = build_seccomp_program();
    MSB_CHECK(result.has_value());
    return std::move(*result);
  }();
  return built;
}

// Runs `body` in a forked child, with the sandbox's filter loaded first when `filtered`.
// Returns the child's exit code, or 128+N when signal N killed it.
int run_child(const std::function<int()>& body, bool filtered = true) {
  const SeccompProgram& filter = program();
  Result<os::ChildProcess> child = os::ChildProcess::fork_and_run([&] {
    if (filtered && !os::install_seccomp_filter(filter.instructions)) return kInstallFailed;
    return body();
  });
  if (!child) return -1;
  Result<os::ExitStatus> status = child->wait();
  return status ? status->shell_code() : -1;
}

// The filter, not the kernel's own checks, must produce `expected`: without the filter
// the call must end differently. Some calls fail with EPERM for an unprivileged caller
// anyway; there only the filtered outcome can be checked.
void expect_filter_denies(const std::function<long()>& call, int expected) {
  auto body = [&] { return outcome(call()); };
  EXPECT_EQ(run_child(body), expected) << "with the filter";
  int unfiltered = run_child(body, /*filtered=*/false);
  if (unfiltered == expected && ::geteuid() != 0) return;
  EXPECT_NE(unfiltered, expected) << "without the filter";
}

TEST(SeccompPolicy, ProgramIsNonEmptyAndDeterministic) {
  Result<SeccompProgram> first = build_seccomp_program();
  Result<SeccompProgram> second = build_seccomp_program();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_GT(first->instructions.size(), 10u);
  EXPECT_LE(first->instructions.size(), size_t{BPF_MAXINSNS});
  ASSERT_EQ(first->instructions.size(), second->instructions.size());
  EXPECT_EQ(std::memcmp(first->instructions.data(), second->instructions.data(),
                        first->instructions.size() * sizeof(sock_filter)),
            0);
}

TEST(SeccompPolicy, ProgramChecksTheArchitectureFirst) {
  const std::vector<sock_filter>& code = program().instructions;
  ASSERT_GE(code.size(), 2u);
  EXPECT_EQ(code[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(code[0].k, offsetof(seccomp_data, arch));
  EXPECT_EQ(code[1].code, BPF_JMP | BPF_JEQ | BPF_K);
#if defined(__x86_64__)
  EXPECT_EQ(code[1].k, AUDIT_ARCH_X86_64);
#endif
}

TEST(SeccompPolicy, AllowsOrdinaryCalls) {
  int code = run_child([] {
    if (::getpid() <= 0) return 1;
    Result<os::PipePair> pipe = os::make_pipe();
    if (!pipe || !os::write_all(pipe->write.get(), "x")) return 2;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(SeccompPolicy, AllowsFork) {
  int code = run_child([] {
    Result<os::ChildProcess> grandchild = os::ChildProcess::fork_and_run([] { return 7; });
    if (!grandchild) return 1;
    Result<os::ExitStatus> status = grandchild->wait();
    return status && status->code == 7 ? 0 : 2;
  });
  EXPECT_EQ(code, 0);
}

TEST(SeccompPolicy, AllowsExecve) {
  int code = run_child([] {
    Result<os::ChildProcess> program = os::ChildProcess::spawn({.argv = {"sh", "-c", "exit 5"}});
    if (!program) return 1;
    Result<os::ExitStatus> status = program->wait();
    return status && status->code == 5 ? 0 : 2;
  });
  EXPECT_EQ(code, 0);
}

// glibc creates threads with clone3 and falls back to clone(2) on ENOSYS.
TEST(SeccompPolicy, AllowsThreads) {
  int code = run_child([] {
    int value = 0;
    std::thread thread([&] { value = 1; });
    thread.join();
    return value == 1 ? 0 : 1;
  });
  EXPECT_EQ(code, 0);
}

TEST(SeccompPolicy, DeniesKeyctl) {
  // KEYCTL_GET_KEYRING_ID of KEY_SPEC_PROCESS_KEYRING, creating it if needed.
  expect_filter_denies([] { return ::syscall(SYS_keyctl, 0, -2, 1); }, EPERM);
}

TEST(SeccompPolicy, DeniesBpf) {
  expect_filter_denies([] { return ::syscall(SYS_bpf, -1, nullptr, 0); }, EPERM);
}

TEST(SeccompPolicy, DeniesUnshareOfAUserNamespace) {
  expect_filter_denies([] { return ::syscall(SYS_unshare, CLONE_NEWUSER); }, EPERM);
}

TEST(SeccompPolicy, DeniesMount) {
  expect_filter_denies(
      [] { return ::syscall(SYS_mount, "none", "/msb-no-such-dir", "tmpfs", 0, nullptr); }, EPERM);
}

TEST(SeccompPolicy, DeniesUmount) {
  expect_filter_denies([] { return ::syscall(SYS_umount2, "/msb-no-such-dir", 0); }, EPERM);
}

TEST(SeccompPolicy, Clone3LooksAbsent) {
  expect_filter_denies([] { return ::syscall(SYS_clone3, nullptr, 0); }, ENOSYS);
}

TEST(SeccompPolicy, DeniesCloneWithAnyNamespaceFlag) {
  for (long flag : {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                    CLONE_NEWPID, CLONE_NEWNET}) {
    int code = run_child([&] {
      // Like fork (no new stack, no shared memory) should the filter let it through.
      long result = ::syscall(SYS_clone, flag | SIGCHLD, 0, 0, 0, 0);
      if (result == 0) ::_exit(kSucceeded);
      return outcome(result);
    });
    EXPECT_EQ(code, EPERM) << "flag " << std::hex << flag;
  }
}

TEST(SeccompPolicy, AllowsOnlyTheUsualPersonalities) {
  for (unsigned long persona : {0x0UL, 0x8UL, 0x20000UL, 0x20008UL, 0xffffffffUL}) {
    EXPECT_EQ(run_child([&] { return outcome(::syscall(SYS_personality, persona)); }), kSucceeded)
        << std::hex << persona;
  }
  // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, PER_SVR4 and odd values.
  for (unsigned long persona : {0x0040000UL, 0x0400000UL, 0x0100000UL, 0x04100001UL, 0x1UL,
                                0x20009UL, 0xfffffffeUL, 0x7fffffffUL}) {
    EXPECT_EQ(run_child([&] { return outcome(::syscall(SYS_personality, persona)); }), EPERM)
        << std::hex << persona;
  }
}

TEST(SeccompPolicy, DeniesTheRestOfTheList) {
  // Arguments that make each call fail harmlessly should the filter let it through.
  EXPECT_EQ(run_child([] { return outcome(::syscall(SYS_setns, -1, 0)); }), EPERM);
  EXPECT_EQ(run_child([] { return outcome(::syscall(SYS_sethostname, "", 0)); }), EPERM);
  EXPECT_EQ(
      run_child([] { return outcome(::syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0)); }),
      EPERM);
  EXPECT_EQ(run_child([] { return outcome(::syscall(SYS_userfaultfd, -1)); }), EPERM);
  EXPECT_EQ(run_child([] { return outcome(::syscall(SYS_fsopen, nullptr, 0)); }), EPERM);
  EXPECT_EQ(run_child([] { return outcome(::syscall(SYS_init_module, nullptr, 0, nullptr)); }),
            EPERM);
}

#if defined(__x86_64__)
// getpid through the 32-bit entry point (i386 number 20).
long int80_getpid() {
  long result;
  asm volatile("int $0x80" : "=a"(result) : "a"(20) : "r8", "r9", "r10", "r11", "memory");
  return result;
}

TEST(SeccompPolicy, ThirtyTwoBitSyscallsKillTheWholeProcess) {
  int unfiltered = run_child([] { return int80_getpid() == ::getpid() ? 0 : 1; }, false);
  if (unfiltered != 0) GTEST_SKIP() << "this kernel has no 32-bit syscall entry";
  // From a second thread: the whole process must die, not only that thread.
  int code = run_child([] {
    std::thread thread([] { int80_getpid(); });
    thread.join();
    return 0;
  });
  EXPECT_EQ(code, 128 + SIGSYS);
}
#endif

}  // namespace
}  // namespace msb::engine::ns
