// msb-agentd in channel mode (--channel-fd) over a socketpair: the real agent binary and
// real processes, no VM and no root needed.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "agent_client_helper.h"

namespace msb::testing {
namespace {

using protocol::kFlagSessionStart;
using protocol::kFlagTerminal;

class AgentChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<AgentClient> client = AgentClient::start(MSB_AGENTD_PATH);
    ASSERT_TRUE(client.has_value()) << client.error().message;
    client_.emplace(std::move(*client));
  }

  void wait_ready() {
    Result<protocol::CoreReady> ready = client_->wait_ready();
    ASSERT_TRUE(ready.has_value()) << ready.error().message;
  }

  SessionEvents run(uint32_t id, protocol::ExecRequest request) {
    Result<SessionEvents> events = client_->run(id, std::move(request));
    EXPECT_TRUE(events.has_value()) << events.error().message;
    return events.value_or(SessionEvents{});
  }

  // Sends a ping and expects the matching pong: the agent is still serving.
  void expect_alive(uint32_t id) {
    ASSERT_TRUE(client_->send(id, 0, protocol::CorePing{}).has_value());
    Result<protocol::Envelope> pong = client_->next();
    ASSERT_TRUE(pong.has_value()) << pong.error().message;
    EXPECT_EQ(pong->id, id);
    EXPECT_TRUE(std::holds_alternative<protocol::CorePong>(pong->message))
        << protocol::message_name(pong->message);
  }

  // The next frame must be a terminal core.error for `id`.
  protocol::CoreError expect_error(uint32_t id) {
    Result<protocol::Envelope> reply = client_->next();
    EXPECT_TRUE(reply.has_value()) << reply.error().message;
    if (!reply) return {};
    EXPECT_EQ(reply->id, id);
    EXPECT_TRUE(reply->flags & kFlagTerminal);
    auto* error = std::get_if<protocol::CoreError>(&reply->message);
    EXPECT_TRUE(error) << protocol::message_name(reply->message);
    return error ? *error : protocol::CoreError{};
  }

  os::ExitStatus wait_agent_exit() {
    Result<std::optional<os::ExitStatus>> status = client_->agent().wait_for(kAgentTimeout);
    EXPECT_TRUE(status.has_value() && status->has_value()) << "agent did not exit";
    return status && *status ? **status : os::ExitStatus{-1, -1};
  }

  long agent_rss_kib() {
    Result<std::string> status =
        os::read_file("/proc/" + std::to_string(client_->agent().pid()) + "/status");
    size_t field = status ? status->find("VmRSS:") : std::string::npos;
    EXPECT_NE(field, std::string::npos) << "no VmRSS for the agent";
    return field == std::string::npos ? 0 : std::stol(status->substr(field + 6));
  }

  std::optional<AgentClient> client_;
};

std::string cbor(const nlohmann::json& value) {
  std::vector<uint8_t> bytes = nlohmann::json::to_cbor(value);
  return std::string(bytes.begin(), bytes.end());
}

TEST_F(AgentChannelTest, SendsReadyFirst) {
  Result<protocol::Envelope> first = client_->next();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->id, 0u);
  EXPECT_EQ(first->flags, 0);
  auto* ready = std::get_if<protocol::CoreReady>(&first->message);
  ASSERT_TRUE(ready) << protocol::message_name(first->message);
  EXPECT_EQ(ready->protocol_version, 2u);
  EXPECT_EQ(ready->stdin_window, protocol::kStdinWindowBytes);
  EXPECT_EQ(ready->output_window, protocol::kOutputWindowBytes);
  EXPECT_FALSE(ready->agent_version.empty());
  EXPECT_FALSE(ready->kernel_release.empty());
  EXPECT_GT(ready->ready_boottime_ns, 0u);
}

TEST_F(AgentChannelTest, EchoHello) {
  wait_ready();
  SessionEvents events = run(1, exec_request("echo", {"hello"}));
  ASSERT_TRUE(events.started.has_value());
  EXPECT_GT(events.started->pid, 0);
  EXPECT_EQ(events.stdout_data, "hello\n");
  EXPECT_EQ(events.stderr_data, "");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
  EXPECT_EQ(events.exited->signal, 0);
  EXPECT_EQ(events.order.front(), "exec.started");
  EXPECT_EQ(events.order.back(), "exec.exited");
  EXPECT_TRUE(events.terminal_flags & kFlagTerminal);
}

