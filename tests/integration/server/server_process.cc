#include "server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>

#include "os/file.h"
#include "os/io.h"
#include "test_engine.h"
#include "wait_until.h"

namespace msb::testing {

using nlohmann::json;

ServerProcess::ServerProcess(MsbHarness& harness, std::vector<std::string> extra,
                             std::string ca_file)
    : ca_file_(std::move(ca_file)) {
  std::vector<std::string> args = {"server"};
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end())
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  args.insert(args.end(), extra.begin(), extra.end());
  out_path_ = harness.home() + "/server.out." + std::to_string(++count_);
  os::Fd out = *os::open_file(out_path_, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  child_.emplace(harness.start(args, out.get()));
  bool up = wait_until(
      [&] {
        Result<std::string> text = os::read_file(out_path_);
        if (!text || text->find('\n') == std::string::npos) return false;
        url_ = text->substr(text->find("http"));
        url_ = url_.substr(0, url_.find('\n'));
        size_t any = url_.find("0.0.0.0");
        if (any != std::string::npos) url_.replace(any, 7, "127.0.0.1");
        return true;
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(up) << "msb server did not start: " << harness.started_stderr();
  token_ = os::read_file(harness.home() + "/server/token").value_or("");
  while (!token_.empty() && token_.back() == '\n') token_.pop_back();
}

HttpReply ServerProcess::call(const std::string& method, const std::string& path,
                              const json& body) {
  return http_request(method, url_ + path, token_, body.is_null() ? "" : body.dump(), 300,
                      ca_file_);
}

os::ExitStatus ServerProcess::terminate() {
  EXPECT_TRUE(child_->signal(SIGTERM).has_value());
  return child_->wait().value_or(os::ExitStatus{-1, 0});
}

json parsed(const HttpReply& reply) {
  json body = json::parse(reply.body, nullptr, false);
  return body.is_discarded() ? json(reply.body) : body;
}

std::string error_kind(const HttpReply& reply) {
  json body = parsed(reply);
  return body.contains("error") ? body["error"]["kind"].get<std::string>() : "";
}

json create_body(const std::string& name, json extra) {
  json body = {{"name", name}, {"image", "base"}, {"isolation", test_isolation()}};
  body.update(extra);
  return body;
}

}  // namespace msb::testing
