// A fixture for fs requests to msb-agentd in channel mode. The agent's root is the host's
// '/', so every test works in its own temp dir under /tmp.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "agent_client_helper.h"

namespace msb::testing {

// Every frame of one fs session, up to its terminal frame.
struct FsReply {
  std::vector<std::string> order;  // wire names in arrival order
  std::vector<protocol::FsListEntry> entries;
  std::string data;  // fs.data chunks joined
  size_t largest_chunk = 0;
  std::optional<protocol::FsDone> done;
  std::optional<protocol::FsError> error;
  std::optional<protocol::FsPathResult> path;
  std::optional<protocol::FsStatResult> stat;
  std::optional<protocol::CoreError> core_error;
  uint8_t last_flags = 0;
  bool complete = false;  // the terminal frame arrived
};

class AgentFsTest : public ReadyAgentTest {
 protected:
  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  // Reads session `id` until its terminal frame; every frame meanwhile must be its own.
  FsReply collect(uint32_t id) {
    FsReply reply;
    while (!reply.complete) {
      Result<protocol::Envelope> envelope = client_->next();
      EXPECT_TRUE(envelope.has_value()) << envelope.error().message;
      if (!envelope) return reply;
      EXPECT_EQ(envelope->id, id) << protocol::message_name(envelope->message);
      record(reply, *envelope);
    }
    return reply;
  }

  // Sends `request` as a new session `id` and collects its reply.
  FsReply request(uint32_t id, const protocol::Message& request) {
    Result<void> sent = client_->send(id, protocol::kFlagSessionStart, request);
    EXPECT_TRUE(sent.has_value()) << sent.error().message;
    return collect(id);
  }

  // The reply must be fs.done and nothing else.
  void expect_done(const FsReply& reply, uint64_t bytes = 0) {
    ASSERT_TRUE(reply.done.has_value())
        << (reply.error ? reply.error->message : "no fs.done or fs.error");
    EXPECT_EQ(reply.done->bytes, bytes);
    EXPECT_EQ(reply.order.size(), 1u);
  }

  // The reply must be one fs.error of `kind`; returns it.
  protocol::FsError expect_error(const FsReply& reply, const std::string& kind) {
    EXPECT_TRUE(reply.error.has_value()) << "expected fs.error " << kind;
    if (!reply.error) return {};
    EXPECT_EQ(reply.error->kind, kind) << reply.error->message;
    EXPECT_EQ(reply.order.size(), 1u);
    EXPECT_TRUE(reply.last_flags & protocol::kFlagTerminal);
    return *reply.error;
  }

  // Writes `content` with fs.write in chunks of `chunk` bytes, then fs.close.
  FsReply write(uint32_t id, protocol::FsWrite request, std::string_view content,
                size_t chunk = 1 << 20) {
    Result<void> sent = client_->send(id, protocol::kFlagSessionStart, request);
    EXPECT_TRUE(sent.has_value()) << sent.error().message;
    for (size_t at = 0; sent && at < content.size(); at += chunk) {
      std::string piece(content.substr(at, chunk));
      sent = client_->send(id, 0, protocol::FsData{{std::move(piece)}});
      EXPECT_TRUE(sent.has_value()) << sent.error().message;
    }
    if (sent) sent = client_->send(id, 0, protocol::FsClose{});
    return collect(id);
  }

  // A field of the agent's /proc/<pid>/status in KiB (VmRSS, VmHWM).
  long agent_memory_kib(const std::string& field) {
    Result<std::string> status =
        os::read_file("/proc/" + std::to_string(client_->agent().pid()) + "/status");
    size_t at = status ? status->find(field + ":") : std::string::npos;
    EXPECT_NE(at, std::string::npos) << "no " << field << " for the agent";
    return at == std::string::npos ? 0 : std::stol(status->substr(at + field.size() + 1));
  }

 private:
  static void record(FsReply& reply, const protocol::Envelope& envelope) {
    const protocol::Message& message = envelope.message;
    reply.order.emplace_back(protocol::message_name(message));
    reply.last_flags = envelope.flags;
    reply.complete = envelope.flags & protocol::kFlagTerminal;
    if (auto* entry = std::get_if<protocol::FsListEntry>(&message)) reply.entries.push_back(*entry);
    if (auto* data = std::get_if<protocol::FsData>(&message)) {
      reply.data += data->data.data;
      reply.largest_chunk = std::max(reply.largest_chunk, data->data.data.size());
    }
    if (auto* done = std::get_if<protocol::FsDone>(&message)) reply.done = *done;
    if (auto* error = std::get_if<protocol::FsError>(&message)) reply.error = *error;
    if (auto* result = std::get_if<protocol::FsPathResult>(&message)) reply.path = *result;
    if (auto* stat = std::get_if<protocol::FsStatResult>(&message)) reply.stat = *stat;
    if (auto* error = std::get_if<protocol::CoreError>(&message)) reply.core_error = *error;
  }
};

}  // namespace msb::testing
