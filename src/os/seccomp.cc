#include "os/seccomp.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

namespace msb::os {

Result<void> install_seccomp_filter(std::span<const sock_filter> program) {
  if (program.empty() || program.size() > std::numeric_limits<unsigned short>::max()) {
    return err(ErrorKind::kInvalidArgument, "seccomp: program of {} instructions", program.size());
  }
  // SECURITY: no_new_privs first: without it a setuid binary run inside could shed the
  // filter's effect, and the kernel refuses unprivileged filters anyway.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return errno_error(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  }
  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   const_cast<sock_filter*>(program.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    return errno_error(errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
  }
  return {};
}

}  // namespace msb::os
