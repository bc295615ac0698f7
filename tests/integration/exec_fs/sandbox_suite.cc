#include "sandbox_suite.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "os/child_process.h"
#include "os/fd.h"
#include "os/file.h"
#include "os/io.h"
#include "os/process_stat.h"
#include "scoped_env.h"

namespace msb::testing {
namespace {

// What a pipe surely holds without a reader (its capacity is 64 KiB by default).
constexpr size_t kPipeBytes = 16 * 1024;

// What the running suite shares; reset by TearDownTestSuite.
struct SuiteState {
  std::unique_ptr<os::TempDir> home;
  std::unique_ptr<os::TempDir> scratch;
  std::unique_ptr<ScopedEnv> home_env;
  std::optional<microsandbox::Sandbox> sandbox;
  std::string name;
  std::string setup_error;
  int files = 0;
};

SuiteState& state() {
  static SuiteState suite;
  return suite;
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

bool pid_alive(const std::string& pid) {
  std::optional<os::ProcessStat> stat = os::ProcessStat::read(std::stoi(pid));
  return stat && stat->alive();
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }
void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data.data(), data.size());
}
std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &length);
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(kDigits[digest[i] >> 4]);
    text.push_back(kDigits[digest[i] & 15]);
  }
  return text;
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.hex();
}

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::string data(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t word = generator();
    for (size_t j = 0; j < 8 && i + j < size; ++j) data[i + j] = char(word >> (8 * j));
  }
  return data;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

struct Watchdog::State {
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
};

Watchdog::Watchdog(std::string what, std::chrono::seconds limit)
    : state_(std::make_shared<State>()) {
  std::thread([state = state_, what = std::move(what), limit] {
    std::unique_lock lock(state->mutex);
    if (state->done_changed.wait_for(lock, limit, [&] { return state->done; })) return;
    std::fprintf(stderr, "watchdog: %s did not finish within %lld s; aborting\n", what.c_str(),
                 static_cast<long long>(limit.count()));
    std::abort();
  }).detach();
}

Watchdog::~Watchdog() {
  std::lock_guard lock(state_->mutex);
  state_->done = true;
  state_->done_changed.notify_all();
}

void SandboxSuite::set_up_suite(const std::string& name) {
  SuiteState& suite = state();
  suite.home = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-xfs-")));
  suite.scratch = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-xfs-tmp-")));
  // Before any SDK call: the SDK reads $MSB_HOME for every operation.
  suite.home_env = std::make_unique<ScopedEnv>("MSB_HOME", suite.home->path());
  suite.name = name;
  suite.setup_error.clear();
  try {
    suite.sandbox.emplace(
        microsandbox::Sandbox::builder(name).isolation(test_isolation()).create());
  } catch (const microsandbox::Error& error) {
    suite.setup_error =
        std::string(microsandbox::error_kind_name(error.kind())) + ": " + error.what();
  }
}

void SandboxSuite::TearDownTestSuite() {
  SuiteState& suite = state();
  if (suite.sandbox) {
    try {
      suite.sandbox->stop_and_wait(std::chrono::seconds(30));
      suite.sandbox->remove_persisted();
    } catch (const microsandbox::Error& error) {
      ADD_FAILURE() << "stopping and removing sandbox '" << suite.name << "': " << error.what();
    }
    suite.sandbox.reset();
  }
  bool clean = wait_until([] { return leftover_processes().empty(); }, std::chrono::seconds(30));
  EXPECT_TRUE(clean) << "processes left behind: " << joined(leftover_processes());
  suite.home_env.reset();
  suite.scratch.reset();
  suite.home.reset();
}

void SandboxSuite::SetUp() {
  if (!state().sandbox) FAIL() << "the suite's sandbox was not created: " << state().setup_error;
}

microsandbox::Sandbox& SandboxSuite::sandbox() { return *state().sandbox; }
const std::string& SandboxSuite::sandbox_name() { return state().name; }
const std::string& SandboxSuite::home() { return state().home->path(); }

std::string SandboxSuite::scratch_dir(const std::string& prefix) {
  std::string path = state().scratch->path() + "/" + prefix + std::to_string(state().files++);
  std::filesystem::create_directories(path);
  return path;
}

