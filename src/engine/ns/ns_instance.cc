#include "engine/ns/ns_instance.h"

#include <fcntl.h>

#include "engine/log_tail.h"
#include "os/fs_calls.h"

namespace msb::engine::ns {

NsInstance::~NsInstance() {
  if (init_.running()) (void)init_.kill_and_wait();
  (void)cgroup_.remove();
  // The root was only ever attached inside the sandbox's own mount namespace, which died
  // with it: the mount point here is an empty directory (rmdir, never a recursive remove).
  (void)os::unlink_at(AT_FDCWD, root_mount_point_, true);
}

std::string NsInstance::failure_report(size_t lines) const {
  std::string console = last_lines_of_file(console_log_, lines);
  if (console.empty()) return "(the agent's log is empty)\n";
  return "agent log (last lines):\n" + console + "\n";
}

}  // namespace msb::engine::ns
