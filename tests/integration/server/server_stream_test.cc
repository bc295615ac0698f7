// msb server end to end: streaming exec (POST .../execs, then its events, stdin, signal,
// resize), a session's one reader and its reaper, and drain.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "api_client.h"
#include "server_suite.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

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

TEST_F(ServerTest, StreamResizeReachesTheTerminal) {
  std::string id = start_exec(*server_, {{"cmd", "sh"},
                                         {"args", {"-c", "read go; stty size"}},
                                         {"tty", true},
                                         {"rows", 24},
                                         {"cols", 80}});
  BackgroundStream stream(*server_, "/v1/execs/" + id + "/events");
  ASSERT_TRUE(wait_until([&] { return !stream.events().empty(); }, std::chrono::seconds(60)));
  EXPECT_EQ(
      server_->call("POST", "/v1/execs/" + id + "/resize", {{"rows", 40}, {"cols", 100}}).status,
      204);
  EXPECT_EQ(
      server_->call("POST", "/v1/execs/" + id + "/resize", {{"rows", 0}, {"cols", 100}}).status,
      400);
  EXPECT_EQ(
      http_request("POST", server_->url() + "/v1/execs/" + id + "/stdin", server_->token(), "go\n")
          .status,
      204);
  EXPECT_EQ(stream.join(), 200);
  EXPECT_TRUE(stream.saw_text("40 100")) << "the terminal kept its old size";
  EXPECT_EQ(stream.events().back().name, "exit");
}

TEST_F(ServerTest, DrainLetsRunningCommandsEndThenStops) {
  ASSERT_EQ(server_->call("POST", "/v1/sandboxes", create_body("drain-box")).status, 201);
  HttpReply started = server_->call("POST", "/v1/sandboxes/drain-box/execs",
                                    {{"cmd", "sh"}, {"args", {"-c", "sleep 2; echo done"}}});
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id = parsed(started)["id"];
  BackgroundStream stream(*server_, "/v1/execs/" + id + "/events");
  ASSERT_TRUE(wait_until([&] { return !stream.events().empty(); }, std::chrono::seconds(60)));
  EXPECT_EQ(server_->call("POST", "/v1/sandboxes/drain-box/drain").status, 202);
  // The running command finishes its work; then the sandbox stops by itself.
  EXPECT_EQ(stream.join(), 200);
  EXPECT_TRUE(stream.saw_text("done"));
  EXPECT_EQ(stream.events().back().name, "exit");
  EXPECT_TRUE(wait_until(
      [&] {
        return parsed(server_->call("GET", "/v1/sandboxes/drain-box"))["status"] == "stopped";
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(server_->call("DELETE", "/v1/sandboxes/drain-box").status, 204);
}

}  // namespace
}  // namespace msb::testing