TEST_F(AgentChannelTest, ReportsExitCodesOfConcurrentSessions) {
  wait_ready();
  for (int code : {0, 1, 42}) {
    protocol::ExecRequest request = exec_request("sh", {"-c", "exit " + std::to_string(code)});
    ASSERT_TRUE(client_->send(100 + code, kFlagSessionStart, request).has_value());
  }
  for (int code : {42, 0, 1}) {
    Result<SessionEvents> events = client_->collect(100 + code);
    ASSERT_TRUE(events.has_value()) << events.error().message;
    ASSERT_TRUE(events->exited.has_value()) << "code " << code;
    EXPECT_EQ(events->exited->code, code);
    EXPECT_EQ(events->exited->signal, 0);
  }
}

TEST_F(AgentChannelTest, ReportsKillingSignal) {
  wait_ready();
  SessionEvents events = run(2, exec_request("sh", {"-c", "kill -9 $$"}));
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->signal, SIGKILL);
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentChannelTest, KeepsStdoutAndStderrApart) {
  wait_ready();
  SessionEvents events =
      run(3, exec_request("sh", {"-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"}));
  EXPECT_EQ(events.stdout_data, "out1\nout2\n");
  EXPECT_EQ(events.stderr_data, "err1\nerr2\n");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentChannelTest, PassesEnvArgsAndCwd) {
  wait_ready();
  protocol::ExecRequest request =
      exec_request("sh", {"-c", "printf '%s|%s|%s|' \"$GREETING\" \"$1\" \"$(pwd)\"", "sh", "a b"});
  request.env = {"GREETING=hi there"};
  request.cwd = "/tmp";
  EXPECT_EQ(run(4, request).stdout_data, "hi there|a b|/tmp|");
  EXPECT_EQ(run(5, exec_request("pwd")).stdout_data, "/\n");  // default cwd
}

TEST_F(AgentChannelTest, DeliversOneMebibyteByteExact) {
  wait_ready();
  SessionEvents events =
      run(6, exec_request("sh", {"-c", "head -c 1048576 /dev/zero | tr '\\0' x"}));
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
  EXPECT_EQ(events.stdout_data.size(), 1u << 20);
  EXPECT_TRUE(events.stdout_data == std::string(1 << 20, 'x'));
  EXPECT_LE(events.largest_chunk, 64u * 1024);
}

TEST_F(AgentChannelTest, DeliversPatternedOutputInOrder) {
  wait_ready();
  std::string expected;
  for (int i = 1; i <= 200'000; ++i) expected += std::to_string(i) + "\n";
  SessionEvents events = run(7, exec_request("seq", {"1", "200000"}));
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.stdout_data.size(), expected.size());
  EXPECT_TRUE(events.stdout_data == expected);
}

