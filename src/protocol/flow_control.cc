#include "protocol/flow_control.h"

namespace msb::protocol {

uint64_t flow_cost(const Message& message) {
  return std::visit(
      [](const auto& payload) -> uint64_t {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, ExecStdin> || std::is_same_v<T, ExecStdout> ||
                      std::is_same_v<T, ExecStderr> || std::is_same_v<T, FsData>) {
          return kFrameCost + payload.data.data.size();
        } else if constexpr (std::is_same_v<T, FsListEntry>) {
          return kFrameCost + payload.name.size() + payload.type.size() +
                 payload.link_target.size();
        } else {
          return 0;
        }
      },
      message);
}

}  // namespace msb::protocol
