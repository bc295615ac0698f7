#include "protocol/requests.h"

namespace msb::protocol {

bool opens_session(const Message& message) {
  return std::visit(
      [](const auto& payload) {
        using T = std::decay_t<decltype(payload)>;
        return std::is_same_v<T, ExecRequest> || std::is_same_v<T, FsStat> ||
               std::is_same_v<T, FsList> || std::is_same_v<T, FsRead> ||
               std::is_same_v<T, FsWrite> || std::is_same_v<T, FsMkdir> ||
               std::is_same_v<T, FsRemove> || std::is_same_v<T, FsRename> ||
               std::is_same_v<T, FsCopy> || std::is_same_v<T, FsSymlink> ||
               std::is_same_v<T, FsReadLink> || std::is_same_v<T, FsRealPath> ||
               std::is_same_v<T, FsChmod> || std::is_same_v<T, FsChown> ||
               std::is_same_v<T, FsSetTimes>;
      },
      message);
}

}  // namespace msb::protocol
