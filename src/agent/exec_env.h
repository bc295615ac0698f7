// Turns an exec.request into what start_exec_process needs: the environment merged over
// the guest defaults, the executable resolved on that environment's PATH, the cwd.
#pragma once

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

tl::expected<ExecLaunch, protocol::ExecFailed> prepare_exec(const protocol::ExecRequest& request);

}  // namespace msb::agent
