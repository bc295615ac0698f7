#include "sdk/guest_copy.h"

#include <vector>

#include "sdk/host_copy.h"

namespace msb::sdk {
namespace {

using Pending = std::vector<std::pair<std::string, std::string>>;

Result<void> copy_file(FsClient& from, const std::string& source, FsClient& to,
                       const std::string& destination, uint32_t mode) {
  uint32_t id = MSB_TRY(std::move(to.begin_write(destination, mode, "create,truncate"))
                            .context("destination {}", destination));
  // The sink's writes wait on the destination's flow control, which in turn holds back
  // the reading of the source's chunks: memory stays bounded by the two queues.
  MSB_TRY(
      from.read(
              source, 0, 0,
              [&](std::string_view chunk) {
                return std::move(to.write_chunk(id, chunk)).context("destination {}", destination);
              })
          .context("copy {}", source));
  MSB_TRY(std::move(to.end_write(id)).context("destination {}", destination));
  // The destination guest's umask may have narrowed the mode at creation.
  return std::move(to.request(protocol::FsChmod{destination, mode}))
      .context("destination {}", destination);
}

// One entry of the source tree (no recursion: directories push their children).
Result<void> copy_entry(FsClient& from, const std::string& source, FsClient& to,
                        const std::string& destination, Pending& pending) {
  protocol::FsStatResult stat = MSB_TRY(std::move(from.stat(source, false)).context("source"));
  if (!stat.exists)
    return err(ErrorKind::kNotFound, "{}: no such file in the source sandbox", source);
  if (stat.type == "symlink") {
    std::string target =
        MSB_TRY(std::move(from.path_request(protocol::FsReadLink{source})).context("source"));
    return std::move(to.request(protocol::FsSymlink{target, destination})).context("destination");
  }
  if (stat.type == "dir") {
    MSB_TRY(std::move(to.request(protocol::FsMkdir{destination, stat.mode & 07777, true}))
                .context("destination"));
    MSB_TRY(std::move(to.request(protocol::FsChmod{destination, stat.mode & 07777}))
                .context("destination"));
    for (const protocol::FsListEntry& entry :
         MSB_TRY(std::move(from.list(source)).context("source"))) {
      pending.emplace_back(path_join(source, entry.name), path_join(destination, entry.name));
    }
    return {};
  }
  if (stat.type == "file") return copy_file(from, source, to, destination, stat.mode & 07777);
  return {};  // devices, fifos, sockets: not copied
}

}  // namespace

Result<void> copy_between_sandboxes(FsClient& from, const std::string& from_path, FsClient& to,
                                    const std::string& to_path) {
  std::string destination = to_path;
  protocol::FsStatResult target = MSB_TRY(std::move(to.stat(to_path, true)).context("destination"));
  if (target.exists && target.type == "dir")
    destination = path_join(to_path, path_base_name(from_path));
  Pending pending = {{from_path, destination}};
  while (!pending.empty()) {
    auto [source, copy] = std::move(pending.back());
    pending.pop_back();
    MSB_TRY(copy_entry(from, source, to, copy, pending));
  }
  return {};
}

}  // namespace msb::sdk
