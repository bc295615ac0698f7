// msb server end to end: the real msb binary serving the API over HTTP on 127.0.0.1, driven
// by libcurl, on the test's engine.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "api_client.h"
#include "image/digest.h"
#include "msb_harness.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/io.h"
#include "server_process.h"
#include "shared_registry.h"
#include "test_engine.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using nlohmann::json;

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

TEST_F(ServerTest, EveryRequestNeedsTheToken) {
  HttpReply none = http_request("GET", server_->url() + "/v1/sandboxes", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body, "{}");  // no detail
  HttpReply wrong = http_request("GET", server_->url() + "/v1/sandboxes", std::string(64, 'x'));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(http_request("GET", server_->url() + "/openapi.json", "").status, 401);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes").status, 200);
}

TEST_F(ServerTest, TokenFileIsPrivate) {
  Result<os::FileStatus> status = os::lstat_path(harness_->home() + "/server/token");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->mode & 0777, 0600u);
  EXPECT_EQ(server_->token().size(), 64u);
}

TEST_F(ServerTest, ServesItsOpenApiDocument) {
  HttpReply reply = server_->call("GET", "/openapi.json");
  ASSERT_EQ(reply.status, 200);
  json document = parsed(reply);
  EXPECT_EQ(document["openapi"], "3.1.0");
  EXPECT_TRUE(document["paths"].contains("/v1/sandboxes/{name}/exec"));
}

TEST_F(ServerTest, SandboxLifecycleThroughTheApi) {
  HttpReply created = server_->call("POST", "/v1/sandboxes",
                                    create_body("api-life", {{"labels", {{"suite", "life"}}}}));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parsed(created)["status"], "running");
  EXPECT_EQ(parsed(created)["isolation"], test_isolation());

  HttpReply got = server_->call("GET", "/v1/sandboxes/api-life");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(parsed(got)["labels"]["suite"], "life");

  json listed = parsed(server_->call("GET", "/v1/sandboxes?label=suite%3Dlife"));
  ASSERT_EQ(listed["sandboxes"].size(), 1u);
  EXPECT_EQ(listed["sandboxes"][0]["name"], "api-life");
  EXPECT_TRUE(
      parsed(server_->call("GET", "/v1/sandboxes?label=suite%3Dother"))["sandboxes"].empty());

  HttpReply ran = server_->call("POST", "/v1/sandboxes/api-life/exec",
                                {{"cmd", "sh"},
                                 {"args", {"-c", "echo $GREETING; cat; echo oops >&2; exit 3"}},
                                 {"env", {{"GREETING", "hello"}}},
                                 {"stdin", "from stdin\n"}});
  ASSERT_EQ(ran.status, 200) << ran.body;
  EXPECT_EQ(parsed(ran)["stdout"], "hello\nfrom stdin\n");
  EXPECT_EQ(parsed(ran)["stderr"], "oops\n");
  EXPECT_EQ(parsed(ran)["exit_code"], 3);
  EXPECT_EQ(parsed(ran)["success"], false);

  HttpReply binary = server_->call("POST", "/v1/sandboxes/api-life/exec",
                                   {{"cmd", "printf"}, {"args", {"\\377\\000"}}});
  ASSERT_EQ(binary.status, 200);
  EXPECT_EQ(parsed(binary)["stdout_base64"], "/wA=");

  HttpReply stopped = server_->call("POST", "/v1/sandboxes/api-life/stop", {{"timeout_ms", 30000}});
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(parsed(stopped)["status"], "stopped");
  HttpReply started = server_->call("POST", "/v1/sandboxes/api-life/start");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(parsed(started)["status"], "running");
  // Execs after a restart reach the new run (the server's kept handles were dropped).
  HttpReply after =
      server_->call("POST", "/v1/sandboxes/api-life/exec", {{"cmd", "echo"}, {"args", {"again"}}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(parsed(after)["stdout"], "again\n");
  HttpReply killed = server_->call("POST", "/v1/sandboxes/api-life/kill");
  ASSERT_EQ(killed.status, 200) << killed.body;
  EXPECT_EQ(parsed(killed)["status"], "stopped");

  HttpReply logs = server_->call("GET", "/v1/sandboxes/api-life/logs");
  ASSERT_EQ(logs.status, 200);
  EXPECT_NE(logs.body.find("from stdin"), std::string::npos);

  EXPECT_EQ(server_->call("DELETE", "/v1/sandboxes/api-life").status, 204);
  HttpReply gone = server_->call("GET", "/v1/sandboxes/api-life");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(error_kind(gone), "not-found");
}

TEST_F(ServerTest, ErrorsHaveKindsAndStatuses) {
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("api-err")).status, 201);
  HttpReply again = server_->call("POST", "/v1/sandboxes", create_body("api-err"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_kind(again), "already-exists");
  HttpReply running = server_->call("DELETE", "/v1/sandboxes/api-err");
  EXPECT_EQ(running.status, 409);
  EXPECT_EQ(error_kind(running), "still-running");
  HttpReply missing_command =
      server_->call("POST", "/v1/sandboxes/api-err/exec", {{"cmd", "/no/such/program"}});
  EXPECT_EQ(missing_command.status, 422) << missing_command.body;
  EXPECT_EQ(error_kind(missing_command), "exec-failed");

  HttpReply typo = server_->call("POST", "/v1/sandboxes", {{"name", "x"}, {"imgae", "base"}});
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(parsed(typo)["error"]["message"].get<std::string>().find("imgae"), std::string::npos);
  HttpReply not_json =
      http_request("POST", server_->url() + "/v1/sandboxes", server_->token(), "{");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(server_->call("GET", "/v1/nothing").status, 404);
  EXPECT_EQ(server_->call("PUT", "/v1/sandboxes").status, 405);
  HttpReply unknown = server_->call("POST", "/v1/sandboxes/nobody/stop");
  EXPECT_EQ(unknown.status, 404);
  // A failed create leaves nothing behind.
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/x").status, 404);
}

