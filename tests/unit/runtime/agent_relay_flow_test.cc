// The relay's part in flow control (docs/protocol.md, "Flow control"): it always reads the
// agent, forwards acknowledgements and cancels, and drops a client that breaks its
// windows, cancelling that client's sessions.
#include <gtest/gtest.h>

#include <string>

#include "agent_relay_fixture.h"
#include "protocol/flow_control.h"

namespace msb::runtime::relay_test {
namespace {

constexpr size_t kChunk = 64 * 1024;

class AgentRelayFlowTest : public AgentRelayTest {
 protected:
  // The agent's output for one session, in 64 KiB frames, pumping as it goes so that no
  // socket buffer fills up on the agent's side.
  void output(uint32_t session, size_t bytes) {
    for (size_t sent = 0; sent < bytes; sent += kChunk) {
      send(*agent_, session, 0, protocol::ExecStdout{{std::string(kChunk, 'o')}});
      pump();
    }
  }

  static protocol::ExecStdin stdin_chunk() {
    return protocol::ExecStdin{{std::string(kChunk, 'i')}, false};
  }

  // Client stdin, pumped frame by frame (the relay is what reads the client's socket).
  RelayEvents send_stdin(Peer& client, uint32_t id, size_t frames) {
    RelayEvents events;
    for (size_t i = 0; i < frames && relay_->client_count() > 0; ++i) {
      send(client, id, 0, stdin_chunk());
      RelayEvents round = pump();
      for (std::string& reason : round.dropped_clients)
        events.dropped_clients.push_back(std::move(reason));
    }
    return events;
  }

