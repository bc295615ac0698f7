#include "runtime/run_dir.h"

#include <charconv>
#include <optional>

#include "os/process_stat.h"
#include "os/system.h"

namespace msb::runtime {
namespace {

constexpr const char* kOwnerFile = "/owner";
// A directory is created a moment before its owner record: give a concurrent run's new
// directory this long before a missing record counts as a dead owner.
constexpr int64_t kRecordGraceSeconds = 60;

// "<pid> <start time>": the start time tells a live owner from a reused pid.
std::string owner_record(int pid) {
  std::optional<os::ProcessStat> stat = os::ProcessStat::read(pid);
  return std::to_string(pid) + " " + std::to_string(stat ? stat->start_time : 0) + "\n";
}

bool owner_alive(const std::string& dir) {
  Result<std::string> record = os::read_file(dir + kOwnerFile);
  if (!record) {
    std::optional<int64_t> age = os::seconds_since_modified(dir);
    return !age || *age < kRecordGraceSeconds;
  }
  int pid = 0;
  auto [rest, ec] = std::from_chars(record->data(), record->data() + record->size(), pid);
  if (ec != std::errc() || pid <= 0) return false;
  return *record == owner_record(pid);
}

}  // namespace

int sweep_stale_run_dirs(const std::string& parent) {
  int removed = 0;
  for (const std::string& name : os::list_dir(parent)) {
    if (!name.starts_with("run-")) continue;
    std::string dir = parent + "/" + name;
    if (owner_alive(dir)) continue;
    if (os::remove_tree(dir)) ++removed;
  }
  return removed;
}

Result<os::TempDir> create_run_dir(const std::string& parent) {
  MSB_TRY(os::make_dirs(parent));
  (void)sweep_stale_run_dirs(parent);
  os::TempDir dir = MSB_TRY(os::TempDir::create("run-", parent));
  // A power loss ends the owner too, and an empty record counts as a dead owner.
  MSB_TRY(os::write_file_atomic(dir.path() + kOwnerFile, owner_record(os::current_pid()), 0644,
                                os::Durability::kProcessCrash));
  return dir;
}

}  // namespace msb::runtime
