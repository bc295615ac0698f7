#include "image/credentials.h"

#include <cstdlib>
#include <vector>

#include "image/base64.h"
#include "image/json_fields.h"
#include "os/file_status.h"

namespace msb::image {
namespace {

constexpr size_t kMaxConfigFileBytes = 1 << 20;

// "https://index.docker.io/v1/" -> "docker.io"; "http://h:5000/x" -> "h:5000".
std::string normalize_host(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos)
    key.remove_prefix(scheme + 3);
  key = key.substr(0, key.find('/'));
  if (key == "index.docker.io" || key == "registry-1.docker.io") return "docker.io";
  return std::string(key);
}

std::vector<std::string> config_paths(const std::string& msb_home) {
  std::vector<std::string> paths;
  if (!msb_home.empty()) paths.push_back(msb_home + "/config.json");
  if (const char* docker = std::getenv("DOCKER_CONFIG"); docker != nullptr && *docker != '\0') {
    paths.push_back(std::string(docker) + "/config.json");
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    paths.push_back(std::string(home) + "/.docker/config.json");
  }
  return paths;
}

Result<Credentials> parse_entry(const Json& entry) {
  if (!entry.is_object()) return err(ErrorKind::kInvalidConfig, "entry is not an object");
  Result<std::optional<std::string>> auth = optional_string(entry, "auth", "auths");
  if (!auth) return err(ErrorKind::kInvalidConfig, "{}", auth.error().message);
  if (*auth && !(*auth)->empty()) {
    std::optional<std::string> decoded = base64_decode(**auth);
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return err(ErrorKind::kInvalidConfig, "\"auth\" is not base64 of user:password");
    return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  }
  Result<std::optional<std::string>> user = optional_string(entry, "username", "auths");
  Result<std::optional<std::string>> password = optional_string(entry, "password", "auths");
  if (!user || !password || !*user || !*password)
    return err(ErrorKind::kInvalidConfig, "entry has neither \"auth\" nor username and password");
  return Credentials{**user, **password};
}

Result<std::optional<Credentials>> lookup(const std::string& path, const std::string& registry) {
  Result<std::string> text = os::read_regular_file(path, kMaxConfigFileBytes);
  if (!text && text.error().kind == ErrorKind::kNotFound) return std::optional<Credentials>();
  if (!text && text.error().kind == ErrorKind::kInvalidArgument)  // too large, not a file
    return err(ErrorKind::kInvalidConfig, "{}", text.error().message);
  if (!text) return tl::unexpected(text.error());
  Result<Json> json = parse_json_object(*text, kMaxConfigFileBytes, "config");
  if (!json) return err(ErrorKind::kInvalidConfig, "{}", json.error().message);
  const Json* auths = find_member(*json, "auths");
  if (auths == nullptr) return std::optional<Credentials>();
  if (!auths->is_object()) return err(ErrorKind::kInvalidConfig, "\"auths\" is not an object");
  for (const auto& [key, entry] : auths->items()) {
    if (normalize_host(key) != registry) continue;
    Credentials credentials = MSB_TRY(parse_entry(entry).context("auths[\"{}\"]", key));
    return std::optional<Credentials>(std::move(credentials));
  }
  return std::optional<Credentials>();
}

}  // namespace

Result<std::optional<Credentials>> find_credentials(const std::string& registry,
                                                    const std::string& msb_home) {
  std::string host = normalize_host(registry);
  for (const std::string& path : config_paths(msb_home)) {
    std::optional<Credentials> found = MSB_TRY(lookup(path, host).context("{}", path));
    if (found) return found;
  }
  return std::optional<Credentials>();
}

}  // namespace msb::image
