// The AgentRelay test fixture: a relay over a socketpair whose agent end the test plays,
// and clients on socketpairs of their own.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "os/io.h"
#include "runtime/agent_relay.h"

namespace msb::runtime::relay_test {

using protocol::Envelope;
using protocol::FrameConnection;

inline constexpr uint32_t agent_id_of(uint32_t slot, uint32_t id) {
  return (slot << kClientIdBits) | id;
}

// One end of a socketpair played by the test (the agent or a client).
struct Peer {
  FrameConnection connection;
  std::vector<Envelope> received;
  bool open = true;
  bool reading = true;  // false: pump() leaves what the relay sent it in the socket
};

inline std::unique_ptr<Peer> make_peer(os::Fd fd) {
  Result<FrameConnection> connection = FrameConnection::create(std::move(fd));
  MSB_CHECK(connection.has_value());
  return std::make_unique<Peer>(Peer{std::move(*connection), {}, true, true});
}

class RecordingObserver : public RelayObserver {
 public:
  void on_request(uint32_t session, const protocol::ExecRequest& request) override {
    requests.emplace_back(session, request.cmd);
  }
  void on_output(uint32_t session, const char* stream, std::string_view data) override {
    outputs.emplace_back(session, stream, std::string(data));
  }
  void on_exit(uint32_t session, const protocol::ExecExited& exited) override {
    exits.emplace_back(session, exited.code);
  }

  std::vector<std::pair<uint32_t, std::string>> requests;
  std::vector<std::tuple<uint32_t, std::string, std::string>> outputs;
  std::vector<std::pair<uint32_t, int>> exits;
};

class AgentRelayTest : public ::testing::Test {
 protected:
  void SetUp() override { start(nullptr); }

  // A fresh relay over a new agent channel; the test holds the agent's end.
  void start(RelayObserver* observer) {
    clients_.clear();
    relay_.reset();
    Result<os::SocketPair> sockets = os::make_socketpair(SOCK_STREAM);
    ASSERT_TRUE(sockets.has_value());
    Result<FrameConnection> connection = FrameConnection::create(std::move(sockets->first));
    ASSERT_TRUE(connection.has_value());
    relay_ = std::make_unique<AgentRelay>(std::move(*connection), "box", observer);
    agent_ = make_peer(std::move(sockets->second));
  }

  Peer& add_client() {
    Result<os::SocketPair> sockets = os::make_socketpair(SOCK_STREAM);
    MSB_CHECK(sockets.has_value());
    Result<void> added = relay_->add_client(std::move(sockets->first), hello());
    EXPECT_TRUE(added.has_value()) << added.error().message;
    clients_.push_back(make_peer(std::move(sockets->second)));
    return *clients_.back();
  }

  static protocol::CoreReady hello() {
    protocol::CoreReady ready;
    ready.protocol_version = protocol::kProtocolVersion;
    ready.agent_version = "test-agent";
    return ready;
  }

  static void send(Peer& peer, uint32_t id, uint8_t flags, const protocol::Message& message) {
    ASSERT_TRUE(peer.connection.send(id, flags, message).has_value());
    ASSERT_TRUE(peer.connection.flush_all(1000).has_value());
  }

  static void send_raw(Peer& peer, std::string bytes) {
    peer.connection.send_frame(std::move(bytes));
    ASSERT_TRUE(peer.connection.flush_all(1000).has_value());
  }

  static void start_exec(Peer& client, uint32_t id, const std::string& cmd = "echo") {
    protocol::ExecRequest request;
    request.cmd = cmd;
    send(client, id, protocol::kFlagSessionStart, request);
  }

  // Runs the relay until nothing is ready, then reads what every peer got. The relay's fds
  // start at index 1 of the poll vector, to check that `first` is honoured.
  RelayEvents pump() {
    RelayEvents all;
    for (int round = 0; round < 50; ++round) {
      std::vector<pollfd> fds = {{-1, 0, 0}};
      relay_->add_poll_fds(fds);
      Result<int> ready = os::poll_fds(fds, 0);
      EXPECT_TRUE(ready.has_value());
      if (!ready || *ready == 0) break;
      Result<RelayEvents> events = relay_->handle(fds, 1);
      EXPECT_TRUE(events.has_value()) << events.error().message;
      if (!events) break;
      all.shutdown_requested |= events->shutdown_requested;
      for (Envelope& own : events->own_frames) all.own_frames.push_back(std::move(own));
      for (std::string& reason : events->dropped_clients)
        all.dropped_clients.push_back(std::move(reason));
      if (events->agent_closed) {
        all.agent_closed = true;
        break;
      }
    }
    if (agent_) collect(*agent_);
    for (auto& client : clients_) collect(*client);
    return all;
  }

  static void collect(Peer& peer) {
    if (!peer.open || !peer.reading) return;
    Result<bool> open = peer.connection.receive_some();
    if (!open || !*open) peer.open = false;
    while (auto item = peer.connection.next_frame()) {
      if (!item->frame) {
        ADD_FAILURE() << "frame error: " << item->error->message;
        continue;
      }
      tl::expected<protocol::Message, protocol::CoreError> message =
          protocol::decode_body(item->frame->body);
      if (!message) {
        ADD_FAILURE() << "undecodable body: " << message.error().message;
        continue;
      }
      peer.received.push_back({item->frame->id, item->frame->flags, std::move(*message)});
    }
  }

  // What the peer received since the last take, without the client hello.
  static std::vector<Envelope> take(Peer& peer) {
    std::vector<Envelope> out;
    for (Envelope& envelope : peer.received) {
      if (std::holds_alternative<protocol::CoreReady>(envelope.message)) continue;
      out.push_back(std::move(envelope));
    }
    peer.received.clear();
    return out;
  }

  std::unique_ptr<AgentRelay> relay_;
  std::unique_ptr<Peer> agent_;
  std::vector<std::unique_ptr<Peer>> clients_;
};

}  // namespace msb::runtime::relay_test
