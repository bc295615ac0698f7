// Cleanup of cgroups whose supervisor was killed before it could remove them.
#pragma once

namespace msb::engine::ns {

// A sandbox's cgroup is named "<...>-<supervisor pid>". When that process no longer exists,
// every hierarchy's copy is removed; the kernel refuses to remove a cgroup that still holds
// processes, so a live sandbox (or a reused pid's) is never touched. Best effort; cheap (a
// directory listing per hierarchy). Not thread-safe against itself only in that two sweeps
// may both try the same rmdir, which is harmless.
void sweep_stale_cgroups();

}  // namespace msb::engine::ns
