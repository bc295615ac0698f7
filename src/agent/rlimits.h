// Resource limits of exec.request.rlimits: "RESOURCE=SOFT[:HARD]" entries, parsed before
// fork and applied with setrlimit in the child (exec_child.cc).
#pragma once

#include <sys/resource.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::agent {

// The type setrlimit takes for its resource (an enum in glibc, an int elsewhere).
using RlimitResource = decltype(RLIMIT_NOFILE);

struct ResourceLimit {
  RlimitResource resource{};
  rlim_t soft = 0;
  rlim_t hard = 0;
  std::string spec;  // the entry as the host wrote it, for messages
  bool operator==(const ResourceLimit&) const = default;
};

// Parses one "RESOURCE=SOFT[:HARD]" entry. RESOURCE is one of as, core, cpu, data, fsize,
// locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack
// (any case); SOFT and HARD are decimal numbers or "unlimited" (any case). HARD defaults
// to SOFT. kInvalidArgument, with a message naming the entry, for anything else or a SOFT
// above HARD. Thread-safe.
Result<ResourceLimit> parse_resource_limit(std::string_view spec);

// Parses every entry in order (the first bad one fails the whole list). Thread-safe.
Result<std::vector<ResourceLimit>> parse_resource_limits(const std::vector<std::string>& specs);

}  // namespace msb::agent