TEST_F(ServerTest, OversizeBodyIs413AndTheServerGoesOn) {
  std::string huge = "{\"name\":\"big\",\"env\":{\"X\":\"" + std::string(200000, 'x') + "\"}}";
  HttpReply reply = http_request("POST", server_->url() + "/v1/sandboxes", server_->token(), huge);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(error_kind(reply), "invalid-argument");
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes").status, 200);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/big").status, 404);
}

TEST_F(ServerTest, TwentyConcurrentClients) {
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("api-many")).status, 201);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back([&, i] {
      bool fine = true;
      for (int j = 0; j < 5; ++j)
        fine = fine && server_->call("GET", "/v1/sandboxes").status == 200;
      HttpReply ran = server_->call("POST", "/v1/sandboxes/api-many/exec",
                                    {{"cmd", "echo"}, {"args", {std::to_string(i)}}});
      fine = fine && ran.status == 200 && parsed(ran)["stdout"] == std::to_string(i) + "\n";
      if (fine) ++ok;
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(ok.load(), 20);
}

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
std::string start_exec(ServerProcess& server, const json& body) {
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

TEST_F(ServerTest, StreamStdinInOutputAndExitOut) {
  std::string id =
      start_exec(*server_, {{"cmd", "sh"}, {"args", {"-c", "read a; echo got $a; cat >&2"}}});
  SseReader reader;
  std::thread client([&] {
    EXPECT_EQ(http_stream(server_->url() + "/v1/execs/" + id + "/events", server_->token(),
                          [&](const std::string& chunk) {
                            reader.feed(chunk);
                            return true;
                          }),
              200);
  });
  EXPECT_EQ(http_request("POST", server_->url() + "/v1/execs/" + id + "/stdin", server_->token(),
                         "hello\n")
                .status,
            204);
  EXPECT_EQ(http_request("POST", server_->url() + "/v1/execs/" + id + "/stdin?eof=true",
                         server_->token(), "tail")
                .status,
            204);
  client.join();
  ASSERT_FALSE(reader.events.empty());
  EXPECT_EQ(reader.events.front().name, "started");
  EXPECT_EQ(reader.output("stdout"), "got hello\n");
  EXPECT_EQ(reader.output("stderr"), "tail");
  EXPECT_EQ(reader.events.back().name, "exit");
  EXPECT_EQ(reader.events.back().data()["exit_code"], 0);
  // The session is gone once its stream ended.
  EXPECT_EQ(server_->call("DELETE", "/v1/execs/" + id).status, 404);
}

TEST_F(ServerTest, StreamSixteenMebibytesOfOutput) {
  std::string id =
      start_exec(*server_, {{"cmd", "sh"},
                            {"args", {"-c", "head -c 16777216 /dev/zero | tr '\\0' a"}},
                            {"stdin", "null"}});
  SseReader reader;
  size_t bytes = 0;
  EXPECT_EQ(http_stream(server_->url() + "/v1/execs/" + id + "/events", server_->token(),
                        [&](const std::string& chunk) {
                          reader.feed(chunk);
                          for (SseEvent& event : reader.events) {
                            // {"data":"aaa..."}: the output is plain 'a's, nothing escaped.
                            if (event.name == "stdout") bytes += event.raw.size() - 11;
                          }
                          std::erase_if(reader.events,
                                        [](const SseEvent& e) { return e.name == "stdout"; });
                          return true;
                        }),
            200);
  EXPECT_EQ(bytes, 16u << 20);
  ASSERT_FALSE(reader.events.empty());
  EXPECT_EQ(reader.events.back().name, "exit");
  EXPECT_EQ(reader.events.back().data()["exit_code"], 0);
}

TEST_F(ServerTest, StreamSignalEndsTheProcess) {
  std::string id = start_exec(*server_, {{"cmd", "sleep"}, {"args", {"600"}}});
  SseReader reader;
  std::thread client([&] {
    http_stream(server_->url() + "/v1/execs/" + id + "/events", server_->token(),
                [&](const std::string& chunk) {
                  reader.feed(chunk);
                  return true;
                });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server_->call("POST", "/v1/execs/" + id + "/signal", {{"signal", 15}}).status, 204);
  client.join();
  ASSERT_FALSE(reader.events.empty());
  EXPECT_EQ(reader.events.back().name, "exit");
  EXPECT_EQ(reader.events.back().data()["signal"], 15);
}

TEST_F(ServerTest, StreamAClientThatGoesAwayKillsTheProcess) {
  std::string id = start_exec(
      *server_,
      {{"cmd", "sh"}, {"args", {"-c", "while true; do echo tick-marker; sleep 0.1; done"}}});
  int chunks = 0;
  http_stream(server_->url() + "/v1/execs/" + id + "/events", server_->token(),
              [&](const std::string& chunk) {
                return chunk.find("tick-marker") == std::string::npos || ++chunks < 2;
              });
  // The server notices at its next write (the next tick) and kills the process group.
  bool gone = false;
  for (int attempt = 0; attempt < 100 && !gone; ++attempt) {
    HttpReply ps = server_->call(
        "POST", "/v1/sandboxes/stream-box/exec",
        {{"cmd", "sh"}, {"args", {"-c", "ps -o args | grep -c '[t]ick-marker' || true"}}});
    gone = ps.status == 200 && json::parse(ps.body)["stdout"] == "0\n";
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(server_->call("DELETE", "/v1/execs/" + id).status, 404);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes").status, 200);  // still healthy
}

TEST_F(ServerTest, StreamUnknownSessionsAre404) {
  EXPECT_EQ(server_->call("POST", "/v1/execs/exec-999999/signal", {{"signal", 9}}).status, 404);
  EXPECT_EQ(http_stream(server_->url() + "/v1/execs/exec-999999/events", server_->token(),
                        [](const std::string&) { return true; }),
            404);
  EXPECT_EQ(
      server_->call("POST", "/v1/sandboxes/stream-box/execs", {{"cmd", "true"}, {"stdin", "x"}})
          .status,
      400);
}

std::string file_url(const std::string& what, const std::string& path) {
  return "/v1/sandboxes/files-box/" + what + "?path=" + path;
}

TEST_F(ServerTest, FilesRoundTrip) {
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("files-box")).status, 201);
  HttpReply put =
      http_request("PUT", server_->url() + file_url("files", "/tmp/a.txt") + "&mode=0600",
                   server_->token(), "hello");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(parsed(put)["bytes"], 5);
  EXPECT_EQ(
      http_request("GET", server_->url() + file_url("files", "/tmp/a.txt"), server_->token()).body,
      "hello");
  json stat = parsed(server_->call("GET", file_url("fs/stat", "/tmp/a.txt")));
  EXPECT_EQ(stat["type"], "file");
  EXPECT_EQ(stat["size"], 5);
  EXPECT_EQ(stat["mode"], 0600);
  EXPECT_EQ(server_
                ->call("POST", "/v1/sandboxes/files-box/fs/mkdir",
                       {{"path", "/tmp/d/e"}, {"parents", true}})
                .status,
            204);
  json listed = parsed(server_->call("GET", file_url("fs/list", "/tmp/d")));
  ASSERT_EQ(listed["entries"].size(), 1u);
  EXPECT_EQ(listed["entries"][0]["name"], "e");
  EXPECT_EQ(listed["entries"][0]["type"], "directory");
  EXPECT_EQ(server_
                ->call("POST", "/v1/sandboxes/files-box/fs/rename",
                       {{"from", "/tmp/a.txt"}, {"to", "/tmp/d/b.txt"}})
                .status,
            204);
  HttpReply old =
      http_request("GET", server_->url() + file_url("files", "/tmp/a.txt"), server_->token());
  EXPECT_EQ(old.status, 404);
  EXPECT_EQ(error_kind(old), "not-found");
  EXPECT_EQ(server_->call("DELETE", file_url("files", "/tmp/d")).status, 409);  // not empty
  EXPECT_EQ(server_->call("DELETE", file_url("files", "/tmp/d") + "&recursive=true").status, 204);
  EXPECT_EQ(parsed(server_->call("GET", file_url("fs/stat", "/tmp/d")))["exists"], false);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/files-box/fs/stat?path=relative").status, 400);
}

TEST_F(ServerTest, FilesDownloadStreamsABinaryFile) {
  if (server_->call("GET", "/v1/sandboxes/files-box").status != 200) {
    ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("files-box")).status, 201);
  }
  HttpReply made = server_->call(
      "POST", "/v1/sandboxes/files-box/exec",
      {{"cmd", "sh"},
       {"args", {"-c", "head -c 4194304 /dev/urandom > /tmp/big && sha256sum /tmp/big"}}});
  ASSERT_EQ(made.status, 200) << made.body;
  std::string guest_sum = parsed(made)["stdout"].get<std::string>().substr(0, 64);
  std::string bytes;
  EXPECT_EQ(http_stream(server_->url() + file_url("files", "/tmp/big"), server_->token(),
                        [&](const std::string& chunk) {
                          bytes += chunk;
                          return true;
                        }),
            200);
  ASSERT_EQ(bytes.size(), 4194304u);
  std::string host_copy = harness_->home() + "/big.download";
  ASSERT_TRUE(os::write_file(host_copy, bytes).has_value());
  EXPECT_EQ(image::sha256_file(host_copy).value(), "sha256:" + guest_sum);
}

