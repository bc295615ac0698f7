#include "sdk/fs_client_channel.h"

namespace msb::sdk {

Result<void> FsClientChannel::write(const protocol::FsWrite& begin,
                                    const runtime::ChunkSource& source) {
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

}  // namespace msb::sdk
