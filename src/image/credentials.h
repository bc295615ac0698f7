// Registry credentials from Docker-style config files.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"

namespace msb::image {

struct Credentials {
  std::string username;
  std::string password;
};

// Looks `registry` ("127.0.0.1:5000", "docker.io") up in "auths" of, in order,
// $MSB_HOME/config.json (`msb_home`), then $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. An entry is {"auth": base64("user:password")} or
// {"username": ..., "password": ...}; its key may carry a scheme and a path
// ("https://index.docker.io/v1/"). A file naming a credential helper for the registry
// ("credHelpers": {"host": "name"}, else "credsStore": "name") asks
// docker-credential-<name> first (Docker's helper protocol); its "not found" falls back
// to the file's "auths", and so does a helper program that is not installed. Missing files
// are skipped; nullopt when nothing has an entry. Errors: kInvalidConfig (malformed file
// or entry, with the path; a helper name other than [A-Za-z0-9._-]; helper output without
// Username and Secret), kPermissionDenied (the helper failed), kTimeout (it ran past 30 s).
// Thread-safe (reads the environment).
Result<std::optional<Credentials>> find_credentials(const std::string& registry,
                                                    const std::string& msb_home);

}  // namespace msb::image
