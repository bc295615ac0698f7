#include "sdk/image_archives.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>

#include "common/paths.h"
#include "os/file.h"
#include "os/io.h"
#include "store/database.h"

namespace msb::sdk {
namespace {

// Copies standard input (a piped archive) into `path`: the archive readers need to seek.
Result<void> save_stdin(const std::string& path) {
  os::Fd out = MSB_TRY(os::open_file(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  std::array<char, 1 << 16> buffer;
  for (;;) {
    size_t got = MSB_TRY(os::read_some(STDIN_FILENO, buffer));
    if (got == 0) return {};
    MSB_TRY(os::write_all(out.get(), std::string_view(buffer.data(), got)));
  }
}

}  // namespace

Result<std::vector<store::ImageRecord>> load_images(const std::string& path,
                                                    const std::optional<std::string>& tag) {
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  if (path != "-") return runtime::load_image_archive(db, path, tag);
  std::string staging = msb_home() + "/cache/archive-staging";
  MSB_TRY(os::make_dirs(staging));
  os::TempDir dir = MSB_TRY(os::TempDir::create("stdin-", staging));
  std::string copy = dir.path() + "/archive";
  MSB_TRY(save_stdin(copy).context("read the archive from standard input"));
  return std::move(runtime::load_image_archive(db, copy, tag)).context("standard input");
}

Result<void> save_images(const std::vector<std::string>& references, const std::string& path,
                         const std::string& format) {
  runtime::ImageArchiveFormat parsed = MSB_TRY(runtime::parse_image_archive_format(format));
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  return runtime::save_image_archive(db, references, path, parsed);
}

}  // namespace msb::sdk
