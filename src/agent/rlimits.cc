#include "agent/rlimits.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <utility>

namespace msb::agent {
namespace {

constexpr std::array<std::pair<std::string_view, RlimitResource>, 16> kResources{{
    {"as", RLIMIT_AS},
    {"core", RLIMIT_CORE},
    {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE},
    {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},
    {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<RlimitResource> find_resource(std::string_view name) {
  std::string key = lower(name);
  for (const auto& [known, resource] : kResources) {
    if (known == key) return resource;
  }
  return std::nullopt;
}

// "unlimited" or a decimal number that fits rlim_t; nullopt otherwise (signs, spaces,
// hex and empty text included).
std::optional<rlim_t> parse_value(std::string_view text) {
  if (lower(text) == "unlimited") return RLIM_INFINITY;
  if (text.empty()) return std::nullopt;
  rlim_t value = 0;
  constexpr rlim_t kMax = std::numeric_limits<rlim_t>::max();
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    rlim_t digit = static_cast<rlim_t>(c - '0');
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

tl::unexpected<Error> bad_spec(std::string_view spec, std::string_view why) {
  return err(ErrorKind::kInvalidArgument, "bad resource limit '{}': {}", spec, why);
}

}  // namespace

Result<ResourceLimit> parse_resource_limit(std::string_view spec) {
  size_t equals = spec.find('=');
  if (equals == std::string_view::npos) return bad_spec(spec, "expected RESOURCE=SOFT[:HARD]");
  std::optional<RlimitResource> resource = find_resource(spec.substr(0, equals));
  if (!resource) {
    return bad_spec(spec,
                    "unknown resource (as, core, cpu, data, fsize, locks, memlock, "
                    "msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)");
  }
  std::string_view values = spec.substr(equals + 1);
  size_t colon = values.find(':');
  std::optional<rlim_t> soft = parse_value(values.substr(0, colon));
  std::optional<rlim_t> hard =
      colon == std::string_view::npos ? soft : parse_value(values.substr(colon + 1));
  if (!soft || !hard) return bad_spec(spec, "a limit must be a decimal number or 'unlimited'");
  // RLIM_INFINITY is the largest rlim_t, so "unlimited" compares as above any number.
  if (*soft > *hard) return bad_spec(spec, "the soft limit is above the hard limit");
  return ResourceLimit{*resource, *soft, *hard, std::string(spec)};
}

Result<std::vector<ResourceLimit>> parse_resource_limits(const std::vector<std::string>& specs) {
  std::vector<ResourceLimit> limits;
  for (const std::string& spec : specs) limits.push_back(MSB_TRY(parse_resource_limit(spec)));
  return limits;
}

}  // namespace msb::agent
