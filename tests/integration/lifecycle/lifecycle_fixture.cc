#include "lifecycle_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "os/process_handle.h"
#include "os/process_stat.h"
#include "sdk/lifecycle.h"
#include "store/database.h"

namespace msb::testing {
namespace {

bool is_active(microsandbox::SandboxStatus status) {
  return status == microsandbox::SandboxStatus::kRunning ||
         status == microsandbox::SandboxStatus::kDraining ||
         status == microsandbox::SandboxStatus::kPaused;
}

std::string read_or_empty(const std::string& path) {
  Result<std::string> text = os::read_file(path);
  return text ? *text : "";
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

bool pid_alive(int pid) {
  std::optional<os::ProcessStat> stat = os::ProcessStat::read(pid);
  return stat && stat->alive();
}

void LifecycleTest::SetUp() {
  home_ = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-lc-")));
  output_ = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-lc-out-")));
  home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", home());
}

void LifecycleTest::TearDown() {
  std::vector<microsandbox::SandboxInfo> left;
  try {
    left = microsandbox::Sandbox::list();
  } catch (const microsandbox::Error& error) {
    ADD_FAILURE() << "listing the sandboxes left: " << error.what();
  }
  for (const microsandbox::SandboxInfo& info : left) {
    EXPECT_FALSE(is_active(info.status))
        << "sandbox '" << info.name << "' was left " << microsandbox::status_name(info.status);
    Result<void> removed = sdk::remove_sandbox(info.name, true);
    EXPECT_TRUE(removed) << "removing '" << info.name << "': " << removed.error().message;
  }
  bool clean = wait_until([&] { return leftover_processes().empty(); }, std::chrono::seconds(30));
  EXPECT_TRUE(clean) << "processes left behind: " << joined(leftover_processes());
  if (!clean) {
    // Do not let them disturb the next test.
    for (const std::string& entry : leftover_processes()) {
      Result<std::optional<os::ProcessHandle>> process =
          os::ProcessHandle::open(std::stoi(entry), 0);
      if (process && *process) (void)(*process)->signal(SIGKILL);
    }
  }
  EXPECT_EQ(joined(os::list_dir(home() + "/run")), "") << "run/ directories left behind";
  EXPECT_EQ(joined(os::list_dir(home() + "/sandboxes")), "") << "sandbox directories left behind";
  if (os::path_exists(home() + "/db/msb.db")) {
    EXPECT_EQ(integrity_check(), "ok");
  }
  home_env_.reset();
}

std::string LifecycleTest::sandbox_dir(const std::string& name) const {
  return home() + "/sandboxes/" + name;
}

std::string LifecycleTest::run_dir(const std::string& name) const {
  return home() + "/run/" + name;
}

CliResult LifecycleTest::msb(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::string prefix = output_->path() + "/" + std::to_string(started_++);
  os::Fd out = std::move(*os::open_file(prefix + ".out", O_WRONLY | O_CREAT | O_TRUNC));
  os::Fd err = std::move(*os::open_file(prefix + ".err", O_WRONLY | O_CREAT | O_TRUNC));
  os::SpawnOptions options;
  options.argv = {MSB_BIN};
  std::vector<std::string> engine_args = with_test_isolation(args);
  options.argv.insert(options.argv.end(), engine_args.begin(), engine_args.end());
  options.fds = {{out.get(), 1}, {err.get(), 2}};
  Result<os::ChildProcess> child = os::ChildProcess::spawn(options);
  if (!child) return CliResult{-1, "", "spawn failed: " + child.error().message};
  CliResult result;
  Result<std::optional<os::ExitStatus>> status =
      child->wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  if (status && *status) result.exit_code = (*status)->shell_code();
  result.out = read_or_empty(prefix + ".out");
  result.err = read_or_empty(prefix + ".err");
  if (!status || !*status) result.err += "\n[test: msb timed out and was killed]";
  return result;
}

os::ChildProcess LifecycleTest::start_msb(const std::vector<std::string>& args) {
  std::string prefix = output_->path() + "/" + std::to_string(started_++);
  os::Fd out = std::move(*os::open_file(prefix + ".out", O_WRONLY | O_CREAT | O_TRUNC));
  os::Fd err = std::move(*os::open_file(prefix + ".err", O_WRONLY | O_CREAT | O_TRUNC));
  os::SpawnOptions options;
  options.argv = {MSB_BIN};
  std::vector<std::string> engine_args = with_test_isolation(args);
  options.argv.insert(options.argv.end(), engine_args.begin(), engine_args.end());
  options.fds = {{out.get(), 1}, {err.get(), 2}};
  return std::move(*os::ChildProcess::spawn(options));
}

nlohmann::json LifecycleTest::msb_json(const std::vector<std::string>& args) {
  std::vector<std::string> with_format = args;
  with_format.insert(with_format.end(), {"--format", "json"});
  CliResult result = msb(with_format);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << "not JSON: " << result.out;
  return json;
}

std::string LifecycleTest::listed_status(const std::string& name) {
  nlohmann::json list = msb_json({"ls"});
  if (!list.is_array()) return "";
  for (const nlohmann::json& entry : list) {
    if (entry.value("name", "") == name) return entry.value("status", "");
  }
  return "";
}

std::string LifecycleTest::last_run_reason(const std::string& name) {
  nlohmann::json inspected = msb_json({"inspect", name});
  if (!inspected.is_object() || !inspected.contains("runs") || inspected["runs"].empty()) return "";
  return inspected["runs"].back().value("termination_reason", "");
}

runtime::SupervisorRecord LifecycleTest::supervisor_of(const std::string& name) const {
  Result<std::string> text = os::read_file(run_dir(name) + "/supervisor.json");
  EXPECT_TRUE(text) << "no supervisor record for '" << name << "'";
  if (!text) return {};
  Result<runtime::SupervisorRecord> record = runtime::decode_supervisor_record(*text);
  EXPECT_TRUE(record) << "bad supervisor record: " << *text;
  return record ? *record : runtime::SupervisorRecord{};
}

std::vector<std::string> LifecycleTest::leftover_processes(bool engines_only) const {
  std::vector<std::string> found;
  std::string env_entry = "MSB_HOME=" + home();
  env_entry.push_back('\0');
  std::string self = std::to_string(::getpid());
  std::error_code ec;
  // A namespace sandbox's init has a clean environment: it is ours when its parent is.
  std::set<std::string> ours;
  std::vector<std::pair<std::string, std::string>> agents;  // pid, parent pid
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0])) || pid == self) continue;
    std::string cmdline = read_or_empty(entry.path().string() + "/cmdline");
    std::string environment = read_or_empty(entry.path().string() + "/environ");
    if (std::string parent = namespace_init_parent(entry.path().string()); !parent.empty()) {
      agents.emplace_back(pid, parent);
      continue;
    }
    bool mentions = environment.find(env_entry) != std::string::npos ||
                    cmdline.find(home() + "/") != std::string::npos;
    if (!mentions || !pid_alive(std::stoi(pid))) continue;
    ours.insert(pid);
    if (engines_only && cmdline.find("qemu-system") == std::string::npos) continue;
    std::string comm = read_or_empty(entry.path().string() + "/comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    found.push_back(pid + " " + comm);
  }
  for (const auto& [pid, parent] : agents) {
    if (ours.count(parent) && pid_alive(std::stoi(pid))) found.push_back(pid + " msb-agentd");
  }
  return found;
}

std::string LifecycleTest::integrity_check() const {
  Result<store::Database> db = store::Database::open(home() + "/db/msb.db");
  if (!db) return "open failed: " + db.error().message;
  Result<store::Statement> check = db->prepare("PRAGMA integrity_check");
  if (!check) return "prepare failed: " + check.error().message;
  Result<store::Statement::Step> step = check->step();
  if (!step || *step != store::Statement::Step::kRow) return "no result";
  return check->column_text(0);
}

}  // namespace msb::testing
