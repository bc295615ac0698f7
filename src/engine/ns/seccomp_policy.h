// The namespace engine's seccomp policy, compiled to classic BPF.
//
// Why default-allow with a denylist (like Docker's and containerd's default profiles in
// intent, though theirs is written as an allowlist): the agent must run arbitrary
// workloads (compilers, language runtimes, package managers, browsers), and an allowlist
// that lags behind new kernels and libcs breaks them in ways that are hard to diagnose.
// Containment comes first from the namespaces, the dropped capabilities and the cgroups;
// this filter takes away the kernel interfaces that are dangerous or meaningless in a
// sandbox even then: module loading, kexec, bpf, perf, keyrings, time setting, swap,
// mount and namespace APIs (a user namespace would otherwise give them back), and a few
// legacy or rarely needed calls with a history of holes. Denied calls fail with EPERM;
// clone3 fails with ENOSYS so that libc falls back to clone, whose flags (unlike clone3's,
// which sit behind a pointer) the filter can inspect.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/error.h"

namespace msb::engine::ns {

// The sandbox's seccomp filter as a classic-BPF program, built with libseccomp in the
// parent so that the forked child only has to call seccomp(2) with it (no allocation
// after clone). Load it with os::install_seccomp_filter or the raw syscall.
struct SeccompProgram {
  std::vector<sock_filter> instructions;
};

// Builds the program for the native architecture. Any other architecture (a 32-bit
// `int 0x80` call, the x32 ABI) kills the whole process. Syscall names this libseccomp
// does not know, or that do not exist on this architecture, are skipped. The result is
// the same on every call. Errors: kInternal (libseccomp refused a rule), kIo (export).
// Thread-safe.
Result<SeccompProgram> build_seccomp_program();

}  // namespace msb::engine::ns
