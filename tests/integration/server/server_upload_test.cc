// PUT /v1/sandboxes/{name}/files streams its body into the sandbox as it arrives, past the
// body limit (--max-upload-bytes), with bounded memory in the server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <string>

#include "image/digest.h"
#include "os/file.h"
#include "server_process.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using nlohmann::json;

constexpr size_t kUploadBytes = 64u << 20;

// The server's peak resident set (VmHWM), in KiB.
long peak_rss_kib(int pid) {
  std::string status = os::read_file("/proc/" + std::to_string(pid) + "/status").value_or("");
  size_t at = status.find("VmHWM:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

// A TCP connection to the server's port, for requests curl will not make.
class RawClient {
 public:
  explicit RawClient(const std::string& url) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { close(fd_); }
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }
  std::string receive_some() {
    char text[4096];
    ssize_t got = recv(fd_, text, sizeof(text), 0);
    return got > 0 ? std::string(text, static_cast<size_t>(got)) : "";
  }
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ServerUploadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new MsbHarness();
    server_ = new ServerProcess(*harness_, {"--max-upload-bytes", std::to_string(128u << 20)});
    HttpReply created = server_->call("POST", "/v1/sandboxes", create_body("upload-box"));
    ASSERT_EQ(created.status, 201) << created.body;
  }
  static void TearDownTestSuite() {
    server_->call("POST", "/v1/sandboxes/upload-box/kill");
    server_->call("DELETE", "/v1/sandboxes/upload-box");
    EXPECT_EQ(server_->terminate().code, 0);
    delete server_;
    EXPECT_TRUE(harness_->wait_no_qemu(std::chrono::seconds(30)));
    delete harness_;
  }
  static std::string files_url(const std::string& path) {
    return server_->url() + "/v1/sandboxes/upload-box/files?path=" + path;
  }
  static std::string header(const std::string& path, size_t length) {
    return "PUT /v1/sandboxes/upload-box/files?path=" + path +
           " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server_->token() +
           "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  }
  // The names in the guest's /tmp.
  static std::vector<std::string> tmp_names() {
    std::vector<std::string> names;
    json listed = parsed(server_->call("GET", "/v1/sandboxes/upload-box/fs/list?path=/tmp"));
    for (const json& entry : listed["entries"]) names.push_back(entry["name"]);
    return names;
  }
  static inline MsbHarness* harness_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(ServerUploadTest, SixtyFourMebibytesPastTheBodyLimitRoundTrip) {
  std::string data(kUploadBytes, '\0');
  std::mt19937_64 random(42);
  for (size_t i = 0; i < data.size(); i += 8) {
    uint64_t word = random();
    std::memcpy(&data[i], &word, 8);
  }
  long rss_before = peak_rss_kib(server_->pid());
  auto start = std::chrono::steady_clock::now();
  HttpReply put = http_request("PUT", files_url("/tmp/big.bin"), server_->token(), data);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long rss_after = peak_rss_kib(server_->pid());
  ASSERT_EQ(put.status, 200) << put.body << put.error;
  EXPECT_EQ(parsed(put)["bytes"], kUploadBytes);
  std::printf("[ upload ] 64 MiB in %.2f s; server VmHWM %ld KiB before, %ld KiB after\n", seconds,
              rss_before, rss_after);
  // Bounded: far less than the upload (the body is never held whole).
  EXPECT_LT(rss_after - rss_before, 32 * 1024);

  std::string host_upload = harness_->home() + "/upload.bin";
  ASSERT_TRUE(os::write_file(host_upload, data).has_value());
  std::string downloaded;
  downloaded.reserve(kUploadBytes);
  EXPECT_EQ(http_stream(files_url("/tmp/big.bin"), server_->token(),
                        [&](const std::string& chunk) {
                          downloaded += chunk;
                          return true;
                        }),
            200);
  std::string host_download = harness_->home() + "/download.bin";
  ASSERT_TRUE(os::write_file(host_download, downloaded).has_value());
  EXPECT_EQ(image::sha256_file(host_download).value(), image::sha256_file(host_upload).value());
  EXPECT_EQ(server_->call("DELETE", "/v1/sandboxes/upload-box/files?path=/tmp/big.bin").status,
            204);
}

TEST_F(ServerUploadTest, AClientThatGoesAwayMidUploadLeavesNoFile) {
  {
    RawClient client(server_->url());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send_all(header("/tmp/cut.bin", kUploadBytes)));
    ASSERT_TRUE(client.send_all(std::string(8u << 20, 'x')));
  }  // closed with 56 MiB still to come
  // The handler sees the read fail, removes its temporary file and claims nothing.
  EXPECT_TRUE(wait_until(
      [] {
        for (const std::string& name : tmp_names())
          if (name.find("cut.bin") != std::string::npos) return false;
        return true;
      },
      std::chrono::seconds(30)))
      << "left in /tmp: " << json(tmp_names()).dump();
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes/upload-box").status, 200);
  HttpReply small = http_request("PUT", files_url("/tmp/after.txt"), server_->token(), "after");
  EXPECT_EQ(small.status, 200) << small.body;
}

TEST_F(ServerUploadTest, OverTheUploadLimitIs413AtOnceAndNoTokenIs401) {
  RawClient client(server_->url());
  ASSERT_TRUE(client.send_all(header("/tmp/huge.bin", size_t{200} << 20)));
  EXPECT_EQ(client.receive_some().rfind("HTTP/1.1 413", 0), 0u);
  HttpReply no_token = http_request("PUT", files_url("/tmp/x"), "", "data");
  EXPECT_EQ(no_token.status, 401);
  HttpReply no_sandbox = http_request(
      "PUT", server_->url() + "/v1/sandboxes/nobody/files?path=/tmp/x", server_->token(), "data");
  EXPECT_EQ(no_sandbox.status, 404);
  EXPECT_EQ(error_kind(no_sandbox), "not-found");
}

}  // namespace
}  // namespace msb::testing
