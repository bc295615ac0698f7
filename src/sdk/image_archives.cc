#include "sdk/image_archives.h"

#include "common/paths.h"
#include "store/database.h"

namespace msb::sdk {

Result<std::vector<store::ImageRecord>> load_images(const std::string& path,
                                                    const std::optional<std::string>& tag) {
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  return runtime::load_image_archive(db, path, tag);
}

Result<void> save_images(const std::vector<std::string>& references, const std::string& path,
                         const std::string& format) {
  runtime::ImageArchiveFormat parsed = MSB_TRY(runtime::parse_image_archive_format(format));
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  return runtime::save_image_archive(db, references, path, parsed);
}

}  // namespace msb::sdk
