// The fs family: requests about files in the sandbox. Paths are absolute and resolved in
// the agent's root, which is the sandbox's. Quick requests are answered in one reply by
// run_fs_request(); fs.list, fs.read and fs.write are sessions (fs_session.h) that
// FsService keeps between loop rounds. Every error is an fs.error (kinds in
// fs_common.h); docs/protocol.md describes each request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>

#include "agent/fs_session.h"
#include "protocol/connection.h"
#include "protocol/messages.h"

namespace msb::agent {

// Answers fs.stat: fs.stat_result, with exists=false when the path or one of its
// directories is missing (ENOENT, ENOTDIR), or fs.error: kind "invalid-path" for a path
// that is not absolute, contains NUL or is too long, "permission-denied" (EACCES, EPERM),
// else by errno. `follow` false describes a final symlink (lstat), true what it points
// to (stat). Thread-safe.
protocol::Message stat_path(const protocol::FsStat& request);

// The quick requests: each returns its terminal reply (fs.done, fs.path_result,
// fs.stat_result or fs.error). Thread-safe (they share the process's cwd and umask only).
protocol::Message run_fs_request(const protocol::FsStat& request);
protocol::Message run_fs_request(const protocol::FsMkdir& request);
protocol::Message run_fs_request(const protocol::FsRename& request);
protocol::Message run_fs_request(const protocol::FsSymlink& request);
protocol::Message run_fs_request(const protocol::FsReadLink& request);
protocol::Message run_fs_request(const protocol::FsRealPath& request);
protocol::Message run_fs_request(const protocol::FsChmod& request);
protocol::Message run_fs_request(const protocol::FsChown& request);
protocol::Message run_fs_request(const protocol::FsSetTimes& request);
// fs_tree.cc: trees are walked iteratively, never following a symlink, at most
// kMaxTreeDepth levels deep.
protocol::Message run_fs_request(const protocol::FsRemove& request);
protocol::Message run_fs_request(const protocol::FsCopy& request);

// True for every message of the fs family (wire name "fs.*").
bool is_fs_message(const protocol::Message& message);

// The fs sessions of one connection. Single-threaded, owned by the agent loop.
class FsService {
 public:
  // Serves one host frame of the fs family. `id_taken` is true when another family has a
  // live session with this id (answered with core.error invalid-session, as is a live fs
  // session's id).
  void handle_frame(uint32_t id, const protocol::Message& message, bool id_taken,
                    protocol::FrameConnection& connection);
  // True while `id` is a live fs session.
  bool is_live(uint32_t id) const { return sessions_.contains(id); }
  // core.ack for session `id`: the host took `bytes` of its output. Ignored for other ids.
  void acknowledge(uint32_t id, uint64_t bytes);
  // core.cancel: ends session `id` with a terminal fs.error kind "cancelled" (a write's file
  // is closed as it is, without fsync). A failed write whose data is being dropped stops
  // waiting for its fs.close. Ignored for other ids.
  void cancel(uint32_t id, protocol::FrameConnection& connection);
  // True when a session has frames to produce and credit to send them.
  bool wants_to_produce() const;
  // Lets the producing sessions queue frames, in turn, until the connection holds
  // `high_water` bytes or each has had one budget (at most its credit).
  void produce(protocol::FrameConnection& connection, size_t high_water);

 private:
  template <class Request>
  void start(uint32_t id, const Request& request, protocol::FrameConnection& connection);
  void receive_upload(uint32_t id, const protocol::Message& message,
                      protocol::FrameConnection& connection);

  std::map<uint32_t, std::unique_ptr<FsSession>> sessions_;
  // Writes that failed before the host's fs.close: their fs.data frames are dropped.
  std::set<uint32_t> discarding_;
  uint32_t last_produced_ = 0;  // round-robin cursor of produce()
};

}  // namespace msb::agent
