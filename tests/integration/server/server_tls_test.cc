// msb server over HTTPS (--tls-cert, --tls-key): a self-signed certificate made by the
// `openssl` command for the test, trusted by libcurl through CURLOPT_CAINFO.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "os/child_process.h"
#include "server_process.h"

namespace msb::testing {
namespace {

using nlohmann::json;

// `argv` to completion; whether it exited 0.
bool run_quietly(const std::vector<std::string>& argv) {
  os::SpawnOptions options;
  options.argv = argv;
  Result<os::ChildProcess> child = os::ChildProcess::spawn(options);
  if (!child) return false;
  Result<os::ExitStatus> status = child->wait();
  return status && status->code == 0 && status->signal == 0;
}

class ServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new MsbHarness();
    std::string dir = harness_->home();
    ASSERT_TRUE(
        run_quietly({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                     dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "2", "-subj",
                     "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"}));
    ASSERT_TRUE(run_quietly({"openssl", "genrsa", "-out", dir + "/other-key.pem", "2048"}));
    server_ = new ServerProcess(*harness_, tls_flags({"--read-timeout", "2"}), cert());
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->terminate().code, 0);
    delete server_;
    EXPECT_TRUE(harness_->wait_no_qemu(std::chrono::seconds(30)));
    delete harness_;
  }
  static std::string cert() { return harness_->home() + "/cert.pem"; }
  static std::string key() { return harness_->home() + "/key.pem"; }
  static std::vector<std::string> tls_flags(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--tls-cert", cert(), "--tls-key", key()});
    return extra;
  }
  static inline MsbHarness* harness_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(ServerTlsTest, ServesHttpsVerifiedAgainstItsCertificate) {
  ASSERT_EQ(server_->url().rfind("https://127.0.0.1:", 0), 0u) << server_->url();
  HttpReply listed = server_->call("GET", "/v1/sandboxes");
  ASSERT_EQ(listed.status, 200) << listed.error;
  EXPECT_TRUE(parsed(listed)["sandboxes"].is_array());
  // Without the certificate as a trust anchor, curl refuses the self-signed server.
  HttpReply untrusted = http_request("GET", server_->url() + "/v1/sandboxes", server_->token());
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_EQ(http_request("GET", server_->url() + "/v1/sandboxes", "", "", 30, cert()).status, 401);
}

TEST_F(ServerTlsTest, ExecStreamedUploadAndDownloadOverTls) {
  HttpReply created = server_->call("POST", "/v1/sandboxes", create_body("tls-box"));
  ASSERT_EQ(created.status, 201) << created.body;
  HttpReply ran =
      server_->call("POST", "/v1/sandboxes/tls-box/exec",
                    {{"cmd", "sh"}, {"args", {"-c", "echo over tls > /tmp/t; cat /tmp/t"}}});
  ASSERT_EQ(ran.status, 200) << ran.body;
  EXPECT_EQ(parsed(ran)["stdout"], "over tls\n");
  std::string downloaded;
  EXPECT_EQ(http_stream(
                server_->url() + "/v1/sandboxes/tls-box/files?path=/tmp/t", server_->token(),
                [&](const std::string& chunk) {
                  downloaded += chunk;
                  return true;
                },
                60, "", cert()),
            200);
  EXPECT_EQ(downloaded, "over tls\n");
  // A streamed upload (read piece by piece from the TLS stream), then back.
  std::string data(3u << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  std::string url = server_->url() + "/v1/sandboxes/tls-box/files?path=/tmp/u";
  HttpReply put = http_request("PUT", url, server_->token(), data, 60, cert());
  ASSERT_EQ(put.status, 200) << put.body << put.error;
  EXPECT_EQ(parsed(put)["bytes"], data.size());
  HttpReply got = http_request("GET", url, server_->token(), "", 60, cert());
  EXPECT_EQ(got.status, 200);
  EXPECT_TRUE(got.body == data) << got.body.size() << " bytes back";
  EXPECT_EQ(server_->call("POST", "/v1/sandboxes/tls-box/kill").status, 200);
  EXPECT_EQ(server_->call("DELETE", "/v1/sandboxes/tls-box").status, 204);
}

TEST_F(ServerTlsTest, PlainHttpToTheTlsPortFailsAndTheServerGoesOn) {
  std::string plain_url = "http://" + server_->url().substr(std::string("https://").size());
  HttpReply plain = http_request("GET", plain_url + "/v1/sandboxes", server_->token(), "", 10);
  EXPECT_EQ(plain.status, 0) << plain.body;
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes").status, 200);
}

TEST_F(ServerTlsTest, AClientThatNeverHandshakesIsDroppedAfterTheReadTimeout) {
  uint16_t port =
      static_cast<uint16_t>(std::stoi(server_->url().substr(server_->url().rfind(':') + 1)));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  timeval limit{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  auto start = std::chrono::steady_clock::now();
  char byte;
  ssize_t got = recv(fd, &byte, 1, 0);  // sends nothing; the server closes (--read-timeout 2)
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(fd);
  EXPECT_EQ(got, 0);
  EXPECT_GT(waited, 1.5);
  EXPECT_LT(waited, 10.0);
  EXPECT_EQ(server_->call("GET", "/v1/sandboxes").status, 200);
}

TEST_F(ServerTlsTest, BadCertificateOrKeyFilesAreRefusedAtStart) {
  struct Case {
    std::string cert, key, message;
  };
  std::string home = harness_->home();
  for (const Case& bad : std::vector<Case>{
           {home + "/missing.pem", key(), "--tls-cert " + home + "/missing.pem: open"},
           {key(), key(), "--tls-cert " + key() + ": not a PEM certificate"},
           {cert(), cert(), "--tls-key " + cert() + ": not a PEM private key"},
           {cert(), home + "/other-key.pem",
            "--tls-key " + home + "/other-key.pem: the key does not match --tls-cert"},
       }) {
    MsbResult refused = harness_->run(
        {"server", "--listen", "127.0.0.1:0", "--tls-cert", bad.cert, "--tls-key", bad.key},
        std::chrono::seconds(30));
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find(bad.message), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out.find("listening"), std::string::npos);
  }
  MsbResult one = harness_->run({"server", "--tls-cert", cert()}, std::chrono::seconds(30));
  EXPECT_NE(one.exit_code, 0);
  EXPECT_NE(one.err.find("--tls-cert and --tls-key go together"), std::string::npos) << one.err;
}

TEST_F(ServerTlsTest, NonLoopbackNeedsTlsOrTheInsecureFlag) {
  MsbResult refused = harness_->run({"server", "--listen", "0.0.0.0:0"}, std::chrono::seconds(30));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--tls-cert"), std::string::npos) << refused.err;
  // Bound on every address, reached here through 127.0.0.1 only.
  ServerProcess wide(*harness_, tls_flags({"--listen", "0.0.0.0:0"}), cert());
  ASSERT_EQ(wide.url().rfind("https://127.0.0.1:", 0), 0u) << wide.url();
  EXPECT_EQ(wide.call("GET", "/v1/sandboxes").status, 200);
  EXPECT_EQ(wide.terminate().code, 0);
}

}  // namespace
}  // namespace msb::testing
