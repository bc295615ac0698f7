#include "sdk/volumes.h"

#include <map>

#include "common/paths.h"
#include "store/database.h"

namespace msb::sdk {
namespace {

Result<store::Database> open_store() { return store::Database::open(msb_db_path()); }

VolumeView view_of(store::VolumeRecord record,
                   const std::map<std::string, std::vector<std::string>>& users) {
  auto found = users.find(record.name);
  std::vector<std::string> used_by =
      found == users.end() ? std::vector<std::string>{} : found->second;
  return VolumeView{std::move(record), std::move(used_by)};
}

}  // namespace

Result<VolumeView> create_volume(const runtime::NewNamedVolume& volume) {
  store::Database db = MSB_TRY(open_store());
  store::VolumeRecord record = MSB_TRY(runtime::create_named_volume(db, msb_home(), volume));
  // A sandbox may name a volume before it exists: it is created at that sandbox's start.
  std::vector<std::string> used_by = MSB_TRY(runtime::volume_users(db, record.name));
  return VolumeView{std::move(record), std::move(used_by)};
}

Result<VolumeView> get_volume(std::string_view name) {
  MSB_TRY(runtime::validate_volume_name(name));
  store::Database db = MSB_TRY(open_store());
  store::VolumeRecord record = MSB_TRY(store::get_volume(db, name));
  std::vector<std::string> used_by = MSB_TRY(runtime::volume_users(db, name));
  return VolumeView{std::move(record), std::move(used_by)};
}

Result<std::vector<VolumeView>> list_volumes() {
  store::Database db = MSB_TRY(open_store());
  std::vector<store::VolumeRecord> records = MSB_TRY(store::list_volumes(db));
  std::map<std::string, std::vector<std::string>> users = MSB_TRY(runtime::named_volume_users(db));
  std::vector<VolumeView> views;
  views.reserve(records.size());
  for (store::VolumeRecord& record : records) views.push_back(view_of(std::move(record), users));
  return views;
}

Result<void> remove_volume(std::string_view name, bool force) {
  store::Database db = MSB_TRY(open_store());
  return runtime::remove_named_volume(db, msb_home(), name, force);
}

}  // namespace msb::sdk
