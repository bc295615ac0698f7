#include <gtest/gtest.h>
#include <signal.h>

#include "agent_relay_fixture.h"

namespace msb::runtime::relay_test {
namespace {

TEST_F(AgentRelayTest, GreetsEveryClientWithTheHelloFirst) {
  Peer& first = add_client();
  Peer& second = add_client();
  EXPECT_EQ(relay_->client_count(), 2u);
  start_exec(first, 7);
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  send(*agent_, agent_->received[0].id, 0, protocol::ExecStarted{42});
  pump();
  for (Peer* client : {&first, &second}) {
    ASSERT_FALSE(client->received.empty());
    const Envelope& greeting = client->received.front();
    EXPECT_EQ(greeting.id, 0u);
    EXPECT_EQ(greeting.flags, 0);
    ASSERT_TRUE(std::holds_alternative<protocol::CoreReady>(greeting.message));
    EXPECT_EQ(std::get<protocol::CoreReady>(greeting.message).agent_version, "test-agent");
  }
  EXPECT_EQ(first.received.size(), 2u);
  EXPECT_EQ(second.received.size(), 1u);
}

TEST_F(AgentRelayTest, ForwardsAClientRequestWithItsSlotInTheId) {
  Peer& client = add_client();
  start_exec(client, 7, "uname");
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  const Envelope& request = agent_->received[0];
  EXPECT_EQ(request.id, agent_id_of(1, 7));
  EXPECT_EQ(request.id & kClientIdMask, 7u);
  EXPECT_TRUE(request.flags & protocol::kFlagSessionStart);
  ASSERT_TRUE(std::holds_alternative<protocol::ExecRequest>(request.message));
  EXPECT_EQ(std::get<protocol::ExecRequest>(request.message).cmd, "uname");
  EXPECT_EQ(relay_->active_sessions(), 1u);
}

TEST_F(AgentRelayTest, RoutesRepliesToTheirClientWithTheOriginalId) {
  Peer& a = add_client();
  Peer& b = add_client();
  start_exec(a, 1);
  start_exec(b, 1);
  pump();
  ASSERT_EQ(agent_->received.size(), 2u);
  uint32_t id_a = agent_->received[0].id;
  uint32_t id_b = agent_->received[1].id;
  EXPECT_NE(id_a, id_b);
  EXPECT_EQ(id_a & kClientIdMask, 1u);
  EXPECT_EQ(id_b & kClientIdMask, 1u);

  send(*agent_, id_b, 0, protocol::ExecStdout{{"from-b"}});
  send(*agent_, id_a, 0, protocol::ExecStdout{{"from-a"}});
  pump();
  std::vector<Envelope> got_a = take(a);
  std::vector<Envelope> got_b = take(b);
  ASSERT_EQ(got_a.size(), 1u);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_a[0].id, 1u);
  EXPECT_EQ(got_b[0].id, 1u);
  EXPECT_EQ(std::get<protocol::ExecStdout>(got_a[0].message).data.data, "from-a");
  EXPECT_EQ(std::get<protocol::ExecStdout>(got_b[0].message).data.data, "from-b");
}

TEST_F(AgentRelayTest, TerminalReplyEndsTheSession) {
  Peer& client = add_client();
  start_exec(client, 3);
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  uint32_t session = agent_->received[0].id;
  EXPECT_EQ(relay_->active_sessions(), 1u);

  send(*agent_, session, 0, protocol::ExecStarted{10});
  pump();
  EXPECT_EQ(relay_->active_sessions(), 1u);

  send(*agent_, session, protocol::kFlagTerminal, protocol::ExecExited{0, 0});
  pump();
  EXPECT_EQ(relay_->active_sessions(), 0u);
  std::vector<Envelope> got = take(client);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].id, 3u);
  EXPECT_EQ(got[1].flags, protocol::kFlagTerminal);
  EXPECT_TRUE(std::holds_alternative<protocol::ExecExited>(got[1].message));
}

