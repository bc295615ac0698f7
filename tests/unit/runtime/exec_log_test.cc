#include "runtime/exec_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "os/clock.h"
#include "os/file.h"

namespace msb::runtime {
namespace {

class ExecLogTest : public ::testing::Test {
 protected:
  std::vector<nlohmann::json> read_lines() {
    Result<std::string> text = os::read_file(path_);
    EXPECT_TRUE(text.has_value());
    std::vector<nlohmann::json> lines;
    size_t start = 0;
    while (text && start < text->size()) {
      size_t end = text->find('\n', start);
      EXPECT_NE(end, std::string::npos) << "last line is not terminated";
      if (end == std::string::npos) break;
      nlohmann::json line = nlohmann::json::parse(text->substr(start, end - start), nullptr, false);
      EXPECT_FALSE(line.is_discarded()) << text->substr(start, end - start);
      lines.push_back(line);
      start = end + 1;
    }
    return lines;
  }

  os::TempDir dir_ = std::move(*os::TempDir::create("msb-exec-log-test-"));
  std::string path_ = dir_.path() + "/exec.log";
};

TEST_F(ExecLogTest, WritesOneJsonLinePerEvent) {
  uint64_t before = os::realtime_ns();
  {
    Result<ExecLog> log = ExecLog::open(path_);
    ASSERT_TRUE(log.has_value()) << log.error().message;
    protocol::ExecRequest request;
    request.cmd = "echo";
    request.args = {"a", "b c"};
    log->on_request(5, request);
    log->on_output(5, "stdout", "hello\n");
    log->on_output(5, "stderr", "oops");
    log->on_exit(5, protocol::ExecExited{3, 0});
  }
  uint64_t after = os::realtime_ns();

  std::vector<nlohmann::json> lines = read_lines();
  ASSERT_EQ(lines.size(), 4u);
  for (const nlohmann::json& line : lines) {
    ASSERT_TRUE(line.is_object());
    ASSERT_TRUE(line["t"].is_number_integer());
    EXPECT_GE(line["t"].get<uint64_t>(), before);
    EXPECT_LE(line["t"].get<uint64_t>(), after);
    EXPECT_EQ(line["session"], 5);
  }
  EXPECT_EQ(lines[0]["stream"], "start");
  EXPECT_EQ(lines[0]["cmd"], "echo");
  EXPECT_EQ(lines[0]["args"], nlohmann::json({"a", "b c"}));
  EXPECT_EQ(lines[1]["stream"], "stdout");
  EXPECT_EQ(lines[1]["data"], "hello\n");
  EXPECT_EQ(lines[2]["stream"], "stderr");
  EXPECT_EQ(lines[2]["data"], "oops");
  EXPECT_EQ(lines[3]["stream"], "exit");
  EXPECT_EQ(lines[3]["code"], 3);
  EXPECT_EQ(lines[3]["signal"], 0);
}

TEST_F(ExecLogTest, NonUtf8OutputIsStoredWithReplacements) {
  Result<ExecLog> log = ExecLog::open(path_);
  ASSERT_TRUE(log.has_value());
  EXPECT_NO_THROW(log->on_output(1, "stdout",
                                 std::string("a\xff\xfe"
                                             "b",
                                             4)));
  protocol::ExecRequest request;
  request.cmd = "bad\xc3";
  EXPECT_NO_THROW(log->on_request(1, request));

  std::vector<nlohmann::json> lines = read_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["data"],
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(lines[1]["cmd"], "bad\xEF\xBF\xBD");
}

TEST_F(ExecLogTest, AppendsToAnExistingFile) {
  ASSERT_TRUE(os::write_file(path_, "{\"t\":1,\"session\":1,\"stream\":\"exit\"}\n").has_value());
  {
    Result<ExecLog> log = ExecLog::open(path_);
    ASSERT_TRUE(log.has_value());
    log->on_output(2, "stdout", "x");
  }
  {
    Result<ExecLog> log = ExecLog::open(path_);
    ASSERT_TRUE(log.has_value());
    log->on_output(3, "stdout", "y");
  }
  std::vector<nlohmann::json> lines = read_lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["t"], 1);
  EXPECT_EQ(lines[1]["session"], 2);
  EXPECT_EQ(lines[2]["session"], 3);
}

TEST_F(ExecLogTest, NewFileIsPrivate) {
  Result<ExecLog> log = ExecLog::open(path_);
  ASSERT_TRUE(log.has_value());
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(ExecLogTest, OpenFailsInAMissingDirectory) {
  Result<ExecLog> log = ExecLog::open(dir_.path() + "/missing/exec.log");
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::runtime
