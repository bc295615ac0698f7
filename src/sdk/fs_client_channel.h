// runtime::GuestFsChannel over an FsClient (the supervisor's relay to the agent), so that
// what runtime writes against a channel (rootfs patches, host uploads) serves the SDK too.
#pragma once

#include "runtime/guest_fs_channel.h"
#include "sdk/fs_client.h"

namespace msb::sdk {

class FsClientChannel : public runtime::GuestFsChannel {
 public:
  explicit FsClientChannel(FsClient& client) : client_(client) {}

  Result<protocol::Message> call(const protocol::Message& request) override {
    return client_.call(request);
  }
  Result<void> write(const protocol::FsWrite& begin, const runtime::ChunkSource& source) override;

 private:
  FsClient& client_;
};

}  // namespace msb::sdk
