// TestRegistry: local OCI registries for image tests, on 127.0.0.1 and free ports, in a
// private temp dir. RAII: the destructor kills and reaps every process it started.
//   - plain:  docker-registry, no auth (fixtures pushed here; insecure HTTP)
//   - basic:  a second docker-registry on the same storage, htpasswd Basic auth
//   - bearer: tests/fixtures/registry/auth_proxy.py in front of plain: anonymous bearer
//             tokens, credential tokens for "private/..." repositories, request log and
//             fault injection (see that script).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "os/child_process.h"
#include "os/file.h"

namespace msb::testing {

struct ProxyRequest {
  std::string method, path, range, host;
  int status = 0;
  bool authorization = false;  // an Authorization header came with it
};

class TestRegistry {
 public:
  static constexpr const char* kUser = "msb-user";
  static constexpr const char* kPassword = "msb-secret";

  // Builds the fixture images (cached under MSB_FIXTURE_CACHE), starts the three servers
  // and, when `push`, pushes busybox, multilayer, multiarch (all platforms) and
  // private/busybox. Errors carry the failing step and its log.
  static Result<std::unique_ptr<TestRegistry>> start(bool push = true);
  ~TestRegistry() = default;

  std::string plain_host() const { return "127.0.0.1:" + std::to_string(plain_port_); }
  std::string basic_host() const { return "127.0.0.1:" + std::to_string(basic_port_); }
  std::string bearer_host() const { return "127.0.0.1:" + std::to_string(bearer_port_); }
  const std::string& dir() const { return dir_.path(); }
  // Where the fixture OCI layouts are (one directory per image).
  const std::string& fixture_dir() const { return fixture_dir_; }
  // fixtures.json of build_images.py: {"busybox": {"digest", "config", "layers": [...]}, ...}
  const nlohmann::json& fixtures() const { return fixtures_; }

  // Builds the large fixture (>= 200 MiB of files, cached with the others; about 20 s the
  // first time) and pushes it to plain as "large". Only the tests that need it pay for it.
  Result<void> push_large();

  // Replaces the proxy's fault rules (a JSON array; "[]" clears them).
  Result<void> set_faults(const std::string& rules_json);
  // Every request the proxy saw so far, oldest first.
  std::vector<ProxyRequest> proxy_requests() const;
  // Requests the proxy saw whose path contains `fragment`.
  std::vector<ProxyRequest> proxy_requests(const std::string& fragment) const;

 private:
  explicit TestRegistry(os::TempDir dir) : dir_(std::move(dir)) {}
  Result<void> build_fixtures(bool large = false);
  Result<void> start_registry(const std::string& name, const std::string& auth_yaml, int& port);
  Result<void> start_proxy();
  Result<void> push(const std::string& image, const std::string& repository, bool all);

  os::TempDir dir_;  // first member: removed after the processes below are gone
  std::vector<os::ChildProcess> processes_;
  int plain_port_ = 0, basic_port_ = 0, bearer_port_ = 0;
  std::string fixture_dir_;
  nlohmann::json fixtures_;
};

// Processes whose command line mentions `text` (pgrep -f), excluding ourselves.
std::vector<int> processes_mentioning(const std::string& text);

}  // namespace msb::testing
