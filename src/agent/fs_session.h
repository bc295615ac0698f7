// The fs requests that outlive one loop round: fs.list and fs.read produce frames while the
// host keeps up and has credit for them (core.ack), fs.write consumes the host's fs.data
// frames. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "agent/fs_common.h"
#include "protocol/connection.h"
#include "protocol/flow_control.h"
#include "protocol/messages.h"

namespace msb::agent {

class FsSession {
 public:
  // kOpen: more to come. kDone / kFailed: the terminal frame (fs.done / fs.error) is queued.
  enum class State { kOpen, kDone, kFailed };

  virtual ~FsSession() = default;

  // True for sessions that send data (list, read): the loop calls produce() while the
  // connection has room and the host has credit.
  virtual bool produces() const { return false; }
  // Queues frames for session `id` whose flow cost is about `budget` (at least one frame;
  // data reads stay within it).
  virtual State produce(uint32_t id, protocol::FrameConnection& connection, size_t budget);
  // The flow cost the host still has credit for, and its core.ack.
  uint64_t credit_room() const { return credit_.room(); }
  void acknowledge(uint64_t bytes) { credit_.acknowledge(bytes); }

  // True for sessions that take fs.data and fs.close from the host (write).
  virtual bool accepts_upload() const { return false; }
  // Handles one fs.data or fs.close of session `id`. REQUIRES: accepts_upload().
  virtual State receive(uint32_t id, const protocol::Message& message,
                        protocol::FrameConnection& connection);

 protected:
  // Queues a non-terminal frame that counts against the host's credit (fs.data, fs.list_entry).
  void send_counted(uint32_t id, protocol::FrameConnection& connection,
                    const protocol::Message& message);

 private:
  protocol::CreditWindow credit_{protocol::kOutputWindowBytes};
};

// Each opens what its request names and returns the session, or the fs.error to send
// (kinds as in fs_error_kind; invalid-path for a bad path).
// fs.list: the directory's names are read now (sorted bytewise); entries are examined with
// lstat as they are produced. A final symlink is followed.
FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsList& request);
// fs.read: regular files only (is-a-directory for a directory, other for the rest).
FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsRead& request);
// fs.write: opens (and maybe creates) the file; data is written as it arrives.
FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsWrite& request);

}  // namespace msb::agent
