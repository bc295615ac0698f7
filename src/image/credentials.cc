#include "image/credentials.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "common/base64.h"
#include "image/json_fields.h"
#include "os/file_status.h"
#include "os/run_command.h"

namespace msb::image {
namespace {

constexpr size_t kMaxConfigFileBytes = 1 << 20;
// A helper may ask a keychain that prompts; it must not hang a pull forever.
constexpr std::chrono::seconds kHelperTimeout{30};

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

// The helper for `registry`: its credHelpers entry, else credsStore; "" for none.
Result<std::string> helper_for(const Json& config, const std::string& registry) {
  std::string helper;
  if (const Json* store = find_member(config, "credsStore"); store != nullptr) {
    if (!store->is_string())
      return err(ErrorKind::kInvalidConfig, "\"credsStore\" is not a string");
    helper = store->get<std::string>();
  }
  if (const Json* helpers = find_member(config, "credHelpers"); helpers != nullptr) {
    if (!helpers->is_object())
      return err(ErrorKind::kInvalidConfig, "\"credHelpers\" is not an object");
    for (const auto& [key, name] : helpers->items()) {
      if (normalize_host(key) != registry) continue;
      if (!name.is_string())
        return err(ErrorKind::kInvalidConfig, "credHelpers[\"{}\"] is not a string", key);
      helper = name.get<std::string>();
    }
  }
  // SECURITY: the name becomes part of a program name looked up on $PATH.
  bool valid = std::all_of(helper.begin(), helper.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!valid || helper.starts_with("."))
    return err(ErrorKind::kInvalidConfig, "credential helper name \"{}\" is invalid", helper);
  return helper;
}

// Asks docker-credential-<helper> for `registry`'s credentials (the Docker credential
// helper protocol: "get", the server URL on stdin, {"Username","Secret"} on stdout).
// nullopt when the helper has none.
Result<std::optional<Credentials>> ask_helper(const std::string& helper,
                                              const std::string& registry) {
  std::string program = "docker-credential-" + helper;
  std::string server = registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
  Result<os::CommandOutput> ran =
      os::run_command_with_input({program, "get"}, server, kHelperTimeout);
  // A config copied from another machine often names a helper not installed here: Docker
  // would fail every pull; an anonymous pull (and the registry's own auth error) is kinder.
  if (!ran && ran.error().kind == ErrorKind::kNotFound) return std::optional<Credentials>();
  os::CommandOutput output = MSB_TRY(std::move(ran).context("credential helper {}", program));
  if (!output.status.success()) {
    std::string said = output.out + output.err;
    if (said.find("credentials not found") != std::string::npos)
      return std::optional<Credentials>();
    return err(ErrorKind::kPermissionDenied, "credential helper {} failed (exit {}): {}", program,
               output.status.shell_code(), said.substr(0, 512));
  }
  Result<Json> json = parse_json_object(output.out, kMaxConfigFileBytes, "credential helper");
  if (!json) return err(ErrorKind::kInvalidConfig, "{} printed {}", program, json.error().message);
  Result<std::optional<std::string>> user = optional_string(*json, "Username", program);
  Result<std::optional<std::string>> secret = optional_string(*json, "Secret", program);
  if (!user || !secret || !*user || !*secret || (*secret)->empty())
    return err(ErrorKind::kInvalidConfig, "{} printed no Username and Secret", program);
  return std::optional<Credentials>(Credentials{**user, **secret});
}

Result<std::optional<Credentials>> lookup(const std::string& path, const std::string& registry) {
  Result<std::string> text = os::read_regular_file(path, kMaxConfigFileBytes);
  if (!text && text.error().kind == ErrorKind::kNotFound) return std::optional<Credentials>();
  if (!text && text.error().kind == ErrorKind::kInvalidArgument)  // too large, not a file
    return err(ErrorKind::kInvalidConfig, "{}", text.error().message);
  if (!text) return tl::unexpected(text.error());
  Result<Json> json = parse_json_object(*text, kMaxConfigFileBytes, "config");
  if (!json) return err(ErrorKind::kInvalidConfig, "{}", json.error().message);
  std::string helper = MSB_TRY(helper_for(*json, registry));
  if (!helper.empty()) {
    std::optional<Credentials> found = MSB_TRY(ask_helper(helper, registry));
    if (found) return found;
  }
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