TEST_F(AgentRelayTest, RefusesClientIdsOfTwentyBitsOrMore) {
  Peer& client = add_client();
  start_exec(client, 1u << kClientIdBits);
  pump();
  EXPECT_TRUE(agent_->received.empty());
  EXPECT_EQ(relay_->active_sessions(), 0u);
  std::vector<Envelope> got = take(client);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 1u << kClientIdBits);
  EXPECT_TRUE(got[0].flags & protocol::kFlagTerminal);
  ASSERT_TRUE(std::holds_alternative<protocol::CoreError>(got[0].message));
  EXPECT_EQ(std::get<protocol::CoreError>(got[0].message).kind, "invalid-session");

  // The largest id that fits is still relayed.
  start_exec(client, kClientIdMask);
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  EXPECT_EQ(agent_->received[0].id, agent_id_of(1, kClientIdMask));
}

TEST_F(AgentRelayTest, DrainingRefusesNewExecRequests) {
  Peer& client = add_client();
  relay_->set_draining();
  start_exec(client, 4);
  pump();
  EXPECT_TRUE(agent_->received.empty());
  EXPECT_EQ(relay_->active_sessions(), 0u);
  std::vector<Envelope> got = take(client);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 4u);
  EXPECT_TRUE(got[0].flags & protocol::kFlagTerminal);
  ASSERT_TRUE(std::holds_alternative<protocol::ExecFailed>(got[0].message));
  const auto& failed = std::get<protocol::ExecFailed>(got[0].message);
  EXPECT_EQ(failed.kind, "draining");
  EXPECT_NE(failed.message.find("box"), std::string::npos);
}

TEST_F(AgentRelayTest, DrainingStillRelaysOtherRequestsAndRunningSessions) {
  Peer& client = add_client();
  start_exec(client, 1);
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  agent_->received.clear();
  relay_->set_draining();

  send(client, 2, protocol::kFlagSessionStart, protocol::CorePing{});
  send(client, 1, 0, protocol::ExecStdin{{"input"}, true});
  pump();
  ASSERT_EQ(agent_->received.size(), 2u);
  EXPECT_EQ(agent_->received[0].id, agent_id_of(1, 2));
  EXPECT_TRUE(std::holds_alternative<protocol::CorePing>(agent_->received[0].message));
  EXPECT_EQ(agent_->received[1].id, agent_id_of(1, 1));
  EXPECT_TRUE(std::holds_alternative<protocol::ExecStdin>(agent_->received[1].message));
  EXPECT_TRUE(take(client).empty());
}

TEST_F(AgentRelayTest, ClientShutdownIsNotForwardedButReported) {
  Peer& client = add_client();
  send(client, 0, protocol::kFlagShutdown, protocol::CoreShutdown{});
  RelayEvents events = pump();
  EXPECT_TRUE(events.shutdown_requested);
  EXPECT_TRUE(agent_->received.empty());
}

TEST_F(AgentRelayTest, ClientShutdownWithoutFlagsIsNotForwarded) {
  Peer& client = add_client();
  send(client, 0, 0, protocol::CoreShutdown{});
  RelayEvents events = pump();
  EXPECT_TRUE(events.shutdown_requested);
  EXPECT_TRUE(agent_->received.empty());
}

TEST_F(AgentRelayTest, ExecRequestWithoutSessionStartIsRefused) {
  Peer& client = add_client();
  protocol::ExecRequest request;
  request.cmd = "sh";
  send(client, 5, 0, request);
  pump();
  for (const Envelope& envelope : agent_->received)
    EXPECT_FALSE(std::holds_alternative<protocol::ExecRequest>(envelope.message));
}

TEST_F(AgentRelayTest, DuplicateSessionIdKeepsTheRunningSessionTracked) {
  Peer& client = add_client();
  start_exec(client, 9);
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  uint32_t session = agent_->received[0].id;
  send(*agent_, session, 0, protocol::ExecStarted{77});
  pump();

  start_exec(client, 9);  // the same id again, while the first still runs
  pump();
  if (agent_->received.size() == 2u) {
    // What the real agent answers (agent_loop.cc handle_exec_request).
    send(*agent_, session, protocol::kFlagTerminal,
         protocol::CoreError{"invalid-session", "session id already in use", "exec.request"});
    pump();
  }
  EXPECT_EQ(relay_->active_sessions(), 1u);

  agent_->received.clear();
  clients_.clear();  // the client leaves: its running process must be cancelled
  pump();
  ASSERT_EQ(agent_->received.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<protocol::CoreCancel>(agent_->received[0].message));
}

