#include "cli/volume_commands.h"

#include <fmt/format.h>

#include "cli/out.h"
#include "cli/rate_text.h"
#include "cli/targets.h"
#include "sdk/volumes.h"

namespace msb::cli {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

nlohmann::json volume_json(const sdk::VolumeView& volume) {
  const store::VolumeRecord& record = volume.record;
  return {{"name", record.name},
          {"kind", store::volume_kind_name(record.kind)},
          {"path", record.path},
          {"quota_mib", record.quota_mib},
          {"size_bytes", record.size_bytes},
          {"created_at", utc_time(record.created_at_ns)},
          {"labels", record.labels},
          {"used_by", volume.used_by}};
}

// A size flag's bytes; 0 when the flag was not given.
Result<uint64_t> size_flag(std::string_view flag, const std::string& text) {
  if (text.empty()) return 0;
  return parse_size(text).context("{}", flag);
}

std::string used_by_text(const std::vector<std::string>& users) {
  return users.empty() ? "-" : fmt::format("{}", fmt::join(users, ","));
}

}  // namespace

CLI::App* VolumeCommand::add_to(CLI::App& app) {
  CLI::App* volume = app.add_subcommand("volume", "Manage named volumes (kept across sandboxes)");
  volume->alias("vol");
  volume->require_subcommand(1);
  add_create(*volume);
  list_ = volume->add_subcommand("ls", "List named volumes");
  list_->alias("list");
  list_->add_option("--format", format_, "table or json");
  list_->add_flag("-q,--quiet", quiet_, "Only volume names");
  inspect_ = volume->add_subcommand("inspect", "Show volumes as JSON");
  inspect_->add_option("name", names_, "Volume names")->required();
  remove_ = volume->add_subcommand("rm", "Remove volumes and their files");
  remove_->alias("remove");
  remove_->add_option("name", names_, "Volume names")->required();
  remove_->add_flag("-f,--force", force_,
                    "Remove even if stopped sandboxes mount the volume (never while one runs)");
  return volume;
}

void VolumeCommand::add_create(CLI::App& volume) {
  create_ = volume.add_subcommand("create", "Create a named volume");
  create_->add_option("name", names_, "Volume name")->required()->expected(1);
  create_->add_option("--kind", kind_,
                      "dir (default) or disk (an ext4 image of --size, mounted as a disk)");
  create_->add_option("--size", size_, "Size of a disk volume, e.g. 10G");
  create_->add_option("--quota", quota_, "Most bytes a dir volume may hold (not supported yet)");
  create_->add_option("--label", labels_, "Label KEY=VALUE (repeatable)");
}

Result<int> VolumeCommand::run() {
  if (create_->parsed()) return create();
  if (list_->parsed()) return list();
  if (inspect_->parsed()) return inspect();
  if (remove_->parsed()) return remove();
  return err(ErrorKind::kInvalidArgument, "volume: unknown subcommand (see msb volume --help)");
}

Result<int> VolumeCommand::create() const {
  runtime::NewNamedVolume volume{.name = names_.front()};
  volume.kind = MSB_TRY(store::parse_volume_kind(kind_).context("--kind"));
  volume.size_bytes = MSB_TRY(size_flag("--size", size_));
  uint64_t quota_bytes = MSB_TRY(size_flag("--quota", quota_));
  volume.quota_mib = quota_bytes / kMiB + (quota_bytes % kMiB != 0 ? 1 : 0);
  volume.labels = MSB_TRY(parse_label_selector(labels_));
  sdk::VolumeView created = MSB_TRY(sdk::create_volume(volume));
  fmt::print("{}\n", created.record.name);
  return 0;
}

Result<int> VolumeCommand::list() const {
  MSB_TRY(check_list_format(format_));
  std::vector<sdk::VolumeView> volumes = MSB_TRY(sdk::list_volumes());
  if (format_ == "json") {
    nlohmann::json json = nlohmann::json::array();
    for (const sdk::VolumeView& volume : volumes) json.push_back(volume_json(volume));
    print_json(json);
    return 0;
  }
  if (quiet_) {
    for (const sdk::VolumeView& volume : volumes) fmt::print("{}\n", volume.record.name);
    return 0;
  }
  fmt::print("{:<32} {:<5} {:<20} {}\n", "NAME", "KIND", "CREATED", "USED BY");
  for (const sdk::VolumeView& volume : volumes) {
    fmt::print("{:<32} {:<5} {:<20} {}\n", volume.record.name,
               store::volume_kind_name(volume.record.kind), utc_time(volume.record.created_at_ns),
               used_by_text(volume.used_by));
  }
  return 0;
}

Result<int> VolumeCommand::inspect() const {
  nlohmann::json json = nlohmann::json::array();
  for (const std::string& name : names_)
    json.push_back(volume_json(MSB_TRY(sdk::get_volume(name))));
  print_json(names_.size() == 1 ? json.front() : json);
  return 0;
}

Result<int> VolumeCommand::remove() const {
  return for_each_target(names_, [this](const std::string& name) -> Result<void> {
    MSB_TRY(sdk::remove_volume(name, force_));
    fmt::print("{}\n", name);
    return {};
  });
}

}  // namespace msb::cli
