#include "cli/targets.h"

#include <algorithm>

#include "cli/exit_codes.h"
#include "cli/out.h"
#include "cli/sandbox_flags.h"
#include "sdk/lifecycle.h"
#include "sdk/sandbox_list.h"

namespace msb::cli {

void Targets::add_to(CLI::App& app, bool) {
  app.add_option("names", names_, "Sandbox names");
  app.add_option("--label", labels_, "Also every sandbox with label KEY=VALUE (all must match)");
}

Result<std::map<std::string, std::string>> parse_label_selector(
    const std::vector<std::string>& labels) {
  std::map<std::string, std::string> selector;
  for (const std::string& entry : labels) {
    auto [key, value] = MSB_TRY(split_key_value("--label", entry));
    selector[key] = value;
  }
  return selector;
}

Result<std::map<std::string, std::string>> Targets::selector() const {
  return parse_label_selector(labels_);
}

Result<std::vector<std::string>> Targets::resolve() const {
  if (names_.empty() && labels_.empty())
    return err(ErrorKind::kInvalidArgument, "name at least one sandbox (or use --label KEY=VALUE)");
  std::vector<std::string> targets;
  auto add = [&](const std::string& name) {
    if (std::find(targets.begin(), targets.end(), name) == targets.end()) targets.push_back(name);
  };
  for (const std::string& name : names_) add(name);
  if (!labels_.empty()) {
    std::map<std::string, std::string> wanted = MSB_TRY(selector());
    for (const store::SandboxRecord& record : MSB_TRY(sdk::list_sandboxes(wanted)))
      add(record.name);
    if (targets.empty()) print_info("msb: no sandbox matches the labels given");
  }
  return targets;
}

Result<int> for_each_target(const std::vector<std::string>& names,
                            const std::function<Result<void>(const std::string&)>& action) {
  int code = kExitOk;
  for (const std::string& name : names) {
    Result<void> done = action(name);
    if (done) continue;
    print_error(done.error());
    if (code == kExitOk) code = exit_code_for(done.error());
  }
  return code;
}

}  // namespace msb::cli
