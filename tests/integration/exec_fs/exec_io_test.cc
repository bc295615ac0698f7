// Exec data paths on a real sandbox: large stdin, stdin to a process that does not read
// it, large output, and the order of stdout and stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "sandbox_suite.h"

namespace msb::testing {
namespace {

using microsandbox::ExecEvent;
using microsandbox::ExecOptions;
using microsandbox::ExecOutput;
using microsandbox::ExecStream;
using ::testing::HasSubstr;

constexpr size_t kMiB = 1 << 20;

class ExecIo : public SandboxSuite {};

// Byte counts and hashes of what a stream has delivered so far.
struct Received {
  size_t stdout_bytes = 0;
  Sha256 stdout_hash;
  std::string stderr_data;
  std::optional<ExecEvent> exited;
  bool stdin_closed = false;
  size_t events = 0;
  size_t stdin_closed_at = 0;  // event numbers, from 1
  size_t exited_at = 0;

  void take(ExecEvent event) {
    ++events;
    if (event.kind == ExecEvent::Kind::kStdout) {
      stdout_bytes += event.data.size();
      stdout_hash.update(event.data);
    } else if (event.kind == ExecEvent::Kind::kStderr) {
      stderr_data += event.data;
    } else if (event.kind == ExecEvent::Kind::kStdinClosed) {
      stdin_closed = true;
      stdin_closed_at = events;
    } else if (event.kind == ExecEvent::Kind::kExited) {
      exited = std::move(event);
      exited_at = events;
    }
  }
  // Every event that is ready now, without waiting.
  void take_ready(ExecStream& stream) {
    for (;;) {
      try {
        std::optional<ExecEvent> event = stream.next(std::chrono::milliseconds(0));
        if (!event) return;
        take(std::move(*event));
      } catch (const microsandbox::Error& error) {
        if (error.kind() == microsandbox::ErrorKind::kTimeout) return;
        throw;
      }
    }
  }
  void take_all(ExecStream& stream) {
    while (std::optional<ExecEvent> event = stream.next()) take(std::move(*event));
  }
};

TEST_F(ExecIo, SixteenMebibytesOfStdinArriveByteExactThroughExec) {
  Watchdog watchdog("16 MiB of stdin through exec", std::chrono::seconds(300));
  // Twice the SDK's 8 MiB send window: the writer has to wait for cat and read its output.
  std::string input = random_bytes(16 * kMiB + 12345, 1);
  ExecOptions options;
  options.stdin_data = input;
  ExecOutput out = sandbox().exec("cat", {}, options);
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  ASSERT_EQ(out.stdout_data.size(), input.size());
  EXPECT_EQ(sha256_hex(out.stdout_data), sha256_hex(input));
}

TEST_F(ExecIo, StreamedStdinInMebibytePiecesArrivesByteExact) {
  Watchdog watchdog("streamed stdin", std::chrono::seconds(300));
  std::string input = random_bytes(12 * kMiB + 7, 2);
  ExecOptions options;
  options.stdin_stream = true;
  ExecStream stream = sandbox().exec_stream("cat", {}, options);
  Received received;
  // One thread: write_stdin reads events into a backlog when its window is full, and the
  // events read here keep cat's output from blocking it.
  for (size_t offset = 0; offset < input.size(); offset += kMiB) {
    stream.write_stdin(std::string_view(input).substr(offset, kMiB));
    received.take_ready(stream);
  }
  stream.close_stdin();
  received.take_all(stream);
  ASSERT_TRUE(received.exited);
  EXPECT_EQ(received.exited->exit_code, 0) << received.stderr_data;
  EXPECT_FALSE(received.stdin_closed);
  EXPECT_EQ(received.stdout_bytes, input.size());
  EXPECT_EQ(received.stdout_hash.hex(), sha256_hex(input));
}

// Writes 16 MiB of stdin in 1 MiB pieces to a process that never reads it; returns what
// came back in `received`. An early end of the writes (an error) is fine: it returns true
// then.
bool write_unread_stdin(ExecStream& stream, Received& received) {
  std::string piece = random_bytes(kMiB, 3);
  bool write_failed = false;
  for (int i = 0; i < 16 && !write_failed; ++i) {
    try {
      stream.write_stdin(piece);
    } catch (const microsandbox::Error&) {
      write_failed = true;
    }
    received.take_ready(stream);
  }
  if (!write_failed) stream.close_stdin();
  received.take_all(stream);
  return write_failed;
}

TEST_F(ExecIo, StdinToAProcessThatDoesNotReadItEndsWithoutAHang) {
  Watchdog watchdog("stdin to true", std::chrono::seconds(60));
  ExecOptions options;
  options.stdin_stream = true;
  // `true` may exit before any stdin reaches it (then no kStdinClosed: nothing was left
  // waiting) or while the agent holds some: either way the stream ends with kExited.
  ExecStream stream = sandbox().exec_stream("true", {}, options);
  Received received;
  (void)write_unread_stdin(stream, received);
  ASSERT_TRUE(received.exited);
  EXPECT_EQ(received.exited->exit_code, 0);
  EXPECT_EQ(received.stdout_bytes, 0u);
  EXPECT_FALSE(stream.next(std::chrono::seconds(1)));
}

TEST_F(ExecIo, StdinLeftUnreadAtExitIsReportedBeforeTheExit) {
  Watchdog watchdog("stdin to sleep", std::chrono::seconds(120));
  ExecOptions options;
  options.stdin_stream = true;
  // sleep holds its stdin open without reading: the agent is still holding data when it
  // exits, and says so (exec.stdin_closed) before the exit.
  ExecStream stream = sandbox().exec_stream("sleep", {"2"}, options);
  Received received;
  bool write_failed = write_unread_stdin(stream, received);
  ASSERT_TRUE(received.exited);
  EXPECT_EQ(received.exited->exit_code, 0);
  EXPECT_TRUE(received.stdin_closed || write_failed);
  if (received.stdin_closed) {
    EXPECT_LT(received.stdin_closed_at, received.exited_at);
  }
}

TEST_F(ExecIo, HundredMebibytesOfOutputArriveWithTheGuestsHash) {
  Watchdog watchdog("100 MiB of output", std::chrono::seconds(600));
  ExecOutput made =
      sh("dd if=/dev/urandom of=/tmp/big bs=1048576 count=100 2>/dev/null && "
         "sha256sum /tmp/big");
  ASSERT_EQ(made.exit_code, 0) << made.stderr_data;
  std::string guest_hash = made.stdout_data.substr(0, made.stdout_data.find(' '));
  ASSERT_EQ(guest_hash.size(), 64u) << made.stdout_data;

  auto started = std::chrono::steady_clock::now();
  ExecStream stream = sandbox().exec_stream("cat", {"/tmp/big"});
  Received received;
  received.take_all(stream);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(received.exited);
  EXPECT_EQ(received.exited->exit_code, 0) << received.stderr_data;
  EXPECT_EQ(received.stdout_bytes, 100 * kMiB);
  EXPECT_EQ(received.stdout_hash.hex(), guest_hash);
  std::printf("100 MiB streamed out in %.1f s (%zu events)\n", seconds, received.events);
  EXPECT_EQ(sh("rm /tmp/big").exit_code, 0);
}

TEST_F(ExecIo, StdoutAndStderrKeepTheirOwnOrder) {
  ExecOutput out = sh("for i in $(seq 1 200); do echo out$i; echo err$i >&2; done", ExecOptions{});
  ASSERT_EQ(out.exit_code, 0);
  std::vector<std::string> expected_out, expected_err;
  for (int i = 1; i <= 200; ++i) {
    expected_out.push_back("out" + std::to_string(i));
    expected_err.push_back("err" + std::to_string(i));
  }
  EXPECT_EQ(lines_of(out.stdout_data), expected_out);
  EXPECT_EQ(lines_of(out.stderr_data), expected_err);
}

TEST_F(ExecIo, StreamedStdoutAndStderrKeepTheirOwnOrder) {
  ExecStream stream = sandbox().exec_stream(
      "sh", {"-c", "for i in $(seq 1 200); do echo out$i; echo err$i >&2; done"});
  std::string out, err;
  while (std::optional<ExecEvent> event = stream.next(kSlow)) {
    if (event->kind == ExecEvent::Kind::kStdout) out += event->data;
    if (event->kind == ExecEvent::Kind::kStderr) err += event->data;
  }
  std::vector<std::string> out_lines = lines_of(out), err_lines = lines_of(err);
  ASSERT_EQ(out_lines.size(), 200u) << out;
  ASSERT_EQ(err_lines.size(), 200u) << err;
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(out_lines[i], "out" + std::to_string(i + 1));
    EXPECT_EQ(err_lines[i], "err" + std::to_string(i + 1));
  }
  EXPECT_THAT(out, ::testing::Not(HasSubstr("err")));
}

}  // namespace
}  // namespace msb::testing
