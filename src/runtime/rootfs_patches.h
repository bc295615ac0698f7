// Applying rootfs patches (config/rootfs_patch.h) to a booted sandbox through its agent's fs
// requests, so that every path resolves as the guest sees it (its symlinks, its root).
// Both ways a sandbox is created call apply_patches(): the SDK's create (over FsClient,
// through the supervisor) and the foreground `msb run` (over its own agent channel).
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/rootfs_patch.h"
#include "protocol/messages.h"
#include "runtime/agent_session.h"
#include "runtime/guest_fs_channel.h"

namespace msb::runtime {

// Applies `patches` in order, each as described in config/rootfs_patch.h: missing parent
// directories are made (0755, root), files are written through any symlink at their path
// (as a guest program writing them would), a symlink or copy_dir over an existing path
// with replace removes what is there first. The first failure is kInvalidConfig
// "patch <index> (<kind> <path>): <reason>" with the agent's (or host's) reason, except a
// lost sandbox, which keeps its kind. Patches before the failed one stay applied: the
// caller removes the sandbox. Not thread-safe.
[[nodiscard]] Result<void> apply_patches(GuestFsChannel& channel,
                                         const std::vector<config::RootfsPatch>& patches);

// A GuestFsChannel over the foreground run's AgentSession. Each request waits at most
// `timeout` for its reply.
class SessionPatchChannel : public GuestFsChannel {
 public:
  SessionPatchChannel(AgentSession& session, std::chrono::milliseconds timeout)
      : session_(session), timeout_(timeout) {}
  Result<protocol::Message> call(const protocol::Message& request) override;
  Result<void> write(const protocol::FsWrite& begin, const ChunkSource& source) override;

 private:
  Result<protocol::Message> reply(uint32_t id);

  AgentSession& session_;
  std::chrono::milliseconds timeout_;
  // Ids of this channel's sessions; far from the exec session's 1.
  uint32_t next_id_ = 1000;
};

}  // namespace msb::runtime
