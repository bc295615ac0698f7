#include "cli/image_commands.h"

#include <fmt/format.h>

#include "cli/out.h"
#include "cli/pull_progress.h"
#include "sdk/images.h"

namespace msb::cli {
namespace {

uint64_t image_bytes(const store::ImageRecord& image) {
  uint64_t total = 0;
  for (const store::LayerRecord& layer : image.layers) total += static_cast<uint64_t>(layer.size);
  return total;
}

nlohmann::json image_json(const store::ImageRecord& image, bool details) {
  nlohmann::json json = {
      {"references", image.references},       {"manifest_digest", image.manifest_digest},
      {"config_digest", image.config_digest}, {"layers", image.layers.size()},
      {"size", image_bytes(image)},           {"created_at", utc_time(image.created_at_ns)}};
  if (!details) return json;
  json["media_type"] = image.media_type;
  json["config"] = nlohmann::json::parse(image.config_json, nullptr, false);
  json["layers"] = nlohmann::json::array();
  for (const store::LayerRecord& layer : image.layers) {
    json["layers"].push_back({{"digest", layer.digest},
                              {"diff_id", layer.diff_id},
                              {"media_type", layer.media_type},
                              {"size", layer.size},
                              {"unpacked_path", layer.unpacked_path}});
  }
  return json;
}

}  // namespace

CLI::App* PullCommand::add_to(CLI::App& app) {
  CLI::App* pull = app.add_subcommand("pull", "Pull an image from its registry into the cache");
  pull->add_option("reference", reference_,
                   "Image, e.g. python:3.12 or 127.0.0.1:5000/x@sha256:...")
      ->required();
  pull->add_flag("--insecure", insecure_, "Allow plain HTTP to the registry");
  pull->add_flag("-q,--quiet", quiet_, "No progress; print only the manifest digest");
  return pull;
}

Result<int> PullCommand::run() {
  store::ImageRecord image =
      MSB_TRY(sdk::pull_image(reference_, printed_pull_options(progress_style(quiet_), insecure_)));
  if (quiet_) fmt::print("{}\n", image.manifest_digest);
  return 0;
}

CLI::App* ImageCommand::add_to(CLI::App& app) {
  CLI::App* image = app.add_subcommand("image", "Manage the local image store");
  image->require_subcommand(1);
  list_ = image->add_subcommand("ls", "List stored images");
  list_->alias("list");
  list_->add_option("--format", format_, "table or json");
  list_->add_flag("-q,--quiet", quiet_, "Only manifest digests");
  inspect_ = image->add_subcommand("inspect", "Show an image's manifest, config and layers");
  inspect_->add_option("reference", references_, "Image reference or manifest digest")->required();
  remove_ = image->add_subcommand("rm", "Remove images (refused while a sandbox uses one)");
  remove_->add_option("reference", references_, "Image references or manifest digests")->required();
  remove_->add_flag("-f,--force", force_, "Remove the references even if sandboxes use them");
  prune_ = image->add_subcommand("prune", "Remove every image no sandbox uses, and its files");
  return image;
}

Result<int> ImageCommand::run() {
  if (list_->parsed()) return list();
  if (inspect_->parsed()) return inspect();
  if (remove_->parsed()) return remove();
  if (prune_->parsed()) return prune();
  return err(ErrorKind::kInvalidArgument, "image: unknown subcommand (see msb image --help)");
}

Result<int> ImageCommand::list() const {
  MSB_TRY(check_list_format(format_));
  std::vector<store::ImageRecord> images = MSB_TRY(sdk::list_images());
  if (format_ == "json") {
    nlohmann::json json = nlohmann::json::array();
    for (const store::ImageRecord& image : images) json.push_back(image_json(image, false));
    print_json(json);
    return 0;
  }
  if (quiet_) {
    for (const store::ImageRecord& image : images) fmt::print("{}\n", image.manifest_digest);
    return 0;
  }
  fmt::print("{:<50} {:<19} {:>6} {:>10}\n", "REFERENCE", "DIGEST", "LAYERS", "SIZE");
  for (const store::ImageRecord& image : images) {
    std::string digest = image.manifest_digest.substr(0, 19);
    std::vector<std::string> names = image.references;
    if (names.empty()) names.push_back("<none>");
    for (const std::string& name : names) {
      fmt::print("{:<50} {:<19} {:>6} {:>10}\n", name, digest, image.layers.size(),
                 human_bytes(image_bytes(image)));
    }
  }
  return 0;
}

Result<int> ImageCommand::inspect() const {
  nlohmann::json json = nlohmann::json::array();
  for (const std::string& reference : references_) {
    json.push_back(image_json(MSB_TRY(sdk::inspect_image(reference)), true));
  }
  print_json(references_.size() == 1 ? json.front() : json);
  return 0;
}

Result<int> ImageCommand::remove() const {
  for (const std::string& reference : references_) {
    store::RemovedImage removed = MSB_TRY(sdk::remove_image(reference, force_));
    for (const std::string& name : removed.references) fmt::print("removed {}\n", name);
  }
  return 0;
}

Result<int> ImageCommand::prune() const {
  store::PrunedImages pruned = MSB_TRY(sdk::prune_images());
  for (const std::string& digest : pruned.manifests) fmt::print("removed {}\n", digest);
  uint64_t freed = 0;
  for (const store::LayerRecord& layer : pruned.layers) freed += static_cast<uint64_t>(layer.size);
  fmt::print("{} images, {} layers removed ({} compressed)\n", pruned.manifests.size(),
             pruned.layers.size(), human_bytes(freed));
  return 0;
}

}  // namespace msb::cli