// A server of its own: SIGTERM stops the sandboxes created attached to it, not the others.
// The reference as one path segment: '/' and ':' percent-encoded.
std::string image_path(const std::string& reference) {
  std::string out = "/v1/images/";
  for (char c : reference) {
    if (c == '/')
      out += "%2F";
    else if (c == ':')
      out += "%3A";
    else
      out += c;
  }
  return out;
}

std::string fixture_image(const std::string& name) {
  return shared_registry().plain_host() + "/" + name + ":latest";
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

TEST_F(ServerTest, ImagesPullListInspectAndRemove) {
  std::string reference = fixture_image("busybox");
  std::string digest = shared_registry().fixtures().at("busybox").at("digest");
  HttpReply pulled = server_->call("POST", "/v1/images/pull", {{"reference", reference}});
  ASSERT_EQ(pulled.status, 200) << pulled.body;
  EXPECT_EQ(parsed(pulled)["manifest_digest"], digest);
  EXPECT_EQ(parsed(pulled)["references"], json::array({reference}));

  json listed = parsed(server_->call("GET", "/v1/images"));
  ASSERT_TRUE(listed["images"].is_array()) << listed;
  EXPECT_TRUE(std::any_of(listed["images"].begin(), listed["images"].end(),
                          [&](const json& image) { return image["manifest_digest"] == digest; }));

  HttpReply inspected = server_->call("GET", image_path(reference));
  ASSERT_EQ(inspected.status, 200) << inspected.body;
  json detail = parsed(inspected);
  EXPECT_EQ(detail["layers"].size(), detail["layer_count"].get<size_t>());
  EXPECT_TRUE(detail["config"].is_object());
  EXPECT_EQ(server_->call("GET", image_path(digest)).status, 200);  // by digest as well

  // In use by a sandbox: kept unless forced.
  HttpReply created =
      server_->call("POST", "/v1/sandboxes", create_body("api-image-user", {{"image", reference}}));
  ASSERT_EQ(created.status, 201) << created.body;
  HttpReply refused = server_->call("DELETE", image_path(reference));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(error_kind(refused), "image-in-use");
  EXPECT_EQ(server_->call("DELETE", image_path(reference) + "?force=true").status, 204);
  HttpReply gone = server_->call("GET", image_path(reference));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(error_kind(gone), "image-not-found");
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes/api-image-user/kill").status, 200);
  ASSERT_EQ(server_->call("DELETE", "/v1/sandboxes/api-image-user").status, 204);
  HttpReply pruned = server_->call("POST", "/v1/images/prune");
  ASSERT_EQ(pruned.status, 200) << pruned.body;
  json removed = parsed(pruned)["manifests"];
  EXPECT_NE(std::find(removed.begin(), removed.end(), json(digest)), removed.end()) << removed;
}

TEST_F(ServerTest, ImagePullStreamsProgressThenTheImage) {
  std::string reference = fixture_image("multilayer");
  BackgroundStream stream(*server_, "/v1/images/pull?progress=true",
                          json{{"reference", reference}}.dump());
  ASSERT_EQ(stream.join(), 200);
  std::vector<SseEvent> events = stream.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().name, "progress");
  EXPECT_EQ(events.front().data()["stage"], "resolving");
  std::vector<std::string> stages;
  for (const SseEvent& event : events)
    if (event.name == "progress") stages.push_back(event.data()["stage"]);
  EXPECT_NE(std::find(stages.begin(), stages.end(), "resolved"), stages.end());
  EXPECT_NE(std::find(stages.begin(), stages.end(), "layer-done"), stages.end());
  EXPECT_EQ(stages.back(), "complete");
  ASSERT_EQ(events.back().name, "done");
  EXPECT_EQ(events.back().data()["manifest_digest"],
            shared_registry().fixtures().at("multilayer").at("digest"));
  EXPECT_EQ(server_->call("GET", image_path(reference)).status, 200);
  EXPECT_EQ(server_->call("DELETE", image_path(reference)).status, 204);
}

