#include "image/reference.h"

#include <vector>

#include "image/digest.h"

namespace msb::image {
namespace {

constexpr size_t kMaxNameLength = 255;  // registry + repository, as in distribution/reference
constexpr size_t kMaxTagLength = 128;
constexpr std::string_view kDockerHub = "docker.io";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

tl::unexpected<Error> invalid(std::string_view text, std::string_view why) {
  return err(ErrorKind::kInvalidArgument, "invalid image reference \"{}\": {}", text, why);
}

// One path component: [a-z0-9]+ joined by ".", "_", "__" or any run of "-".
bool valid_component(std::string_view part) {
  if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back())) return false;
  size_t i = 0;
  while (i < part.size()) {
    if (is_lower_alnum(part[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < part.size() && !is_lower_alnum(part[i])) ++i;
    std::string_view separator = part.substr(start, i - start);
    bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
    if (separator != "." && separator != "_" && separator != "__" && !dashes) return false;
  }
  return true;
}

// A DNS label: alphanumerics and inner dashes.
bool valid_host_label(std::string_view label) {
  if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
  for (char c : label) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

// host[:port], where host is DNS labels joined by dots or a bracketed IPv6 address.
bool valid_registry(std::string_view registry) {
  std::string_view host = registry;
  std::string_view port;
  if (registry.starts_with('[')) {
    size_t close = registry.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    std::string_view address = registry.substr(1, close - 1);
    if (address.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return false;
    std::string_view rest = registry.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && valid_port(rest.substr(1));
  }
  if (size_t colon = registry.rfind(':'); colon != std::string_view::npos) {
    host = registry.substr(0, colon);
    port = registry.substr(colon + 1);
    if (!valid_port(port)) return false;
  }
  while (true) {
    size_t dot = host.find('.');
    if (!valid_host_label(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength) return false;
  if (!is_alnum(tag.front()) && tag.front() != '_') return false;
  for (char c : tag) {
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

// Docker's rule: the first part names a registry when it has a dot or a colon, or is
// "localhost"; otherwise the whole name is a Docker Hub repository.
bool looks_like_registry(std::string_view part) {
  return part.find_first_of(".:[") != std::string_view::npos || part == "localhost";
}

Result<void> split_name(std::string_view text, std::string_view name, Reference& ref) {
  size_t slash = name.find('/');
  std::string_view repository = name;
  if (slash != std::string_view::npos && looks_like_registry(name.substr(0, slash))) {
    std::string_view registry = name.substr(0, slash);
    if (!valid_registry(registry)) return invalid(text, "bad registry host or port");
    ref.registry = std::string(registry);
    repository = name.substr(slash + 1);
  } else {
    ref.registry = std::string(kDockerHub);
  }
  if (ref.registry == "index.docker.io") ref.registry = std::string(kDockerHub);
  if (repository.empty()) return invalid(text, "repository name is empty");
  for (std::string_view rest = repository;;) {
    size_t next = rest.find('/');
    std::string_view part = rest.substr(0, next);
    if (part.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos)
      return invalid(text, "repository name must be lowercase");
    if (!valid_component(part)) {
      return invalid(text,
                     "repository path components are [a-z0-9] joined by '.', '_', "
                     "'__' or '-', and are not empty");
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  ref.repository = std::string(repository);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  return {};
}

}  // namespace

std::string Reference::str() const {
  std::string text = registry + "/" + repository;
  if (!tag.empty()) text += ":" + tag;
  if (!digest.empty()) text += "@" + digest;
  return text;
}

std::string Reference::api_host() const {
  return registry == kDockerHub ? std::string("registry-1.docker.io") : registry;
}

Result<Reference> parse_reference(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!digest.starts_with("sha256:") && digest.find(':') != std::string_view::npos &&
        digest.find(':') > 0)
      return invalid(text, "unsupported digest algorithm (only sha256)");
    if (!is_valid_digest(digest)) return invalid(text, "digest must be sha256:<64 lowercase hex>");
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' unless a '/' comes after it (then it was a registry port).
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag))
      return invalid(text, "tag must be 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-'");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return invalid(text, "repository name is empty");
  MSB_TRY(split_name(text, rest, ref));
  if (ref.registry.size() + 1 + ref.repository.size() > kMaxNameLength)
    return invalid(text, "name longer than 255 characters");
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace msb::image
