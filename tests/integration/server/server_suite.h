// What the server_*_test.cc files share: the suite's server (one per engine process), an
// SSE reader, and a stream read on a thread of its own.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api_client.h"
#include "msb_harness.h"
#include "server_process.h"

namespace msb::testing {

using nlohmann::json;

// One server for every ServerTest case of this process (the engine's).
class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new MsbHarness();
    server_ =
        new ServerProcess(*harness_, {"--max-body-bytes", "65536", "--exec-attach-timeout", "3"});
  }
  static void TearDownTestSuite() {
    json listed = parsed(server_->call("GET", "/v1/sandboxes?limit=100"));
    for (const json& sandbox : listed["sandboxes"]) {
      std::string name = sandbox["name"];
      server_->call("POST", "/v1/sandboxes/" + name + "/kill");
      server_->call("DELETE", "/v1/sandboxes/" + name);
    }
    EXPECT_EQ(server_->terminate().code, 0);
    delete server_;
    EXPECT_TRUE(harness_->wait_no_qemu(std::chrono::seconds(30)));
    delete harness_;
  }
  static inline MsbHarness* harness_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

struct SseEvent {
  std::string name;
  std::string raw;  // the data line, JSON
  json data() const { return json::parse(raw); }
};

// Splits an SSE byte stream into events, across chunk boundaries.
class SseReader {
 public:
  std::vector<SseEvent> events;
  void feed(const std::string& chunk) {
    buffer_ += chunk;
    size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      if (block.rfind(":", 0) == 0) continue;  // a comment (keep-alive)
      SseEvent event;
      size_t newline = block.find('\n');
      event.name = block.substr(7, newline - 7);  // "event: "
      event.raw = block.substr(newline + 1 + 6);  // after "data: "
      events.push_back(std::move(event));
    }
  }
  std::string output(const std::string& stream) const {
    std::string out;
    for (const SseEvent& event : events)
      if (event.name == stream) out += event.data().value("data", "");
    return out;
  }

 private:
  std::string buffer_;
};

// Execs in one sandbox, made by the first case that needs it.
inline std::string start_exec(ServerProcess& server, const json& body) {
  static bool made = false;
  if (!made) {
    HttpReply created = server.call("POST", "/v1/sandboxes", create_body("stream-box"));
    EXPECT_EQ(created.status, 201) << created.body;
    made = true;
  }
  HttpReply started = server.call("POST", "/v1/sandboxes/stream-box/execs", body);
  EXPECT_EQ(started.status, 201) << started.body;
  return json::parse(started.body, nullptr, false).value("id", "");
}

// A streamed answer read by a thread of its own, safe to look at while it runs.
class BackgroundStream {
 public:
  BackgroundStream(const ServerProcess& server, const std::string& path,
                   const std::string& post_body = "") {
    thread_ = std::thread([this, url = server.url() + path, token = server.token(), post_body] {
      long got = http_stream(
          url, token,
          [this](const std::string& chunk) {
            std::lock_guard lock(mutex_);
            reader_.feed(chunk);
            return true;
          },
          600, post_body);
      status_ = got;
    });
  }
  ~BackgroundStream() { join(); }
  long join() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  std::vector<SseEvent> events() const {
    std::lock_guard lock(mutex_);
    return reader_.events;
  }
  bool saw_text(const std::string& text) const {
    for (const SseEvent& event : events())
      if (event.raw.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  mutable std::mutex mutex_;
  SseReader reader_;
  std::atomic<long> status_{0};
  std::thread thread_;
};

}  // namespace msb::testing
