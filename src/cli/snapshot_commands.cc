#include "cli/snapshot_commands.h"

#include <fmt/format.h>

#include "cli/out.h"
#include "cli/targets.h"
#include "sdk/snapshots.h"

namespace msb::cli {
namespace {

nlohmann::json snapshot_json(const store::SnapshotRecord& record) {
  return {{"name", record.name},
          {"source_sandbox", record.source_sandbox},
          {"engine", record.engine},
          {"image", record.image_reference},
          {"manifest_digest", record.manifest_digest},
          {"digest", record.content_digest},
          {"size_bytes", record.size_bytes},
          {"path", record.path},
          {"created_at", utc_time(record.created_at_ns)}};
}

}  // namespace

CLI::App* SnapshotCommand::add_to(CLI::App& app) {
  CLI::App* snapshot = app.add_subcommand("snapshot", "Manage disk snapshots of stopped sandboxes");
  snapshot->alias("snap");
  snapshot->require_subcommand(1);
  create_ = snapshot->add_subcommand("create", "Snapshot a stopped sandbox's writable layer");
  create_->add_option("name", name_, "Snapshot name")->required();
  create_->add_option("--from", from_, "The stopped sandbox to snapshot")->required();
  list_ = snapshot->add_subcommand("ls", "List snapshots");
  list_->alias("list");
  list_->add_option("--format", format_, "table or json");
  list_->add_flag("-q,--quiet", quiet_, "Only snapshot names");
  inspect_ = snapshot->add_subcommand("inspect", "Show snapshots as JSON");
  inspect_->add_option("name", names_, "Snapshot names")->required();
  inspect_->add_flag("--verify", verify_,
                     "Recompute each layer's digest; exit non-zero when one does not match");
  remove_ = snapshot->add_subcommand("rm", "Remove snapshots and their files");
  remove_->alias("remove");
  remove_->add_option("name", names_, "Snapshot names")->required();
  save_ = snapshot->add_subcommand("save", "Write a snapshot to a tar archive");
  save_->add_option("name", name_, "Snapshot name")->required();
  save_->add_option("out", path_, "The archive to write")->required();
  save_->add_flag("--with-image", with_image_, "Include the image the snapshot needs");
  load_ = snapshot->add_subcommand("load", "Load a snapshot archive written by save");
  load_->add_option("archive", path_, "The archive to read")->required();
  return snapshot;
}

Result<int> SnapshotCommand::run() {
  if (create_->parsed()) return create();
  if (list_->parsed()) return list();
  if (inspect_->parsed()) return inspect();
  if (remove_->parsed()) return remove();
  if (save_->parsed()) return save();
  if (load_->parsed()) return load();
  return err(ErrorKind::kInvalidArgument, "snapshot: unknown subcommand (see msb snapshot --help)");
}

Result<int> SnapshotCommand::create() const {
  store::SnapshotRecord created = MSB_TRY(sdk::create_snapshot(name_, from_));
  fmt::print("{}\n", created.name);
  return 0;
}

Result<int> SnapshotCommand::list() const {
  MSB_TRY(check_list_format(format_));
  std::vector<store::SnapshotRecord> snapshots = MSB_TRY(sdk::list_snapshots());
  if (format_ == "json") {
    nlohmann::json json = nlohmann::json::array();
    for (const store::SnapshotRecord& snapshot : snapshots) json.push_back(snapshot_json(snapshot));
    print_json(json);
    return 0;
  }
  if (quiet_) {
    for (const store::SnapshotRecord& snapshot : snapshots) fmt::print("{}\n", snapshot.name);
    return 0;
  }
  fmt::print("{:<32} {:<9} {:<24} {:<20} {}\n", "NAME", "ENGINE", "IMAGE", "CREATED", "FROM");
  for (const store::SnapshotRecord& snapshot : snapshots) {
    fmt::print("{:<32} {:<9} {:<24} {:<20} {}\n", snapshot.name, snapshot.engine,
               snapshot.image_reference, utc_time(snapshot.created_at_ns), snapshot.source_sandbox);
  }
  return 0;
}

Result<int> SnapshotCommand::inspect() const {
  nlohmann::json json = nlohmann::json::array();
  bool all_ok = true;
  for (const std::string& name : names_) {
    nlohmann::json entry = snapshot_json(MSB_TRY(sdk::get_snapshot(name)));
    if (verify_) {
      runtime::SnapshotCheck check = MSB_TRY(sdk::verify_snapshot(name));
      entry["verified"] = check.ok();
      if (!check.ok()) {
        entry["actual_digest"] = check.actual;
        all_ok = false;
      }
    }
    json.push_back(std::move(entry));
  }
  print_json(names_.size() == 1 ? json.front() : json);
  if (all_ok) return 0;
  return err(ErrorKind::kIntegrity,
             "a snapshot's layer does not match its recorded digest; remove it, then take or "
             "load it again");
}

Result<int> SnapshotCommand::remove() const {
  return for_each_target(names_, [](const std::string& name) -> Result<void> {
    MSB_TRY(sdk::remove_snapshot(name));
    fmt::print("{}\n", name);
    return {};
  });
}

Result<int> SnapshotCommand::save() const {
  MSB_TRY(sdk::save_snapshot(name_, path_, with_image_));
  fmt::print("{}\n", path_);
  return 0;
}

Result<int> SnapshotCommand::load() const {
  store::SnapshotRecord loaded = MSB_TRY(sdk::load_snapshot(path_));
  fmt::print("{}\n", loaded.name);
  return 0;
}

}  // namespace msb::cli