TEST_F(ServerTest, ImagePullGoesOnWhenTheStreamsClientGoesAway) {
  std::string reference = fixture_image("busybox");
  // Events asked for by content negotiation (http_stream sends Accept: text/event-stream).
  long status = http_stream(
      server_->url() + "/v1/images/pull", server_->token(),
      [](const std::string&) { return false; },  // gone after the first piece
      600, json{{"reference", reference}}.dump());
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(wait_until([&] { return server_->call("GET", image_path(reference)).status == 200; },
                         std::chrono::seconds(60)));
  EXPECT_EQ(server_->call("GET", "/v1/images").status, 200);  // the server goes on
  EXPECT_EQ(server_->call("DELETE", image_path(reference)).status, 204);
}

TEST_F(ServerTest, ImageBadReferencesAre400AndUnknownImages404) {
  HttpReply bad = server_->call("POST", "/v1/images/pull", {{"reference", "Bad Reference!"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  HttpReply bad_streamed =
      server_->call("POST", "/v1/images/pull?progress=true", {{"reference", "Bad Reference!"}});
  EXPECT_EQ(bad_streamed.status, 400) << bad_streamed.body;  // before the stream starts
  EXPECT_EQ(server_->call("POST", "/v1/images/pull", {{"reference", 7}}).status, 400);
  EXPECT_EQ(server_->call("GET", "/v1/images/Bad%20Reference!").status, 400);
  HttpReply unknown = server_->call("GET", image_path(fixture_image("nothing-here")));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_kind(unknown), "image-not-found");
  EXPECT_EQ(server_->call("DELETE", image_path(fixture_image("nothing-here"))).status, 404);
  HttpReply missing =
      server_->call("POST", "/v1/images/pull", {{"reference", fixture_image("nothing-here")}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  // Streamed, a failed pull ends in an error event.
  BackgroundStream stream(*server_, "/v1/images/pull?progress=true",
                          json{{"reference", fixture_image("nothing-here")}}.dump());
  ASSERT_EQ(stream.join(), 200);
  std::vector<SseEvent> events = stream.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().name, "error");
  EXPECT_EQ(events.back().data()["kind"], "image-not-found");
}

TEST_F(ServerTest, LogsFollowStreamsNewEntriesUntilTheSandboxStops) {
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("api-follow")).status, 201);
  auto say = [](const std::string& text) {
    return server_->call("POST", "/v1/sandboxes/api-follow/exec",
                         {{"cmd", "echo"}, {"args", {text}}});
  };
  ASSERT_EQ(say("before-follow").status, 200);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/api-follow/logs?follow=maybe").status, 400);
  BackgroundStream stream(*server_, "/v1/sandboxes/api-follow/logs?follow=true");
  EXPECT_TRUE(
      wait_until([&] { return stream.saw_text("before-follow"); }, std::chrono::seconds(10)));
  ASSERT_EQ(say("after-follow").status, 200);
  EXPECT_TRUE(
      wait_until([&] { return stream.saw_text("after-follow"); }, std::chrono::seconds(10)));
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes/api-follow/stop").status, 200);
  EXPECT_EQ(stream.join(), 200);  // the stream ends once the sandbox stopped
  std::vector<SseEvent> events = stream.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().name, "end");
  size_t befores = 0;
  for (const SseEvent& event : events) {
    if (event.name != "entry") continue;
    EXPECT_TRUE(event.data().contains("time"));
    if (event.data().value("text", "") == "before-follow\n") ++befores;
  }
  EXPECT_EQ(befores, 1u);  // sent once, not again by the polls
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/nobody/logs?follow=true").status, 404);
  EXPECT_EQ(server_->call("DELETE", "/v1/sandboxes/api-follow").status, 204);
}

