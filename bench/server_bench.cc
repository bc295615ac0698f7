// bench/server: the API's cost over the C++ SDK, measured in the same run.
//   1. `exec /bin/true` round trip through POST /v1/sandboxes/{name}/exec (one keep-alive
//      connection) against Sandbox::exec on the same sandbox; target <= 1.5x (namespace).
//   2. Requests per second of GET /v1/sandboxes?limit=100 with 50 sandboxes, 4 keep-alive
//      clients for 3 s.
//   build/bin/server_bench [RUNS] [vm|namespace]
// Starts its own `msb server` (the msb next to this binary) on a free port under the
// current $MSB_HOME, and removes what it made.
#include <curl/curl.h>
#include <fcntl.h>
#include <microsandbox/sandbox.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "median.h"
#include "os/child_process.h"
#include "os/file.h"

namespace {

size_t append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One keep-alive connection.
class Client {
 public:
  Client(std::string url, std::string token) : url_(std::move(url)) {
    curl_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + token).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  }
  ~Client() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  long call(const std::string& method, const std::string& path, const std::string& body = "") {
    std::string reply;
    curl_easy_setopt(curl_, CURLOPT_URL, (url_ + path).c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply);
    if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    long status = 0;
    if (curl_easy_perform(curl_) == CURLE_OK)
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    last_body = std::move(reply);
    return status;
  }
  std::string last_body;

 private:
  std::string url_;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
};

std::string self_dir() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  std::string exe(path, n > 0 ? static_cast<size_t>(n) : 0);
  return exe.substr(0, exe.rfind('/'));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(10, std::atoi(argv[1])) : 200;
  std::string engine = argc > 2 ? argv[2] : "namespace";
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char* home_env = std::getenv("MSB_HOME");
  std::string home =
      home_env && *home_env ? home_env : std::string(std::getenv("HOME")) + "/.microsandbox";
  std::string out_path = "/tmp/server_bench." + std::to_string(::getpid()) + ".out";
  // The server's stdout (its "listening on URL" line) goes to a file we poll.
  msb::os::Fd out = *msb::os::open_file(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  msb::os::SpawnOptions spawn;
  // No request rate limit: the bench measures the transport and the SDK, past 200/s.
  spawn.argv = {self_dir() + "/msb", "server", "--listen", "127.0.0.1:0", "--rate-limit", "0"};
  spawn.fds = {{out.get(), 1}, {2, 2}};
  spawn.parent_death_signal = SIGKILL;
  msb::Result<msb::os::ChildProcess> server = msb::os::ChildProcess::spawn(spawn);
  if (!server) {
    std::fprintf(stderr, "bench/server: %s\n", server.error().message.c_str());
    return 1;
  }
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    std::string text = read_all(out_path);
    size_t at = text.find("http://");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos)
      url = text.substr(at, text.find('\n', at) - at);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (void)msb::os::remove_file(out_path);
  if (url.empty()) {
    std::fprintf(stderr, "bench/server: msb server did not start\n");
    return 1;  // the ChildProcess kills and reaps it
  }
  std::string token = read_all(home + "/server/token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  int status = 0;
  try {
    Client client(url, token);
    std::string create =
        "{\"name\":\"bench-api\",\"image\":\"base\",\"replace\":true,"
        "\"isolation\":\"" +
        engine + "\"}";
    if (client.call("POST", "/v1/sandboxes", create) != 201)
      throw std::runtime_error("create: " + client.last_body);
    microsandbox::Sandbox sandbox = microsandbox::Sandbox::connect("bench-api");
    sandbox.exec("/bin/true");  // the first exec of a binary is cold
    const std::string exec_body = "{\"cmd\":\"/bin/true\"}";
    std::vector<double> api_rounds, sdk_rounds;
    for (int round = 0; round < 5; ++round) {
      sdk_rounds.push_back(msb::bench::median_ms(runs / 5, [&] { sandbox.exec("/bin/true"); }));
      api_rounds.push_back(msb::bench::median_ms(runs / 5, [&] {
        if (client.call("POST", "/v1/sandboxes/bench-api/exec", exec_body) != 200)
          throw std::runtime_error("exec: " + client.last_body);
      }));
    }
    double api = msb::bench::median(api_rounds), sdk = msb::bench::median(sdk_rounds);
    std::printf("bench/server: engine %s%s, %d execs per side in 5 alternating rounds\n",
                engine.c_str(), engine == "vm" ? " (accelerator as detected)" : " (host kernel)",
                runs);
    std::printf("  exec /bin/true via the API   median %7.3f ms\n", api);
    std::printf("  exec /bin/true via the SDK   median %7.3f ms\n", sdk);
    std::printf("  ratio API / SDK = %.2f   target <= 1.5 (namespace engine): %s\n", api / sdk,
                api / sdk <= 1.5 ? "met" : "NOT met");

    // 50 sandboxes, then GET /v1/sandboxes from 4 clients for 3 s.
    for (int i = 1; i < 50; ++i) {
      std::string body = "{\"name\":\"bench-api-" + std::to_string(i) +
                         "\",\"image\":\"base\",\"replace\":true,\"isolation\":\"" + engine + "\"}";
      if (client.call("POST", "/v1/sandboxes", body) != 201)
        throw std::runtime_error("create: " + client.last_body);
    }
    std::atomic<long> done{0};
    std::atomic<bool> failed{false};
    auto stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&] {
        Client mine(url, token);
        while (std::chrono::steady_clock::now() < stop_at) {
          if (mine.call("GET", "/v1/sandboxes?limit=100") != 200) failed = true;
          ++done;
        }
      });
    }
    for (auto& thread : clients) thread.join();
    std::printf("  GET /v1/sandboxes (50 sandboxes), 4 keep-alive clients: %.0f requests/s%s\n",
                done / 3.0, failed ? " (SOME FAILED)" : "");
    for (int i = 0; i < 50; ++i) {
      std::string name = i == 0 ? "bench-api" : "bench-api-" + std::to_string(i);
      client.call("POST", "/v1/sandboxes/" + name + "/kill");
      client.call("DELETE", "/v1/sandboxes/" + name);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench/server: %s\n", error.what());
    status = 1;
  }
  (void)server->signal(SIGTERM);
  (void)server->wait();
  return status;
}
