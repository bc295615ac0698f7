// FsClient: the fs family of the agent protocol over one agent connection, Result-based.
// The public SandboxFs and `msb cp` run on it. Not thread-safe: one request at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "protocol/messages.h"
#include "sdk/agent_client.h"

namespace msb::sdk {

using ChunkSink = std::function<Result<void>(std::string_view chunk)>;

class FsClient {
 public:
  // Errors: kNotFound (sandbox not running), kIo.
  static Result<FsClient> connect(const std::string& socket_path);

  // Errors of every call: the agent's fs.error mapped to a kind (not-found -> kNotFound,
  // permission-denied -> kPermissionDenied, already-exists -> kAlreadyExists,
  // invalid-path -> kInvalidArgument, others -> kIo), message naming the guest path.
  Result<protocol::FsStatResult> stat(const std::string& path, bool follow);
  Result<std::vector<protocol::FsListEntry>> list(const std::string& path);
  // Streams [offset, offset + length) (length 0: to the end) to `sink`; returns bytes.
  // Each chunk is acknowledged once the sink has taken it, so a slow sink slows this read
  // only; a sink that fails or throws cancels the read in the guest.
  Result<uint64_t> read(const std::string& path, uint64_t offset, uint64_t length,
                        const ChunkSink& sink);
  // Any one-reply request: the agent's last frame (fs.done, fs.stat_result, ...).
  Result<protocol::Message> call(const protocol::Message& message);
  // A request answered by fs.done (mkdir, remove, rename, copy, symlink, chmod, ...).
  Result<void> request(const protocol::Message& message);
  // A request answered by fs.path_result (read_link, real_path).
  Result<std::string> path_request(const protocol::Message& message);

  // A write session: begin, chunks, end (fsync in the guest; returns the bytes written).
  Result<uint32_t> begin_write(const std::string& path, uint32_t mode, std::string flags);
  Result<void> write_chunk(uint32_t id, std::string_view data);
  Result<uint64_t> end_write(uint32_t id);
  // core.cancel for a write (or any session) that will not be finished: the guest closes
  // the file as it is. Does not wait for the agent's reply.
  Result<void> cancel(uint32_t id);

 private:
  explicit FsClient(AgentClient client) : client_(std::move(client)) {}
  // The next frame of session `id`; fs.error and core.error become errors.
  Result<protocol::Message> reply(uint32_t id, uint64_t deadline_ns = kNoDeadline);

  AgentClient client_;
};

}  // namespace msb::sdk
