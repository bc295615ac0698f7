#include "sdk/fs_client.h"

#include "common/defer.h"
#include "os/clock.h"

namespace msb::sdk {
namespace {

constexpr std::chrono::milliseconds kConnectTimeout{10'000};
constexpr size_t kWriteChunkBytes = 256 * 1024;

ErrorKind kind_of(const std::string& fs_kind) {
  if (fs_kind == "not-found") return ErrorKind::kNotFound;
  if (fs_kind == "permission-denied") return ErrorKind::kPermissionDenied;
  if (fs_kind == "already-exists") return ErrorKind::kAlreadyExists;
  if (fs_kind == "invalid-path") return ErrorKind::kInvalidArgument;
  return ErrorKind::kIo;
}

}  // namespace

Result<FsClient> FsClient::connect(const std::string& socket_path) {
  return FsClient(MSB_TRY(AgentClient::connect(socket_path, kConnectTimeout)));
}

Result<protocol::Message> FsClient::reply(uint32_t id, uint64_t deadline_ns) {
  for (;;) {
    protocol::Envelope envelope = MSB_TRY(client_.next(deadline_ns));
    if (envelope.id != id) continue;
    if (auto* failed = std::get_if<protocol::FsError>(&envelope.message))
      return make_error(kind_of(failed->kind), failed->message, failed->errno_value);
    if (auto* error = std::get_if<protocol::CoreError>(&envelope.message))
      return err(ErrorKind::kProtocol, "the agent rejected the request: {}", error->message);
    return std::move(envelope.message);
  }
}

Result<protocol::FsStatResult> FsClient::stat(const std::string& path, bool follow) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart, protocol::FsStat{path, follow}));
  protocol::Message message = MSB_TRY(reply(id));
  if (auto* stat = std::get_if<protocol::FsStatResult>(&message)) return *stat;
  return err(ErrorKind::kProtocol, "stat {}: unexpected reply", path);
}

Result<std::vector<protocol::FsListEntry>> FsClient::list(const std::string& path) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart, protocol::FsList{path}));
  std::vector<protocol::FsListEntry> entries;
  protocol::AckBatch acks(client_.output_window());
  for (;;) {
    protocol::Message message = MSB_TRY(reply(id));
    if (auto* entry = std::get_if<protocol::FsListEntry>(&message)) {
      MSB_TRY(client_.consumed(id, acks, protocol::flow_cost(message)));
      entries.push_back(std::move(*entry));
    } else if (std::holds_alternative<protocol::FsDone>(message)) {
      return entries;
    } else {
      return err(ErrorKind::kProtocol, "list {}: unexpected reply", path);
    }
  }
}

Result<uint64_t> FsClient::read(const std::string& path, uint64_t offset, uint64_t length,
                                const ChunkSink& sink) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart, protocol::FsRead{path, offset, length}));
  protocol::AckBatch acks(client_.output_window());
  bool done_reading = false;
  // A sink that fails (or throws) would leave the agent's read open, waiting for credit.
  MSB_DEFER {
    if (!done_reading) (void)client_.cancel(id);
  };
  for (;;) {
    protocol::Message message = MSB_TRY(reply(id));
    if (auto* data = std::get_if<protocol::FsData>(&message)) {
      MSB_TRY(sink(data->data.data));
      // Acknowledged once the sink has it: a slow sink holds back this read only.
      MSB_TRY(client_.consumed(id, acks, protocol::flow_cost(message)));
    } else if (auto* done = std::get_if<protocol::FsDone>(&message)) {
      done_reading = true;
      return done->bytes;
    } else {
      return err(ErrorKind::kProtocol, "read {}: unexpected reply", path);
    }
  }
}

Result<protocol::Message> FsClient::call(const protocol::Message& message) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart, message));
  return reply(id);
}

Result<void> FsClient::request(const protocol::Message& message) {
  protocol::Message answer = MSB_TRY(call(message));
  if (std::holds_alternative<protocol::FsDone>(answer)) return {};
  return err(ErrorKind::kProtocol, "unexpected reply to {}", protocol::message_name(message));
}

Result<std::string> FsClient::path_request(const protocol::Message& message) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart, message));
  protocol::Message answer = MSB_TRY(reply(id));
  if (auto* result = std::get_if<protocol::FsPathResult>(&answer)) return result->path;
  return err(ErrorKind::kProtocol, "unexpected reply to {}", protocol::message_name(message));
}

Result<void> FsClient::cancel(uint32_t id) { return client_.cancel(id); }

Result<uint32_t> FsClient::begin_write(const std::string& path, uint32_t mode, std::string flags) {
  uint32_t id = client_.new_id();
  MSB_TRY(client_.send(id, protocol::kFlagSessionStart,
                       protocol::FsWrite{path, mode, std::move(flags)}));
  return id;
}

Result<void> FsClient::write_chunk(uint32_t id, std::string_view data) {
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, kWriteChunkBytes);
    data.remove_prefix(chunk.size());
    MSB_TRY(client_.send(id, 0, protocol::FsData{{std::string(chunk)}}));
    // Bounded: wait until the guest takes it, and no longer (a wait for a reply that
    // never comes cost up to 100 ms per window). An early reply can only be an error.
    while (!MSB_TRY(client_.flush_below(kSendWindowBytes))) {
      Result<protocol::Message> early = reply(id, os::monotonic_ns());
      if (!early && early.error().kind != ErrorKind::kTimeout) return tl::unexpected(early.error());
      if (early) return err(ErrorKind::kProtocol, "write: unexpected early reply");
    }
  }
  return {};
}

Result<uint64_t> FsClient::end_write(uint32_t id) {
  MSB_TRY(client_.send(id, 0, protocol::FsClose{}));
  protocol::Message answer = MSB_TRY(reply(id));
  if (auto* done = std::get_if<protocol::FsDone>(&answer)) return done->bytes;
  return err(ErrorKind::kProtocol, "write: unexpected reply");
}

}  // namespace msb::sdk
