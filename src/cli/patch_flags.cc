#include "cli/patch_flags.h"

#include <filesystem>
#include <system_error>

#include "common/shown.h"

namespace msb::cli {
namespace {

using config::RootfsPatch;

tl::unexpected<Error> bad_copy(std::string_view text, std::string_view what) {
  return err(ErrorKind::kInvalidArgument, "--copy '{}': {}", shown(text), what);
}

RootfsPatch path_patch(RootfsPatch::Kind kind, const std::string& path) {
  RootfsPatch patch;
  patch.kind = kind;
  patch.path = path;
  return patch;
}

}  // namespace

Result<RootfsPatch> parse_copy_flag(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return bad_copy(text, "expected HOST_PATH:GUEST_PATH");
  std::error_code error;
  std::filesystem::path source =
      std::filesystem::absolute(std::string(text.substr(0, colon)), error);
  if (error) return bad_copy(text, "cannot make the host path absolute: " + error.message());
  std::string normal = source.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  std::filesystem::file_status status = std::filesystem::status(normal, error);
  RootfsPatch patch;
  if (std::filesystem::is_directory(status)) {
    patch.kind = RootfsPatch::Kind::kCopyDir;
  } else if (std::filesystem::is_regular_file(status)) {
    patch.kind = RootfsPatch::Kind::kCopyFile;
  } else if (status.type() == std::filesystem::file_type::not_found) {
    return bad_copy(text, fmt::format("host path {} does not exist", shown(normal)));
  } else {
    return bad_copy(text,
                    fmt::format("host path {} is neither a file nor a directory", shown(normal)));
  }
  patch.source = std::move(normal);
  patch.path = std::string(text.substr(colon + 1));
  return patch;
}

void PatchFlags::add_to(CLI::App& app) {
  app.add_option("--copy", copies_,
                 "Copy a host file or directory into the root at create: HOST_PATH:GUEST_PATH "
                 "(repeatable)");
  app.add_option("--mkdir", mkdirs_, "Make a directory (and parents) in the root at create");
  app.add_option("--rm", removes_, "Remove a path (recursively) from the root at create");
}

Result<std::vector<RootfsPatch>> PatchFlags::to_patches() const {
  std::vector<RootfsPatch> patches;
  for (const std::string& path : removes_)
    patches.push_back(path_patch(RootfsPatch::Kind::kRemove, path));
  for (const std::string& path : mkdirs_)
    patches.push_back(path_patch(RootfsPatch::Kind::kMkdir, path));
  for (const std::string& text : copies_) patches.push_back(MSB_TRY(parse_copy_flag(text)));
  return patches;
}

}  // namespace msb::cli