TEST_F(ServerTest, StreamSessionsHaveOneReaderAndGoWhenNoneComes) {
  json sleeper = {{"cmd", "sleep"}, {"args", {"600"}}};
  std::string orphan = start_exec(*server_, sleeper);
  std::string read = start_exec(*server_, sleeper);
  BackgroundStream first(*server_, "/v1/execs/" + read + "/events");
  ASSERT_TRUE(wait_until([&] { return !first.events().empty(); }, std::chrono::seconds(60)));
  EXPECT_EQ(http_stream(server_->url() + "/v1/execs/" + read + "/events", server_->token(),
                        [](const std::string&) { return true; }),
            409);
  // SIGWINCH leaves sleep running: a probe that the session is still there.
  auto probe = [&](const std::string& id) {
    return server_->call("POST", "/v1/execs/" + id + "/signal", {{"signal", SIGWINCH}}).status;
  };
  EXPECT_EQ(probe(orphan), 204);
  // Nobody reads the orphan: past the attach timeout (3 s here) it is killed and removed.
  EXPECT_TRUE(wait_until([&] { return probe(orphan) == 404; }, std::chrono::seconds(30)));
  EXPECT_EQ(probe(read), 204);  // the one with a reader stays
  EXPECT_EQ(server_->call("POST", "/v1/execs/" + read + "/signal", {{"signal", SIGKILL}}).status,
            204);
  EXPECT_EQ(first.join(), 200);
  EXPECT_EQ(first.events().back().name, "exit");
}

