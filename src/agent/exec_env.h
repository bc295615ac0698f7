// Turns an exec.request into what start_exec_process needs: the user resolved to ids, the
// environment merged over the defaults, the executable resolved on that environment's
// PATH, the cwd.
#pragma once

#include <cstddef>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "agent/exec_child.h"
#include "protocol/messages.h"

namespace msb::agent {

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `overrides` entries ("K=V") replace same-key entries of `base`; order is kept.
std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides);

// Where the user database is: the sandbox's own, as the agent sees it after the root switch.
inline constexpr const char* kEtcDir = "/etc";
// /etc/passwd and /etc/group larger than this are refused (exec.failed kind "other").
inline constexpr size_t kMaxUserDbBytes = 4 << 20;

// Resolves request.user against `etc_dir`/passwd and /group (see user_db.h), merges the
// environment (HOME, USER and LOGNAME from the user's entry, under the request's), finds
// the executable, parses the resource limits (rlimits.h) and sizes the terminal (rows and
// cols 0 mean 24 and 80). Returns the exec.failed payload on failure: kind
// "resource-limit" (errno 0) for a bad rlimits entry, "bad-user" for a malformed or
// unknown user or group, "not-found"/"permission-denied" for the command. Thread-safe.
tl::expected<ExecLaunch, protocol::ExecFailed> prepare_exec(const protocol::ExecRequest& request,
                                                            const std::string& etc_dir = kEtcDir);

}  // namespace msb::agent
