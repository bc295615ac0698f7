#include "mcp/clipped_output.h"

#include <gtest/gtest.h>

#include "common/utf8.h"

namespace msb::mcp {
namespace {

TEST(Clip, KeepsWhatFits) {
  ClippedText clipped = clip("hello", 5);
  EXPECT_EQ(clipped.text, "hello");
  EXPECT_FALSE(clipped.truncated);
  EXPECT_EQ(clipped.total_bytes, 5u);
}

TEST(Clip, KeepsAQuarterOfTheStartAndThreeQuartersOfTheEnd) {
  std::string data = std::string(100, 'a') + std::string(800, 'm') + std::string(100, 'z');
  ClippedText clipped = clip(data, 200);
  EXPECT_TRUE(clipped.truncated);
  EXPECT_EQ(clipped.total_bytes, 1000u);
  EXPECT_EQ(clipped.text, std::string(50, 'a') + "\n[... 800 bytes omitted ...]\n" +
                              std::string(50, 'm') + std::string(100, 'z'));
}

TEST(Clip, NeverSplitsAUtf8Character) {
  std::string data;
  for (int i = 0; i < 300; ++i) data += "ü";  // two bytes each
  for (size_t limit : {9u, 10u, 11u, 101u}) {
    ClippedText clipped = clip(data, limit);
    EXPECT_TRUE(valid_utf8(clipped.text)) << limit;
    EXPECT_TRUE(clipped.truncated);
  }
}

TEST(ExecOutputJson, ReportsClippingPerStream) {
  microsandbox::ExecOutput output;
  output.exit_code = 2;
  output.stdout_data = std::string(5000, 'x');
  output.stderr_data = "bad\n";
  nlohmann::json result = exec_output_json(output, 1000);
  EXPECT_EQ(result["exitCode"], 2);
  EXPECT_EQ(result["success"], false);
  EXPECT_EQ(result["stdoutTruncated"], true);
  EXPECT_EQ(result["stdoutBytes"], 5000);
  EXPECT_EQ(result["stderr"], "bad\n");
  EXPECT_FALSE(result.contains("stderrTruncated"));
  EXPECT_FALSE(result.contains("timedOut"));
  output.timed_out = true;
  output.signal = 9;
  result = exec_output_json(output, 1000);
  EXPECT_EQ(result["timedOut"], true);
  EXPECT_EQ(result["signal"], 9);
}

}  // namespace
}  // namespace msb::mcp
