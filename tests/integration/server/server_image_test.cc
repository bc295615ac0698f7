// msb server end to end: the image routes (pulls from the shared local registries on
// 127.0.0.1) and logs follow.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "api_client.h"
#include "server_suite.h"
#include "shared_registry.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

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

}  // namespace
}  // namespace msb::testing
