// Runs inside a sandbox: tries each named privileged operation and prints "<name> <errno>"
// (0 when it succeeded). Static, so it runs on any root filesystem.
#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace {

long attempt(const char* name) {
  if (strcmp(name, "mount") == 0) return mount("none", "/mnt", "tmpfs", 0, nullptr);
  if (strcmp(name, "insmod") == 0) return syscall(SYS_init_module, nullptr, 0, "");
  if (strcmp(name, "finit_module") == 0) return syscall(SYS_finit_module, 0, "", 0);
  if (strcmp(name, "kexec_load") == 0) return syscall(SYS_kexec_load, 0, 0, nullptr, 0);
  if (strcmp(name, "bpf") == 0) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  }
  if (strcmp(name, "keyctl") == 0) return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
  if (strcmp(name, "unshare_user") == 0) return unshare(CLONE_NEWUSER);
  if (strcmp(name, "unshare_net") == 0) return unshare(CLONE_NEWNET);
  if (strcmp(name, "reboot") == 0) return reboot(RB_POWER_OFF);
  if (strcmp(name, "settime") == 0) {
    struct timespec now = {1, 0};
    return clock_settime(CLOCK_REALTIME, &now);
  }
  if (strcmp(name, "perf_event_open") == 0)
    return syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0);
  if (strcmp(name, "open_by_handle_at") == 0) return syscall(SYS_open_by_handle_at, -1, nullptr, 0);
  if (strcmp(name, "sethostname") == 0) return sethostname("evil", 4);
  errno = EINVAL;
  return -2;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    errno = 0;
    long result = attempt(argv[i]);
    printf("%s %d\n", argv[i], result >= 0 ? 0 : errno);
  }
  return 0;
}
