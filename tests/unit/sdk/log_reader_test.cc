#include "sdk/log_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/log.h"
#include "os/file.h"

namespace msb::sdk {
namespace {

// 2026-11-28T15:21:29Z (date -u -d 2026-11-28T15:21:29Z +%s).
constexpr int64_t kSeconds = 1795879289;
constexpr int64_t kNs = 1'000'000'000;

std::string exec_line(int64_t t, uint32_t session, const std::string& stream,
                      const std::string& rest = "") {
  return "{\"t\":" + std::to_string(t) + ",\"session\":" + std::to_string(session) +
         ",\"stream\":\"" + stream + "\"" + rest + "}\n";
}

TEST(LogSource, NamesRoundTrip) {
  for (LogSource source : {LogSource::kExec, LogSource::kRuntime, LogSource::kConsole}) {
    Result<LogSource> parsed = parse_log_source(log_source_name(source));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, source);
  }
  Result<LogSource> unknown = parse_log_source("kernel");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInvalidArgument);
}

TEST(ParseRuntimeLine, ReadsTheLogFilePattern) {
  std::optional<LogLine> line =
      parse_runtime_line("2026-11-28T15:21:29.123456Z runtime info text here");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->time_ns, kSeconds * kNs + 123'456'000);
  EXPECT_EQ(line->source, LogSource::kRuntime);
  EXPECT_EQ(line->stream, "info");
  EXPECT_EQ(line->session, 0u);
  EXPECT_EQ(line->text, "text here");
}

TEST(ParseRuntimeLine, ReadsWhatTheLogFileSinkWrites) {
  Result<os::TempDir> dir = os::TempDir::create("msb-log-reader-test-");
  ASSERT_TRUE(dir.has_value());
  std::string path = dir->path() + "/runtime.log";
  ASSERT_TRUE(set_log_file(path));
  logger("runtime")->warn("disk {} is full", "upper");
  logger("runtime")->flush();
  Result<std::string> text = os::read_file(path);
  ASSERT_TRUE(text.has_value());
  ASSERT_FALSE(text->empty());
  std::optional<LogLine> line = parse_runtime_line(text->substr(0, text->find('\n')));
  ASSERT_TRUE(line.has_value()) << *text;
  EXPECT_GT(line->time_ns, kSeconds * kNs - 10 * 365 * 86400 * kNs);  // a plausible time
  EXPECT_EQ(line->stream, "warning");
  EXPECT_EQ(line->text, "disk upper is full");
}

TEST(ParseRuntimeLine, RefusesLinesWithoutThePattern) {
  for (std::string_view text : {
           "", "garbage",
           "2026-11-28T15:21:29.123456Z",                        // time only
           "2026-11-28T15:21:29.123456Z runtime",                // no level
           "2026-11-28T15:21:29.123456Z runtime info",           // no space after the level
           "2026-11-28 15:21:29.123456Z runtime info text",      // no T
           "2026-11-28T15:21:29.123Z runtime info text",         // milliseconds
           "2026-11-28T15:21:29.12345xZ runtime info text",      // not a number
           "2026-11-28T15:21:29.123456 runtime info text here",  // no Z
       }) {
    EXPECT_FALSE(parse_runtime_line(text).has_value()) << text;
  }
}

TEST(ParseExecLine, ReadsOutputLines) {
  std::optional<LogLine> line = parse_exec_line(exec_line(42, 7, "stdout", ",\"data\":\"hi\\n\""));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->time_ns, 42);
  EXPECT_EQ(line->source, LogSource::kExec);
  EXPECT_EQ(line->stream, "stdout");
  EXPECT_EQ(line->session, 7u);
  EXPECT_EQ(line->text, "hi\n");
}

TEST(ParseExecLine, StartLineShowsTheCommand) {
  std::optional<LogLine> line =
      parse_exec_line(exec_line(1, 2, "start", R"(,"cmd":"ls","args":["-l","/tmp"])"));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->stream, "start");
  EXPECT_EQ(line->text, "ls -l /tmp");
}

TEST(ParseExecLine, ExitLineShowsCodeAndSignal) {
  std::optional<LogLine> line = parse_exec_line(exec_line(1, 2, "exit", R"(,"code":0,"signal":9)"));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->stream, "exit");
  EXPECT_EQ(line->text, "exit code 0, signal 9");
}

TEST(ParseExecLine, RefusesGarbage) {
  for (std::string_view text : {
           "", "garbage", "[1,2,3]",
           R"({"session":1,"stream":"stdout"})",          // no time
           R"({"t":"1","session":1,"stream":"stdout"})",  // time is text
           R"({"t":1.5,"session":1,"stream":"stdout"})",  // time is not an integer
           R"({"t":1,"session":-1,"stream":"stdout"})",   // negative session
           R"({"t":1,"stream":"stdout"})",                // no session
           R"({"t":1,"session":1,"stream":3})",           // stream is not text
           R"({"t":1,"session":1})",                      // no stream
       }) {
    EXPECT_FALSE(parse_exec_line(text).has_value()) << text;
  }
}

class ReadLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // runtime: times 2 s and 4 s; exec: 1 s, 3 s and 5 s; console: no times.
    ASSERT_TRUE(os::write_file(dir_.path() + "/runtime.log",
                               "2026-11-28T15:21:31.000000Z runtime info second\n"
                               "not a log line\n"
                               "2026-11-28T15:21:33.000000Z runtime error fourth\n")
                    .has_value());
    ASSERT_TRUE(os::write_file(dir_.path() + "/exec.log",
                               exec_line(at(1), 1, "start", R"(,"cmd":"make")") +
                                   exec_line(at(3), 1, "stdout", R"(,"data":"third")") + "{oops\n" +
                                   exec_line(at(5), 1, "exit", R"(,"code":2,"signal":0)"))
                    .has_value());
    ASSERT_TRUE(
        os::write_file(dir_.path() + "/console.log", "[    0.0] Linux\n\nagent up\n").has_value());
  }

  static int64_t at(int second) { return (kSeconds + second) * kNs; }
  static std::vector<std::string> texts(const std::vector<LogLine>& lines) {
    std::vector<std::string> out;
    for (const LogLine& line : lines) out.push_back(line.text);
    return out;
  }
  std::vector<LogLine> read(const LogQuery& query) {
    Result<std::vector<LogLine>> lines = read_logs(dir_.path(), query);
    EXPECT_TRUE(lines.has_value());
    return lines ? *lines : std::vector<LogLine>{};
  }

  os::TempDir dir_ = std::move(*os::TempDir::create("msb-read-logs-test-"));
};

TEST_F(ReadLogsTest, DefaultSourcesAreExecAndRuntimeMergedByTime) {
  std::vector<LogLine> lines = read({});
  EXPECT_EQ(texts(lines), (std::vector<std::string>{"make", "second", "third", "fourth",
                                                    "exit code 2, signal 0"}));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].source, LogSource::kExec);
  EXPECT_EQ(lines[1].source, LogSource::kRuntime);
  EXPECT_EQ(lines[1].stream, "info");
  EXPECT_EQ(lines[1].time_ns, at(2));
  EXPECT_EQ(lines[3].stream, "error");
}

TEST_F(ReadLogsTest, ConsoleLinesComeFirstInFileOrder) {
  std::vector<LogLine> lines =
      read({.sources = {LogSource::kExec, LogSource::kConsole, LogSource::kRuntime}});
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0].source, LogSource::kConsole);
  EXPECT_EQ(lines[0].text, "[    0.0] Linux");
  EXPECT_EQ(lines[0].time_ns, 0);
  EXPECT_EQ(lines[1].text, "agent up");  // empty lines are skipped
  EXPECT_EQ(lines[2].text, "make");

  std::vector<LogLine> console_only = read({.sources = {LogSource::kConsole}});
  EXPECT_EQ(texts(console_only), (std::vector<std::string>{"[    0.0] Linux", "agent up"}));
}

TEST_F(ReadLogsTest, TailKeepsTheLastLines) {
  EXPECT_EQ(texts(read({.tail = 2})),
            (std::vector<std::string>{"fourth", "exit code 2, signal 0"}));
  EXPECT_EQ(read({.tail = 100}).size(), 5u);
  EXPECT_TRUE(read({.tail = 0}).empty());
}

TEST_F(ReadLogsTest, SinceAndUntilAreInclusiveBounds) {
  EXPECT_EQ(texts(read({.since_ns = at(2)})),
            (std::vector<std::string>{"second", "third", "fourth", "exit code 2, signal 0"}));
  EXPECT_EQ(texts(read({.until_ns = at(3)})),
            (std::vector<std::string>{"make", "second", "third"}));
  EXPECT_EQ(texts(read({.since_ns = at(2), .until_ns = at(3)})),
            (std::vector<std::string>{"second", "third"}));
  // The tail applies after the time filter.
  EXPECT_EQ(texts(read({.tail = 1, .until_ns = at(3)})), (std::vector<std::string>{"third"}));
}

TEST_F(ReadLogsTest, SinceDropsConsoleLines) {
  std::vector<LogLine> lines =
      read({.since_ns = at(1), .sources = {LogSource::kConsole, LogSource::kExec}});
  for (const LogLine& line : lines) EXPECT_NE(line.source, LogSource::kConsole);
  EXPECT_EQ(lines.size(), 3u);
}

TEST_F(ReadLogsTest, UntilDropsConsoleLines) {
  std::vector<LogLine> lines =
      read({.until_ns = at(5), .sources = {LogSource::kConsole, LogSource::kExec}});
  for (const LogLine& line : lines) EXPECT_NE(line.source, LogSource::kConsole);
}

TEST_F(ReadLogsTest, MissingFilesAreEmpty) {
  ASSERT_TRUE(os::remove_file(dir_.path() + "/exec.log").has_value());
  EXPECT_EQ(texts(read({})), (std::vector<std::string>{"second", "fourth"}));

  Result<std::vector<LogLine>> none = read_logs(dir_.path() + "/missing", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace msb::sdk
