#include "sdk/create_patches.h"

#include "runtime/rootfs_patches.h"
#include "sdk/fs_client.h"

namespace msb::sdk {
namespace {

// runtime's PatchChannel over the supervisor's relay, as SandboxFs talks to the agent.
class FsClientChannel : public runtime::PatchChannel {
 public:
  explicit FsClientChannel(FsClient& client) : client_(client) {}

  Result<protocol::Message> call(const protocol::Message& request) override {
    return client_.call(request);
  }

  Result<void> write(const protocol::FsWrite& begin, const runtime::ChunkSource& source) override {
    uint32_t id = MSB_TRY(client_.begin_write(begin.path, begin.mode, begin.mode_flags));
    for (;;) {
      Result<std::string_view> chunk = source();
      if (!chunk) {
        (void)client_.cancel(id);
        return tl::unexpected(chunk.error());
      }
      if (chunk->empty()) break;
      MSB_TRY(client_.write_chunk(id, *chunk));
    }
    MSB_TRY(client_.end_write(id));
    return {};
  }

 private:
  FsClient& client_;
};

}  // namespace

Result<void> apply_create_patches(const std::string& agent_socket,
                                  const std::vector<config::RootfsPatch>& patches) {
  if (patches.empty()) return {};
  FsClient client = MSB_TRY(FsClient::connect(agent_socket));
  FsClientChannel channel(client);
  return runtime::apply_patches(channel, patches);
}

}  // namespace msb::sdk
