#include "engine/ns/base_tree.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/paths.h"
#include "image/digest.h"
#include "image/tree_archive.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::engine::ns {

Result<std::string> base_tree_root(const std::string& kit) {
  std::string tree = kit + "/base";
  if (os::is_directory(tree + "/bin")) return tree;
  std::string archive = kit + "/base.tar";
  if (!os::is_regular_file(archive))
    return err(ErrorKind::kNotFound,
               "image 'base' for the namespace engine missing: neither {} nor {}; rebuild with "
               "scripts/setup.sh",
               tree, archive);
  std::string digest = MSB_TRY(image::sha256_file(archive));
  std::string cache = msb_home() + "/cache/base";
  std::string target = cache + "/" + digest.substr(digest.find(':') + 1, 16);
  if (os::is_directory(target + "/bin")) return target;

  MSB_TRY(os::make_dirs(cache));
  std::string staging = target + ".unpacking-" + std::to_string(::getpid());
  if (os::path_exists(staging)) MSB_TRY(os::remove_tree(staging));  // a crashed earlier try
  MSB_TRY(os::make_dir_at(AT_FDCWD, staging, 0755));
  // Owned by host root, as the build tree's copy: guest id n is host id n.
  Result<void> extracted =
      image::extract_tree_archive(archive, staging, image::TreeIds{0, 0, 65536});
  if (!extracted) {
    (void)os::remove_tree(staging);
    return tl::unexpected(std::move(extracted).context("unpack {}", archive).error());
  }
  Result<void> published = os::rename_at(AT_FDCWD, staging, AT_FDCWD, target);
  if (!published) {
    // Another process published the same tree first: use theirs.
    (void)os::remove_tree(staging);
    if (!os::is_directory(target + "/bin")) return tl::unexpected(published.error());
  }
  return target;
}

}  // namespace msb::engine::ns
