#include "mcp/stdio_transport.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/defer.h"
#include "os/io.h"

namespace msb::mcp {

namespace {

// Answers written whole, one per line, from whichever thread has one.
class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}
  void write(const nlohmann::json& message) {
    std::string line = serialize(message) + "\n";
    std::lock_guard lock(mutex_);
    if (broken_) return;
    if (!os::write_all(fd_, line)) broken_ = true;  // the client is gone: drop the rest
  }

 private:
  int fd_;
  std::mutex mutex_;
  bool broken_ = false;
};

// The tool calls waiting for a worker, at most `capacity` of them.
class CallQueue {
 public:
  explicit CallQueue(size_t capacity) : capacity_(capacity) {}
  void push(Prepared call) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this] { return calls_.size() < capacity_; });
    calls_.push_back(std::move(call));
    ready_.notify_one();
  }
  // Blocks for a call; nullopt once closed and drained.
  std::optional<Prepared> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !calls_.empty() || closed_; });
    if (calls_.empty()) return std::nullopt;
    Prepared call = std::move(calls_.front());
    calls_.pop_front();
    space_.notify_one();
    return call;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<Prepared> calls_;
  bool closed_ = false;
};

void answer(LineWriter& writer, const McpAnswer& answer) {
  if (answer.message) writer.write(*answer.message);
}

}  // namespace

Result<void> serve_stdio(const McpServer& server, int in_fd, int out_fd,
                         const StdioOptions& options) {
  LineWriter writer(out_fd);
  CallQueue queue(options.workers);
  std::vector<std::jthread> workers;
  for (size_t i = 0; i < options.workers; ++i)
    workers.emplace_back([&] {
      while (std::optional<Prepared> call = queue.pop()) answer(writer, server.run(*call));
    });
  // Before the workers are joined, however this function ends (an exception included):
  // a worker waiting for a call must be told there will be none.
  MSB_DEFER { queue.close(); };
  Connection connection;
  auto handle_line = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    Prepared prepared = server.prepare(line, connection);
    // Only tool calls can take long; everything else is answered here, in order.
    if (!prepared.answer && prepared.message.kind == MessageKind::kRequest &&
        prepared.message.method == "tools/call") {
      queue.push(std::move(prepared));
    } else {
      answer(writer, server.run(prepared));
    }
  };

  std::string pending;
  bool skipping = false;  // inside a line past the limit, until its newline
  std::vector<char> buffer(64 << 10);
  Result<void> outcome;
  while (true) {
    Result<size_t> got = os::read_some(in_fd, buffer);
    if (!got) {
      outcome = tl::unexpected(got.error());
      break;
    }
    if (*got == 0) break;
    std::string_view chunk(buffer.data(), *got);
    while (!chunk.empty()) {
      size_t newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      if (!skipping) pending.append(piece);
      if (!skipping && pending.size() > options.max_line_bytes) {
        writer.write(error_message({nullptr, rpc_code::kInvalidRequest,
                                    "Invalid Request: message larger than the limit", nullptr}));
        pending.clear();
        skipping = true;
      }
      if (newline == std::string_view::npos) break;
      if (!skipping) handle_line(pending);
      pending.clear();
      skipping = false;
      chunk.remove_prefix(newline + 1);
    }
  }
  if (!skipping && !pending.empty()) handle_line(pending);
  queue.close();
  workers.clear();  // joins: the calls in progress finish and answer
  return outcome;
}

}  // namespace msb::mcp
