// The agent's fs requests over whichever connection a caller holds: the SDK's FsClient
// (through the supervisor) or the foreground run's own agent session. Rootfs patches and
// host-to-guest copies are written once against this.
#pragma once

#include <functional>
#include <string_view>
#include <variant>

#include "common/error.h"
#include "protocol/messages.h"

namespace msb::runtime {

// The next chunk of a file being written; an empty chunk ends it.
using ChunkSource = std::function<Result<std::string_view>()>;

// Implementations are not thread-safe.
class GuestFsChannel {
 public:
  virtual ~GuestFsChannel() = default;
  // Sends `request` as a new fs session and returns the agent's last frame (fs.done,
  // fs.stat_result, ...). fs.error is an error with the agent's message and errno;
  // core.error is kProtocol; a lost sandbox is the transport's error.
  virtual Result<protocol::Message> call(const protocol::Message& request) = 0;
  // One fs.write session: `begin`, every chunk of `source`, fs.close; returns at fs.done.
  virtual Result<void> write(const protocol::FsWrite& begin, const ChunkSource& source) = 0;
};

// call() for a request answered by fs.done (mkdir, chmod, symlink, remove, ...); any other
// answer is kProtocol "unexpected reply to <name>".
inline Result<void> call_done(GuestFsChannel& channel, const protocol::Message& request) {
  protocol::Message reply = MSB_TRY(channel.call(request));
  if (std::holds_alternative<protocol::FsDone>(reply)) return {};
  return err(ErrorKind::kProtocol, "unexpected reply to {}", protocol::message_name(request));
}

}  // namespace msb::runtime