  static size_t count_cancels(const std::vector<Envelope>& frames, uint32_t id) {
    size_t n = 0;
    for (const Envelope& frame : frames)
      n += frame.id == id && std::holds_alternative<protocol::CoreCancel>(frame.message);
    return n;
  }
};

TEST_F(AgentRelayFlowTest, KeepsReadingTheAgentWhileAClientDoesNotRead) {
  Peer& idle = add_client();
  Peer& busy = add_client();
  idle.reading = false;
  start_exec(idle, 1, "cat");
  start_exec(busy, 1, "echo");
  pump();
  // Within what its session's window allows: it is kept, and the agent is read on.
  output(agent_id_of(1, 1), 3u << 20);
  send(*agent_, agent_id_of(2, 1), 0, protocol::ExecStdout{{"other\n"}});
  pump();
  std::vector<Envelope> got = take(busy);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::get<protocol::ExecStdout>(got[0].message).data.data, "other\n");
  EXPECT_EQ(relay_->client_count(), 2u);
}

TEST_F(AgentRelayFlowTest, DropsAClientThatLetsMoreQueueThanItsWindowsAllow) {
  Peer& idle = add_client();
  Peer& busy = add_client();
  idle.reading = false;
  start_exec(idle, 1, "cat");
  start_exec(busy, 1, "echo");
  pump();
  agent_->received.clear();
  // An agent that kept to the window could not send this much; a client that does not
  // read (and so does not acknowledge) is the one out of step, and it alone goes.
  RelayEvents events;
  for (size_t sent = 0; sent < (12u << 20) && relay_->client_count() == 2; sent += kChunk) {
    send(*agent_, agent_id_of(1, 1), 0, protocol::ExecStdout{{std::string(kChunk, 'o')}});
    RelayEvents round = pump();
    for (std::string& reason : round.dropped_clients) events.dropped_clients.push_back(reason);
  }
  EXPECT_EQ(relay_->client_count(), 1u);
  ASSERT_EQ(events.dropped_clients.size(), 1u);
  EXPECT_NE(events.dropped_clients[0].find("unread"), std::string::npos)
      << events.dropped_clients[0];
  EXPECT_EQ(count_cancels(agent_->received, agent_id_of(1, 1)), 1u);
  send(*agent_, agent_id_of(2, 1), 0, protocol::ExecStdout{{"other\n"}});
  pump();
  EXPECT_EQ(take(busy).size(), 1u);
}

TEST_F(AgentRelayFlowTest, DropsAClientThatSendsStdinPastItsWindow) {
  Peer& client = add_client();
  start_exec(client, 1, "cat");
  pump();
  agent_->received.clear();
  uint64_t cost = protocol::flow_cost(stdin_chunk());
  size_t fit = protocol::kStdinWindowBytes / cost;
  RelayEvents events = send_stdin(client, 1, fit + 1);
  ASSERT_EQ(events.dropped_clients.size(), 1u);
  EXPECT_NE(events.dropped_clients[0].find("window"), std::string::npos);
  EXPECT_EQ(relay_->client_count(), 0u);
  // The agent got what fit, then the cancel; the client was told why before it was closed.
  ASSERT_EQ(agent_->received.size(), fit + 1);
  EXPECT_EQ(count_cancels(agent_->received, agent_id_of(1, 1)), 1u);
  std::vector<Envelope> got = take(client);
  ASSERT_FALSE(got.empty());
  auto* error = std::get_if<protocol::CoreError>(&got.back().message);
  ASSERT_TRUE(error) << protocol::message_name(got.back().message);
  EXPECT_EQ(error->kind, "credit-exceeded");
  EXPECT_EQ(got.back().id, 0u);
}

TEST_F(AgentRelayFlowTest, StdinAcknowledgementsGiveTheWindowBack) {
  Peer& client = add_client();
  start_exec(client, 1, "cat");
  pump();
  uint64_t cost = protocol::flow_cost(stdin_chunk());
  size_t fit = protocol::kStdinWindowBytes / cost;
  for (int round = 0; round < 3; ++round) {
    send_stdin(client, 1, fit);
    send(*agent_, agent_id_of(1, 1), 0, protocol::ExecStdinAck{fit * cost});
    pump();
  }
  EXPECT_EQ(relay_->client_count(), 1u);
  std::vector<Envelope> got = take(client);
  ASSERT_EQ(got.size(), 3u);
  for (const Envelope& ack : got)
    EXPECT_TRUE(std::holds_alternative<protocol::ExecStdinAck>(ack.message));
}

TEST_F(AgentRelayFlowTest, ForwardsAcknowledgementsAndCancelsWithTheSlotInTheId) {
  add_client();
  Peer& client = add_client();
  start_exec(client, 4, "cat");
  send(client, 4, 0, protocol::CoreAck{12345});
  send(client, 4, 0, protocol::CoreCancel{});
  pump();
  ASSERT_EQ(agent_->received.size(), 3u);
  EXPECT_EQ(agent_->received[1].id, agent_id_of(2, 4));
  EXPECT_EQ(std::get<protocol::CoreAck>(agent_->received[1].message).bytes, 12345u);
  EXPECT_EQ(agent_->received[2].id, agent_id_of(2, 4));
  EXPECT_TRUE(std::holds_alternative<protocol::CoreCancel>(agent_->received[2].message));
}

TEST_F(AgentRelayFlowTest, ADisconnectedClientsFsSessionsAreCancelled) {
  Peer& client = add_client();
  send(client, 5, protocol::kFlagSessionStart, protocol::FsWrite{"/tmp/f", 0, ""});
  send(client, 5, 0, protocol::FsData{{"partial"}});
  send(client, 6, protocol::kFlagSessionStart, protocol::FsRead{"/tmp/g", 0, 0});
  pump();
  agent_->received.clear();
  clients_.clear();
  pump();
  EXPECT_EQ(count_cancels(agent_->received, agent_id_of(1, 5)), 1u);
  EXPECT_EQ(count_cancels(agent_->received, agent_id_of(1, 6)), 1u);
  EXPECT_EQ(agent_->received.size(), 2u);
  // The slot stays out of use until both have ended.
  send(*agent_, agent_id_of(1, 5), protocol::kFlagTerminal, protocol::FsError{"cancelled"});
  send(*agent_, agent_id_of(1, 6), protocol::kFlagTerminal, protocol::FsError{"cancelled"});
  pump();
  EXPECT_EQ(relay_->active_sessions(), 0u);
}

}  // namespace
}  // namespace msb::runtime::relay_test