microsandbox::ExecOutput SandboxSuite::sh(const std::string& script,
                                          const microsandbox::ExecOptions& options) {
  try {
    return sandbox().shell(script, options);
  } catch (const microsandbox::Error& error) {
    ADD_FAILURE() << "sh -c '" << script << "': " << error.what();
    return microsandbox::ExecOutput{-1, 0, false, "", ""};
  }
}

CliResult SandboxSuite::run_host(const std::vector<std::string>& argv,
                                 const std::optional<std::string>& stdin_data,
                                 std::chrono::seconds timeout) {
  std::string prefix = state().scratch->path() + "/run-" + std::to_string(state().files++);
  os::Fd out = std::move(*os::open_file(prefix + ".out", O_WRONLY | O_CREAT | O_TRUNC));
  os::Fd err = std::move(*os::open_file(prefix + ".err", O_WRONLY | O_CREAT | O_TRUNC));
  os::SpawnOptions options;
  options.argv = argv;
  options.fds = {{out.get(), 1}, {err.get(), 2}};
  os::PipePair in;
  if (stdin_data && stdin_data->size() <= kPipeBytes) {
    // All of it waits in the pipe, then end of file: `echo hi | msb ...`.
    in = std::move(*os::make_pipe());
    EXPECT_TRUE(os::write_all(in.write.get(), *stdin_data));
    in.write.reset();
    options.fds.push_back({in.read.get(), 0});
  } else if (stdin_data) {
    // More than a pipe holds: from a file, `msb ... < file`.
    EXPECT_TRUE(os::write_file(prefix + ".in", *stdin_data));
    in.read = std::move(*os::open_file(prefix + ".in", O_RDONLY));
    options.fds.push_back({in.read.get(), 0});
  }
  Result<os::ChildProcess> child = os::ChildProcess::spawn(options);
  if (!child) return CliResult{-1, "", "spawn failed: " + child.error().message};
  in.read.reset();
  CliResult result;
  Result<std::optional<os::ExitStatus>> status =
      child->wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  if (status && *status) result.exit_code = (*status)->shell_code();
  result.out = read_or_empty(prefix + ".out");
  result.err = read_or_empty(prefix + ".err");
  if (!status || !*status) result.err += "\n[test: " + argv.front() + " timed out and was killed]";
  return result;
}

CliResult SandboxSuite::msb(const std::vector<std::string>& args,
                            const std::optional<std::string>& stdin_data,
                            std::chrono::seconds timeout) {
  std::vector<std::string> argv = {MSB_BIN};
  std::vector<std::string> engine_args = with_test_isolation(args);
  argv.insert(argv.end(), engine_args.begin(), engine_args.end());
  return run_host(argv, stdin_data, timeout);
}

std::vector<os::ProcessStat> SandboxSuite::guest_processes() {
  microsandbox::ExecOutput out = sh(
      "for f in /proc/[0-9]*/stat; do read -r line < \"$f\" && echo \"$line\"; done 2>/dev/null");
  std::vector<os::ProcessStat> processes;
  for (const std::string& line : lines_of(out.stdout_data)) {
    if (std::optional<os::ProcessStat> process = os::ProcessStat::parse(line))
      processes.push_back(std::move(*process));
  }
  return processes;
}

std::vector<std::string> SandboxSuite::leftover_processes(const std::string& cmdline_part) {
  std::vector<std::string> found;
  std::string env_entry = "MSB_HOME=" + home();
  env_entry.push_back('\0');
  std::string self = std::to_string(::getpid());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0])) || pid == self) continue;
    std::string cmdline = read_or_empty(entry.path().string() + "/cmdline");
    std::string environment = read_or_empty(entry.path().string() + "/environ");
    bool mentions = environment.find(env_entry) != std::string::npos ||
                    cmdline.find(home() + "/") != std::string::npos;
    if (!mentions || !pid_alive(pid)) continue;
    if (!cmdline_part.empty() && cmdline.find(cmdline_part) == std::string::npos) continue;
    std::string comm = read_or_empty(entry.path().string() + "/comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    found.push_back(pid + " " + comm);
  }
  return found;
}

}  // namespace msb::testing
