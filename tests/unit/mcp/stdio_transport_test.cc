#include "mcp/stdio_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "os/io.h"

namespace msb::mcp {
namespace {

using nlohmann::json;

// A tool that holds until released, to see other messages answered meanwhile.
struct Gate {
  std::atomic<bool> open{false};
};

Tool gate_tool(Gate& gate) {
  return {"wait",
          "Wait",
          "Waits for the gate.",
          {},
          {true, false, true, false},
          [&gate](const ToolArgs&) -> ToolResult {
            while (!gate.open) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return {{{"waited", true}}};
          }};
}

// Runs serve_stdio over pipes: `input` is written and closed, the answers are read.
class StdioHarness {
 public:
  StdioHarness(const McpServer& server, StdioOptions options = {}) {
    in_ = os::make_pipe().value();
    out_ = os::make_pipe().value();
    thread_ = std::thread([this, &server, options] {
      outcome_ = serve_stdio(server, in_.read.get(), out_.write.get(), options);
      out_.write.reset();
    });
  }
  ~StdioHarness() {
    finish_input();
    if (thread_.joinable()) thread_.join();
  }
  void write(const std::string& text) { ASSERT_TRUE(os::write_all(in_.write.get(), text)); }
  void finish_input() { in_.write.reset(); }
  // The next answer line, parsed.
  json next() {
    while (true) {
      size_t newline = buffered_.find('\n');
      if (newline != std::string::npos) {
        json message = json::parse(buffered_.substr(0, newline));
        buffered_.erase(0, newline + 1);
        return message;
      }
      char chunk[4096];
      Result<size_t> got = os::read_some(out_.read.get(), chunk);
      if (!got || *got == 0) return nullptr;
      buffered_.append(chunk, *got);
    }
  }
  Result<void> join() {
    thread_.join();
    return outcome_;
  }

 private:
  os::PipePair in_;
  os::PipePair out_;
  std::thread thread_;
  Result<void> outcome_;
  std::string buffered_;
};

std::string line(const json& message) { return message.dump() + "\n"; }

TEST(StdioTransport, AnswersEachLineAndEndsAtEndOfInput) {
  McpServer server{std::vector<Tool>{}};
  StdioHarness harness(server);
  harness.write(line({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}) + "\r\n\n" +
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\r\n" + "not json\n");
  EXPECT_EQ(harness.next()["id"], 1);
  EXPECT_EQ(harness.next()["id"], 2);  // a CRLF line ending is fine
  EXPECT_EQ(harness.next()["error"]["code"], rpc_code::kParseError);
  harness.finish_input();
  EXPECT_EQ(harness.next(), nullptr);
  EXPECT_TRUE(harness.join());
}

TEST(StdioTransport, ALastLineWithoutNewlineIsServed) {
  McpServer server{std::vector<Tool>{}};
  StdioHarness harness(server);
  harness.write(R"({"jsonrpc":"2.0","id":"last","method":"ping"})");
  harness.finish_input();
  EXPECT_EQ(harness.next()["id"], "last");
}

TEST(StdioTransport, AnswersOtherMessagesWhileAToolCallRuns) {
  Gate gate;
  McpServer server{std::vector<Tool>{gate_tool(gate)}};
  StdioHarness harness(server);
  harness.write(line({{"jsonrpc", "2.0"},
                      {"id", "slow"},
                      {"method", "tools/call"},
                      {"params", {{"name", "wait"}}}}));
  harness.write(line({{"jsonrpc", "2.0"}, {"id", "quick"}, {"method", "ping"}}));
  EXPECT_EQ(harness.next()["id"], "quick");
  gate.open = true;
  json slow = harness.next();
  EXPECT_EQ(slow["id"], "slow");
  EXPECT_EQ(slow["result"]["structuredContent"]["waited"], true);
}

TEST(StdioTransport, FinishesCallsInProgressAtEndOfInput) {
  Gate gate;
  McpServer server{std::vector<Tool>{gate_tool(gate)}};
  StdioHarness harness(server);
  harness.write(line(
      {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "wait"}}}}));
  harness.finish_input();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gate.open = true;
  EXPECT_EQ(harness.next()["id"], 1);
  EXPECT_TRUE(harness.join());
}

TEST(StdioTransport, SkipsALinePastTheLimitAndReadsOn) {
  McpServer server{std::vector<Tool>{}};
  StdioOptions options;
  options.max_line_bytes = 1000;
  StdioHarness harness(server, options);
  harness.write("{\"pad\":\"" + std::string(5000, 'x') + "\"}\n");
  harness.write(line({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "ping"}}));
  json too_large = harness.next();
  EXPECT_EQ(too_large["id"], nullptr);
  EXPECT_EQ(too_large["error"]["code"], rpc_code::kInvalidRequest);
  EXPECT_EQ(harness.next()["id"], 2);
}

}  // namespace
}  // namespace msb::mcp