TEST_F(AgentChannelTest, HoldsOutputBackWhileHostIsNotReading) {
  wait_ready();
  long rss_before = agent_rss_kib();
  // Well above what the pipe, the socket buffers and the agent's 1 MiB queue can hold,
  // small enough to stream quickly under ASan.
  constexpr size_t kBytes = 8u << 20;
  protocol::ExecRequest request = exec_request("head", {"-c", std::to_string(kBytes), "/dev/zero"});
  ASSERT_TRUE(client_->send(8, kFlagSessionStart, request).has_value());
  Result<protocol::Envelope> started = client_->next();
  ASSERT_TRUE(started.has_value()) << started.error().message;
  auto* start = std::get_if<protocol::ExecStarted>(&started->message);
  ASSERT_TRUE(start) << protocol::message_name(started->message);
  // Not reading: the process must be held back (blocked writing to its full pipe, the only
  // call of `head` on /dev/zero that sleeps), not buffered in the agent.
  EXPECT_TRUE(wait_until([&] { return sleeping(static_cast<pid_t>(start->pid)); },
                         milliseconds(30'000), milliseconds(20)))
      << "head never blocked on its output";
  EXPECT_FALSE(process_gone(static_cast<pid_t>(start->pid), milliseconds(0)))
      << "the process finished although the host read none of its output";
  if (kMemoryBoundsChecked) {
    EXPECT_LT(agent_rss_kib() - rss_before, 12 * 1024) << "agent buffered unread output";
  }
  Result<SessionEvents> events = client_->collect(8, milliseconds(60'000));
  ASSERT_TRUE(events.has_value()) << events.error().message;
  EXPECT_EQ(events->stdout_data.size(), kBytes);
  EXPECT_EQ(events->stdout_data.find_first_not_of('\0'), std::string::npos);
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->code, 0);
}

TEST_F(AgentChannelTest, SessionsInheritOnlyStandardFds) {
  wait_ready();
  // The channel in particular: a process holding it could forge frames to the host.
  std::string script = "for fd in $(seq 0 64); do [ -e /proc/$$/fd/$fd ] && echo $fd; done; true";
  SessionEvents events = run(15, exec_request("sh", {"-c", script}));
  EXPECT_EQ(events.stdout_data, "0\n1\n2\n");
  EXPECT_EQ(events.stderr_data, "");
}

TEST_F(AgentChannelTest, MissingCommandFailsNotFound) {
  wait_ready();
  SessionEvents events = run(9, exec_request("msb-no-such-command"));
  EXPECT_FALSE(events.started.has_value());
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "not-found");
  EXPECT_EQ(events.failed->message, "command not found: msb-no-such-command");
  EXPECT_TRUE(events.terminal_flags & kFlagTerminal);
  expect_alive(90);
}

TEST_F(AgentChannelTest, BadCwdFailsBadCwd) {
  wait_ready();
  protocol::ExecRequest request = exec_request("true");
  request.cwd = "/msb/no/such/dir";
  SessionEvents events = run(10, request);
  EXPECT_FALSE(events.started.has_value());
  ASSERT_TRUE(events.failed.has_value());
  EXPECT_EQ(events.failed->kind, "bad-cwd");
  EXPECT_EQ(events.failed->errno_value, ENOENT);
  EXPECT_NE(events.failed->message.find("/msb/no/such/dir"), std::string::npos);
}

TEST_F(AgentChannelTest, StdinRoundTripsThroughCat) {
  wait_ready();
  protocol::ExecRequest request = exec_request("cat");
  request.stdin_pipe = true;
  ASSERT_TRUE(client_->send(11, kFlagSessionStart, request).has_value());
  std::string sent;
  for (int round = 0; round < 64; ++round) {
    std::string chunk;
    for (int i = 0; i < 4096; ++i) chunk.push_back(static_cast<char>((i * 31 + round) & 0xFF));
    sent += chunk;
    protocol::ExecStdin stdin_data{protocol::Bytes{chunk}, false};
    ASSERT_TRUE(client_->send(11, 0, stdin_data).has_value());
  }
  ASSERT_TRUE(client_->send(11, 0, protocol::ExecStdin{{}, true}).has_value());
  Result<SessionEvents> events = client_->collect(11);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  EXPECT_EQ(events->stdout_data.size(), sent.size());
  EXPECT_TRUE(events->stdout_data == sent);
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->code, 0);
}

TEST_F(AgentChannelTest, StdinIsDevNullWithoutPipe) {
  wait_ready();
  SessionEvents events = run(12, exec_request("cat"));
  EXPECT_EQ(events.stdout_data, "");
  ASSERT_TRUE(events.exited.has_value());
  EXPECT_EQ(events.exited->code, 0);
}

TEST_F(AgentChannelTest, SignalEndsProcess) {
  wait_ready();
  ASSERT_TRUE(client_->send(13, kFlagSessionStart, exec_request("sleep", {"100"})).has_value());
  Result<protocol::Envelope> started = client_->next();
  ASSERT_TRUE(started.has_value()) << started.error().message;
  auto* start = std::get_if<protocol::ExecStarted>(&started->message);
  ASSERT_TRUE(start) << protocol::message_name(started->message);
  ASSERT_TRUE(client_->send(13, 0, protocol::ExecSignal{SIGTERM}).has_value());
  Result<SessionEvents> events = client_->collect(13);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->signal, SIGTERM);
  EXPECT_TRUE(process_gone(static_cast<pid_t>(start->pid)));
}

TEST_F(AgentChannelTest, AnswersGarbageBodyWithMalformed) {
  wait_ready();
  ASSERT_TRUE(client_->send_body(77, 0, "this is not CBOR").has_value());
  EXPECT_EQ(expect_error(77).kind, "malformed");
  // Bodies that used to crash the CBOR reader (stack depth, huge declared lengths).
  ASSERT_TRUE(client_->send_body(78, 0, std::string(200'000, '\x81')).has_value());
  EXPECT_EQ(expect_error(78).kind, "malformed");
  std::string huge_array("\x9b\xff\xff\xff\xff\xff\xff\xff\xfe", 9);
  ASSERT_TRUE(client_->send_body(79, 0, huge_array).has_value());
  EXPECT_EQ(expect_error(79).kind, "malformed");
  expect_alive(80);
}

TEST_F(AgentChannelTest, AnswersShortLengthWithMalformed) {
  wait_ready();
  ASSERT_TRUE(client_->send_raw(std::string("\x00\x00\x00\x01\x07", 5)).has_value());
  EXPECT_EQ(expect_error(0).kind, "malformed");
  expect_alive(81);
}

TEST_F(AgentChannelTest, AnswersOversizedFrameAndResyncs) {
  wait_ready();
  uint32_t body_size = protocol::kMaxBodyBytes + 1;
  std::string frame = protocol::encode_frame({82, 0, ""});
  uint32_t length = body_size + 5;
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<char>(length >> (24 - 8 * i));
  frame += std::string(body_size, 'z');
  ASSERT_TRUE(client_->send_raw(frame).has_value());
  protocol::CoreError error = expect_error(82);
  EXPECT_EQ(error.kind, "oversized");
  expect_alive(83);
}

TEST_F(AgentChannelTest, AnswersUnknownTypeWithUnsupported) {
  wait_ready();
  ASSERT_TRUE(client_->send_body(84, 0, cbor({{"t", "exec.teleport"}, {"p", {}}})).has_value());
  protocol::CoreError error = expect_error(84);
  EXPECT_EQ(error.kind, "unsupported-type");
  EXPECT_EQ(error.offending_type, "exec.teleport");
  // A known message the agent only sends is not accepted either.
  ASSERT_TRUE(client_->send(85, 0, protocol::ExecStdout{}).has_value());
  error = expect_error(85);
  EXPECT_EQ(error.kind, "unsupported-type");
  EXPECT_EQ(error.offending_type, "exec.stdout");
  expect_alive(86);
}

TEST_F(AgentChannelTest, AnswersBadPayloadWithInvalidPayload) {
  wait_ready();
  std::string body = cbor({{"t", "exec.request"}, {"p", {{"cmd", 5}}}});
  ASSERT_TRUE(client_->send_body(87, kFlagSessionStart, body).has_value());
  protocol::CoreError error = expect_error(87);
  EXPECT_EQ(error.kind, "invalid-payload");
  EXPECT_EQ(error.offending_type, "exec.request");
  expect_alive(88);
}

TEST_F(AgentChannelTest, RejectsMessagesForUnknownOrBusySessions) {
  wait_ready();
  ASSERT_TRUE(client_->send(91, 0, protocol::ExecSignal{SIGTERM}).has_value());
  EXPECT_EQ(expect_error(91).kind, "invalid-session");
  ASSERT_TRUE(client_->send(92, 0, protocol::ExecStdin{{"x"}, true}).has_value());
  EXPECT_EQ(expect_error(92).kind, "invalid-session");

  ASSERT_TRUE(client_->send(93, kFlagSessionStart, exec_request("sleep", {"100"})).has_value());
  ASSERT_TRUE(client_->send(93, kFlagSessionStart, exec_request("true")).has_value());
  Result<SessionEvents> events = client_->collect(93);  // ends at the duplicate's error
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->error.has_value());
  EXPECT_EQ(events->error->kind, "invalid-session");
  ASSERT_TRUE(events->started.has_value());
  ASSERT_TRUE(client_->send(93, 0, protocol::ExecSignal{SIGKILL}).has_value());
  events = client_->collect(93);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_TRUE(events->exited.has_value());
  EXPECT_EQ(events->exited->signal, SIGKILL);
}

TEST_F(AgentChannelTest, ShutdownExitsAndKillsSessions) {
  wait_ready();
  ASSERT_TRUE(client_->send(14, kFlagSessionStart, exec_request("sleep", {"100"})).has_value());
  Result<protocol::Envelope> started = client_->next();
  ASSERT_TRUE(started.has_value()) << started.error().message;
  auto* start = std::get_if<protocol::ExecStarted>(&started->message);
  ASSERT_TRUE(start);
  ASSERT_TRUE(client_->send(0, protocol::kFlagShutdown, protocol::CoreShutdown{}).has_value());
  os::ExitStatus status = wait_agent_exit();
  EXPECT_EQ(status.signal, 0);
  EXPECT_EQ(status.code, 0);
  EXPECT_FALSE(client_->agent().running());
  EXPECT_TRUE(process_gone(static_cast<pid_t>(start->pid)));
}

TEST_F(AgentChannelTest, ExitsWhenHostClosesChannel) {
  wait_ready();
  client_->close_channel();
  os::ExitStatus status = wait_agent_exit();
  EXPECT_TRUE(status.success()) << "code " << status.code << " signal " << status.signal;
}

}  // namespace
}  // namespace msb::testing
