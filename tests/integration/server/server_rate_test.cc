// msb server's request rate per token (--rate-limit, --rate-burst): 429 with Retry-After past
// it, checked after the token so that wrong tokens do not use it up.
#include <gtest/gtest.h>

#include <thread>

#include "server_process.h"

namespace msb::testing {
namespace {

TEST(ServerRateTest, PastTheBurstRequestsGet429WithRetryAfter) {
  MsbHarness harness;
  ServerProcess server(harness, {"--rate-limit", "1", "--rate-burst", "3"});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(server.call("GET", "/v1/sandboxes").status, 200) << i;
  HttpReply limited = server.call("GET", "/v1/sandboxes");
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(error_kind(limited), "rate-limited");
  EXPECT_EQ(limited.headers["retry-after"], "1");
  // Wrong tokens are refused before the limiter: never a 429, and they take no tokens.
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(http_request("GET", server.url() + "/v1/sandboxes", std::string(64, 'x')).status,
              401);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(server.call("GET", "/v1/sandboxes").status, 200);  // refilled by one
  EXPECT_EQ(server.call("GET", "/v1/sandboxes").status, 429);
  EXPECT_EQ(server.terminate().code, 0);
}

TEST(ServerRateTest, ZeroIsNoLimit) {
  MsbHarness harness;
  ServerProcess server(harness, {"--rate-limit", "0"});
  for (int i = 0; i < 50; ++i) ASSERT_EQ(server.call("GET", "/v1/sandboxes").status, 200) << i;
  EXPECT_EQ(server.terminate().code, 0);
}

}  // namespace
}  // namespace msb::testing
