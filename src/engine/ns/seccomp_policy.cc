#include "engine/ns/seccomp_policy.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "os/fd.h"
#include "os/memfd.h"

namespace msb::engine::ns {
namespace {

// SECURITY: every call here fails with EPERM inside the sandbox. The list follows what
// Docker's default profile keeps from a container without extra capabilities. Allowed on
// purpose: ptrace, process_vm_readv/writev and kcmp, which reach only processes that the
// sandbox's pid namespace lets it see (debuggers and profilers need them).
constexpr std::array kDeniedSyscalls = {
    // Kernel code and the running kernel itself.
    "init_module", "finit_module", "delete_module", "create_module", "kexec_load",
    "kexec_file_load", "reboot", "bpf", "perf_event_open", "lookup_dcookie",
    // Kernel keyrings are not namespaced.
    "keyctl", "add_key", "request_key",
    // The clocks are host-wide. adjtimex is denied outright: its modes sit behind a
    // pointer that seccomp cannot read, so a read-only call cannot be told apart.
    "clock_settime", "clock_adjtime", "settimeofday", "adjtimex",
    // Mounts and namespaces: the sandbox gets its mount tree and namespaces from us.
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
    "fspick", "mount_setattr", "unshare", "setns",
    // Host-wide state and accounting.
    "swapon", "swapoff", "syslog", "acct", "quotactl", "sethostname", "setdomainname", "nfsservctl",
    // Raw hardware and legacy execution modes.
    "iopl", "ioperm", "vm86", "vm86old", "uselib",
    // File handles bypass path-based containment (the "shocker" escape).
    "open_by_handle_at", "name_to_handle_at",
    // Whole-filesystem event monitoring; userfaultfd stalls kernel code paths at will.
    "fanotify_init", "userfaultfd"};

// CLONE_NEW* flags of clone(2)'s first argument (CLONE_NEWTIME is left out: clone(2)
// cannot take it, and 0x80 is part of the exit-signal byte there).
constexpr std::array<uint64_t, 7> kCloneNamespaceFlags = {
    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};

// personality(2) values allowed, as in Docker: PER_LINUX (0), PER_LINUX32 (0x0008),
// UNAME26 (0x20000), PER_LINUX32|UNAME26 (0x20008) and the query 0xffffffff.
constexpr uint32_t kPersonalityAllowedBits = 0x20008;
constexpr uint32_t kPersonalityQuery = 0xffffffff;

struct ContextDeleter {
  void operator()(void* context) const { seccomp_release(context); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

Result<void> check(int rc, std::string_view what) {
  if (rc < 0) return err(ErrorKind::kInternal, "libseccomp {}: {}", what, std::strerror(-rc));
  return {};
}

// The native syscall number, or -1 when libseccomp does not know the name or the
// syscall does not exist on this architecture (negative pseudo numbers).
int resolve(const char* name) {
  int number = seccomp_syscall_resolve_name(name);
  return number < 0 ? -1 : number;
}

Result<void> deny(void* context, const char* name, int error) {
  int number = resolve(name);
  if (number < 0) return {};
  return check(seccomp_rule_add(context, SCMP_ACT_ERRNO(error), number, 0), name);
}

// SECURITY: clone with any namespace flag fails, so that a user namespace (and with it a
// fresh set of capabilities over new namespaces) cannot be created inside. libseccomp
// ORs separate rules, and one rule per flag says "this bit is set".
Result<void> deny_clone_namespaces(void* context) {
  for (uint64_t flag : kCloneNamespaceFlags) {
    MSB_TRY(check(seccomp_rule_add(context, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
                  "clone"));
  }
  return {};
}

// SECURITY: personality flags such as ADDR_NO_RANDOMIZE or READ_IMPLIES_EXEC weaken the
// process's own defences. A rule may compare an argument only once, so "not one of the
// allowed values" becomes single-bit rules on the low 32 bits (what the kernel reads):
// with bit 0 clear (every allowed value but the query), any bit outside
// kPersonalityAllowedBits is denied; with bit 0 set, only the query is allowed, so any
// clear bit is denied.
Result<void> deny_unusual_personalities(void* context) {
  for (int bit = 1; bit < 32; ++bit) {
    uint64_t mask = (uint64_t{1} << bit) | 1;
    if ((kPersonalityAllowedBits & (1U << bit)) == 0) {
      MSB_TRY(check(seccomp_rule_add(context, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, mask, uint64_t{1} << bit)),
                    "personality"));
    }
    MSB_TRY(check(seccomp_rule_add(context, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, mask, 1)),
                  "personality"));
  }
  static_assert((kPersonalityQuery & 1) == 1 && (kPersonalityAllowedBits & 1) == 0);
  return {};
}

Result<void> add_rules(void* context) {
  for (const char* name : kDeniedSyscalls) MSB_TRY(deny(context, name, EPERM));
  // clone3's flags are behind a pointer: make it look absent, as Docker does, and glibc
  // falls back to clone(2), which the rules above can inspect.
  MSB_TRY(deny(context, "clone3", ENOSYS));
  MSB_TRY(deny_clone_namespaces(context));
  return deny_unusual_personalities(context);
}

// libseccomp 2.5 exports only to an fd (seccomp_export_bpf_mem came with 2.6).
Result<SeccompProgram> export_program(void* context) {
  os::Fd memfd = MSB_TRY(os::create_memfd("msb-seccomp"));
  MSB_TRY(check(seccomp_export_bpf(context, memfd.get()), "export"));
  std::string bytes = MSB_TRY(os::read_whole_file(memfd.get()));
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0 ||
      bytes.size() / sizeof(sock_filter) > BPF_MAXINSNS) {
    return err(ErrorKind::kInternal, "libseccomp exported {} bytes of BPF", bytes.size());
  }
  SeccompProgram program;
  program.instructions.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.instructions.data(), bytes.data(), bytes.size());
  return program;
}

}  // namespace

Result<SeccompProgram> build_seccomp_program() {
  Context context(seccomp_init(SCMP_ACT_ALLOW));
  if (!context) return err(ErrorKind::kInternal, "libseccomp: seccomp_init failed");
  // SECURITY: libseccomp's default for a foreign architecture is SCMP_ACT_KILL, which
  // kills only the calling thread. Kill the whole process, so that a 32-bit `int 0x80`
  // (different syscall numbers, not covered by the rules) never gets through.
  MSB_TRY(check(seccomp_attr_set(context.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
                "set bad-arch action"));
  MSB_TRY(add_rules(context.get()));
  return export_program(context.get());
}

}  // namespace msb::engine::ns
