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
#include "server_suite.h"
#include "shared_registry.h"
#include "test_engine.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using nlohmann::json;

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
