#include "os/seccomp.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <functional>
#include <vector>

#include "os/child_process.h"

namespace msb::os {
namespace {

// A hand-written filter: getppid fails with EPERM, everything else is allowed.
std::vector<sock_filter> deny_getppid() {
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
}

int run(const std::function<int()>& body) {
  Result<ChildProcess> child = ChildProcess::fork_and_run(body);
  if (!child) return -1;
  Result<ExitStatus> status = child->wait();
  return status ? status->shell_code() : -1;
}

TEST(InstallSeccompFilter, TheFilterAppliesToTheCaller) {
  // Runs in a child: a filter can never be removed again.
  int code = run([] {
    if (!install_seccomp_filter(deny_getppid())) return 1;
    if (::syscall(SYS_getppid) != -1 || errno != EPERM) return 2;
    if (::syscall(SYS_getpid) <= 0) return 3;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(InstallSeccompFilter, SetsNoNewPrivs) {
  int code = run([] {
    if (!install_seccomp_filter(deny_getppid())) return 1;
    return ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 2;
  });
  EXPECT_EQ(code, 0);
}

TEST(InstallSeccompFilter, RejectsAnEmptyProgram) {
  Result<void> installed = install_seccomp_filter({});
  ASSERT_FALSE(installed.has_value());
  EXPECT_EQ(installed.error().kind, ErrorKind::kInvalidArgument);
}

TEST(InstallSeccompFilter, RejectsAMalformedProgram) {
  int code = run([] {
    // A program must end in a return; the kernel's checker refuses this one.
    std::vector<sock_filter> program = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
    Result<void> installed = install_seccomp_filter(program);
    return !installed && installed.error().sys_errno == EINVAL ? 0 : 1;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace msb::os