TEST_F(AgentRelayTest, ADisconnectedClientsRunningSessionsAreCancelled) {
  Peer& leaving = add_client();
  Peer& staying = add_client();
  start_exec(leaving, 3);
  start_exec(leaving, 4);
  start_exec(staying, 3);
  pump();
  ASSERT_EQ(agent_->received.size(), 3u);
  // Session 4 has ended already: only 3 is still running when the client leaves.
  send(*agent_, agent_id_of(1, 4), protocol::kFlagTerminal, protocol::ExecExited{0, 0});
  pump();
  EXPECT_EQ(relay_->active_sessions(), 2u);
  agent_->received.clear();

  clients_.erase(clients_.begin());  // closes the leaving client's end
  pump();
  EXPECT_EQ(relay_->client_count(), 1u);
  ASSERT_EQ(agent_->received.size(), 1u);
  EXPECT_EQ(agent_->received[0].id, agent_id_of(1, 3));
  EXPECT_TRUE(std::holds_alternative<protocol::CoreCancel>(agent_->received[0].message));

  // The cancelled session ends when the agent says so; its output goes nowhere.
  send(*agent_, agent_id_of(1, 3), protocol::kFlagTerminal, protocol::ExecExited{0, SIGKILL});
  pump();
  EXPECT_EQ(relay_->active_sessions(), 1u);
  EXPECT_TRUE(take(staying).empty());
}

TEST_F(AgentRelayTest, AgentFramesForSlotZeroAreTheSupervisorsOwn) {
  Peer& client = add_client();
  send(*agent_, 5, protocol::kFlagTerminal, protocol::CorePong{});
  RelayEvents events = pump();
  ASSERT_EQ(events.own_frames.size(), 1u);
  EXPECT_EQ(events.own_frames[0].id, 5u);
  EXPECT_EQ(events.own_frames[0].flags, protocol::kFlagTerminal);
  EXPECT_TRUE(std::holds_alternative<protocol::CorePong>(events.own_frames[0].message));
  EXPECT_TRUE(take(client).empty());
}

TEST_F(AgentRelayTest, AgentEndOfStreamIsReported) {
  add_client();
  agent_.reset();
  RelayEvents events = pump();
  EXPECT_TRUE(events.agent_closed);
}

TEST_F(AgentRelayTest, MalformedClientFrameGetsACoreErrorAndTheRelayGoesOn) {
  Peer& client = add_client();
  // A length of 1 cannot hold the id and flags.
  send_raw(client, std::string("\0\0\0\1X", 5));
  start_exec(client, 2);
  pump();
  EXPECT_EQ(relay_->client_count(), 1u);
  std::vector<Envelope> got = take(client);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].flags & protocol::kFlagTerminal);
  ASSERT_TRUE(std::holds_alternative<protocol::CoreError>(got[0].message));
  EXPECT_EQ(std::get<protocol::CoreError>(got[0].message).kind, "malformed");
  ASSERT_EQ(agent_->received.size(), 1u);
  EXPECT_EQ(agent_->received[0].id, agent_id_of(1, 2));
}

TEST_F(AgentRelayTest, ObserverSeesRequestOutputAndExit) {
  RecordingObserver observer;
  start(&observer);
  Peer& client = add_client();
  start_exec(client, 7, "make");
  pump();
  uint32_t session = agent_id_of(1, 7);
  send(*agent_, session, 0, protocol::ExecStarted{1});
  send(*agent_, session, 0, protocol::ExecStdout{{"out"}});
  send(*agent_, session, 0, protocol::ExecStderr{{"err"}});
  send(*agent_, session, protocol::kFlagTerminal, protocol::ExecExited{3, 0});
  send(*agent_, 1, protocol::kFlagTerminal, protocol::ExecStdout{{"own"}});  // slot 0
  pump();

  ASSERT_EQ(observer.requests.size(), 1u);
  EXPECT_EQ(observer.requests[0], std::make_pair(session, std::string("make")));
  ASSERT_EQ(observer.outputs.size(), 2u);
  EXPECT_EQ(observer.outputs[0],
            std::make_tuple(session, std::string("stdout"), std::string("out")));
  EXPECT_EQ(observer.outputs[1],
            std::make_tuple(session, std::string("stderr"), std::string("err")));
  ASSERT_EQ(observer.exits.size(), 1u);
  EXPECT_EQ(observer.exits[0], std::make_pair(session, 3));
}

}  // namespace
}  // namespace msb::runtime::relay_test
