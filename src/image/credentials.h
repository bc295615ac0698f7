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
// ("https://index.docker.io/v1/"). Missing files are skipped; nullopt when no file has an
// entry. Errors: kInvalidConfig (malformed file or entry, with the path). Thread-safe
// (reads the environment).
Result<std::optional<Credentials>> find_credentials(const std::string& registry,
                                                    const std::string& msb_home);

}  // namespace msb::image