TEST(ServerShutdownTest, SigtermStopsAttachedSandboxesOnly) {
  MsbHarness harness;
  ServerProcess server(harness);
  ASSERT_EQ(server.call("POST", "/v1/sandboxes", create_body("kept")).status, 201);
  ASSERT_EQ(server
                .call("POST", "/v1/sandboxes",
                      create_body("attached", {{"attached", true}, {"ephemeral", true}}))
                .status,
            201);
  os::ExitStatus status = server.terminate();
  EXPECT_EQ(status.code, 0);
  EXPECT_EQ(status.signal, 0);
  MsbResult ls = harness.run({"ls", "--format", "json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  json listed = json::parse(ls.out);
  // The attached, ephemeral sandbox stopped (and so was removed); the other still runs.
  bool attached_seen = false, kept_running = false;
  for (const json& sandbox : listed) {
    if (sandbox["name"] == "attached") attached_seen = true;
    if (sandbox["name"] == "kept" && sandbox["status"] == "running") kept_running = true;
  }
  EXPECT_FALSE(attached_seen) << ls.out;
  EXPECT_TRUE(kept_running) << ls.out;
  EXPECT_EQ(harness.run({"kill", "kept"}).exit_code, 0);
  EXPECT_EQ(harness.run({"rm", "kept"}).exit_code, 0);
  EXPECT_TRUE(harness.wait_no_qemu(std::chrono::seconds(30)));
}

TEST(ServerOptionsTest, NonLoopbackNeedsTheInsecureFlag) {
  MsbHarness harness;
  MsbResult refused = harness.run({"server", "--listen", "0.0.0.0:0"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--insecure-listen"), std::string::npos) << refused.err;
  MsbResult bad = harness.run({"server", "--listen", "127.0.0.1"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("HOST:PORT"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace msb::testing
