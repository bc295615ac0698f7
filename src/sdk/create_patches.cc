#include "sdk/create_patches.h"

#include "runtime/rootfs_patches.h"
#include "sdk/fs_client_channel.h"

namespace msb::sdk {

Result<void> apply_create_patches(const std::string& agent_socket,
                                  const std::vector<config::RootfsPatch>& patches) {
  if (patches.empty()) return {};
  FsClient client = MSB_TRY(FsClient::connect(agent_socket));
  FsClientChannel channel(client);
  return runtime::apply_patches(channel, patches);
}

}  // namespace msb::sdk
