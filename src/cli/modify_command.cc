#include "cli/modify_command.h"

#include "cli/out.h"
#include "cli/root_disk_flag.h"
#include "config/root_disk.h"
#include "sdk/root_disk_grow.h"

namespace msb::cli {

CLI::App* ModifyCommand::add_to(CLI::App& app) {
  CLI::App* modify = app.add_subcommand("modify", "Change a stopped sandbox's settings");
  modify->alias("mod");
  modify->add_option("name", name_, "Sandbox name")->required();
  modify
      ->add_option("--root-disk", root_disk_,
                   "Grow the root disk (vm engine) to SIZE: 512M, 8G; it never shrinks")
      ->required();
  return modify;
}

Result<int> ModifyCommand::run() {
  uint64_t size = MSB_TRY(parse_root_disk_size(root_disk_));
  MSB_TRY(sdk::grow_root_disk(name_, size));
  print_info("{}: root disk {}", name_, config::format_size(size));
  return 0;
}

}  // namespace msb::cli
