// The server tests' fixture: one real `msb server` (tests/integration/server/*_test.cc), and
// the helpers that read its JSON answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api_client.h"
#include "msb_harness.h"

namespace msb::testing {

// One `msb server` with `extra` flags (default: --listen 127.0.0.1:0, a free port) and the
// harness's $MSB_HOME. Its URL is read from its "listening on" line; an address of
// 0.0.0.0 is reached through 127.0.0.1. `ca_file` (PEM) verifies an https server.
class ServerProcess {
 public:
  explicit ServerProcess(MsbHarness& harness, std::vector<std::string> extra = {},
                         std::string ca_file = "");

  HttpReply call(const std::string& method, const std::string& path,
                 const nlohmann::json& body = nullptr);
  // SIGTERM, then the exit status.
  os::ExitStatus terminate();
  const std::string& url() const { return url_; }
  const std::string& token() const { return token_; }
  const std::string& ca_file() const { return ca_file_; }
  int pid() const { return child_->pid(); }

 private:
  static inline int count_ = 0;
  std::optional<os::ChildProcess> child_;
  std::string out_path_;
  std::string url_;
  std::string token_;
  std::string ca_file_;
};

// The body as JSON (a JSON string of it when it is not JSON).
nlohmann::json parsed(const HttpReply& reply);
// The error's kind, or "".
std::string error_kind(const HttpReply& reply);
// A create request for sandbox `name` on the test's engine, with `extra` keys.
nlohmann::json create_body(const std::string& name,
                           nlohmann::json extra = nlohmann::json::object());

}  // namespace msb::testing
