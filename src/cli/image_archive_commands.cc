#include "cli/image_archive_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include "os/terminal.h"
#include "sdk/image_archives.h"

namespace msb::cli {
namespace {

// The `image` command ImageCommand added: load and save are its subcommands.
CLI::App& image_command(CLI::App& app) {
  std::vector<CLI::App*> found =
      app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "image"; });
  MSB_CHECK(found.size() == 1);
  return *found.front();
}

}  // namespace

CLI::App* ImageLoadCommand::add_to(CLI::App& app) {
  CLI::App* load = image_command(app).add_subcommand(
      "load", "Load images from a docker save tar or an OCI layout (tar or directory)");
  load->add_option("-i,--input", input_,
                   "Archive file or OCI layout directory; - or none: a tar on standard input");
  load->add_option("-t,--tag", tag_, "Name for the archive's image (it must hold one)");
  load->add_flag("-q,--quiet", quiet_, "Print only the manifest digests");
  return load;
}

Result<int> ImageLoadCommand::run() {
  if (input_ == "-" && os::is_terminal(STDIN_FILENO)) {
    return err(ErrorKind::kInvalidArgument,
               "no archive: give -i FILE (or a directory), or pipe a tar to standard input");
  }
  std::vector<store::ImageRecord> images = MSB_TRY(sdk::load_images(input_, tag_));
  for (const store::ImageRecord& image : images) {
    if (quiet_) {
      fmt::print("{}\n", image.manifest_digest);
      continue;
    }
    for (const std::string& reference : image.references)
      fmt::print("loaded {} ({})\n", reference, image.manifest_digest);
  }
  return 0;
}

CLI::App* ImageSaveCommand::add_to(CLI::App& app) {
  CLI::App* save = image_command(app).add_subcommand(
      "save", "Save stored images to a docker save tar or an OCI layout tar");
  save->add_option("reference", references_, "Image references or manifest digests")->required();
  save->add_option("-o,--output", output_, "Archive file to write (replaced)")->required();
  save->add_option("--format", format_, "docker (default) or oci");
  return save;
}

Result<int> ImageSaveCommand::run() {
  MSB_TRY(sdk::save_images(references_, output_, format_));
  return 0;
}

}  // namespace msb::cli
