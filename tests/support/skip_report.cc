// Makes skipped tests visible, linked into every test binary by msb_test() (cmake/msb.cmake).
//
// ctest shows a binary registered with ONE_PROCESS as one entry, so a GTEST_SKIP inside it
// would read as "passed". This listener
//   - appends "<binary> <Suite.Name>: <reason>" for each skipped test to
//     $MSB_TEST_SKIP_DIR/skipped.txt (scripts/test.sh prints the list after each run), and
//   - prints kAllSkippedMarker when every test that ran was skipped, which msb_test() sets
//     as the entry's SKIP_REGULAR_EXPRESSION: ctest then reports it as skipped.
// <binary> carries the engine (".vm", ".namespace") for parity binaries, like ctest's names.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace msb::testing {
namespace {

constexpr const char* kAllSkippedMarker = "MSB_TEST_ALL_SKIPPED";

std::string binary_name() {
  std::string name = program_invocation_short_name;
  const char* isolation = std::getenv("MSB_TEST_ISOLATION");
  if (isolation && *isolation) name += std::string(".") + isolation;
  return name;
}

// The skip message, on one line: the test's own, else its suite's (SetUpTestSuite).
std::string skip_reason(const ::testing::TestInfo& test) {
  const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
  for (const ::testing::TestResult* result :
       {test.result(), suite ? &suite->ad_hoc_test_result() : nullptr}) {
    if (result == nullptr) continue;
    for (int i = 0; i < result->total_part_count(); ++i) {
      const ::testing::TestPartResult& part = result->GetTestPartResult(i);
      if (!part.skipped()) continue;
      std::string reason = part.message();
      for (char& c : reason) c = (c == '\n' || c == '\r') ? ' ' : c;
      return reason.empty() ? "(no reason given)" : reason;
    }
  }
  return "(no reason given)";
}

// One write(2) per line with O_APPEND: concurrent test processes never interleave lines.
void append_line(const std::string& line) {
  const char* dir = std::getenv("MSB_TEST_SKIP_DIR");
  if (!dir || !*dir) return;
  (void)::mkdir(dir, 0755);
  std::string path = std::string(dir) + "/skipped.txt";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "skip report: cannot open %s: %s\n", path.c_str(), strerror(errno));
    return;
  }
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    std::fprintf(stderr, "skip report: cannot write %s: %s\n", path.c_str(), strerror(errno));
  ::close(fd);
}

class SkipReporter : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& test) override {
    if (!test.result()->Skipped()) return;
    append_line(binary_name() + " " + test.test_suite_name() + "." + test.name() + ": " +
                skip_reason(test) + "\n");
  }

  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
    int ran = unit.test_to_run_count();
    if (ran > 0 && unit.skipped_test_count() == ran && unit.failed_test_count() == 0 &&
        !unit.ad_hoc_test_result().Failed()) {
      std::printf("%s: all %d tests skipped\n", kAllSkippedMarker, ran);
      std::fflush(stdout);
    }
  }
};

// Registered before main(): gtest_main's main() and every custom main() get it.
[[maybe_unused]] const bool kRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new SkipReporter);
  return true;
}();

}  // namespace
}  // namespace msb::testing
