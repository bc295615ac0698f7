// What `msb` and the supervisor load when they start (docs/design/startup.md): each
// shared library linked costs every start, and libcurl and libarchive bring dozens more.
// They are loaded at their first use instead; this keeps them out of the start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "os/run_command.h"

namespace msb::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// The DT_NEEDED entries of `binary`, as readelf prints them: "libc.so.6", ...
std::vector<std::string> needed_libraries(const std::string& binary) {
  Result<std::string> dynamic = os::run_command({"readelf", "--dynamic", binary});
  EXPECT_TRUE(dynamic) << dynamic.error().message;
  std::vector<std::string> names;
  if (!dynamic) return names;
  size_t at = 0;
  while ((at = dynamic->find("Shared library: [", at)) != std::string::npos) {
    at += 17;
    size_t end = dynamic->find(']', at);
    if (end == std::string::npos) break;
    names.push_back(dynamic->substr(at, end - at));
  }
  return names;
}

bool mentions(const std::vector<std::string>& names, std::string_view part) {
  for (const std::string& name : names)
    if (name.find(part) != std::string::npos) return true;
  return false;
}

TEST(StartupLibraries, MsbLinksNeitherLibcurlNorLibarchiveNorLibcrypto) {
  std::vector<std::string> names = needed_libraries(MSB_BIN);
  ASSERT_THAT(names, Contains(HasSubstr("libc.so")));  // the parse found the list
  EXPECT_FALSE(mentions(names, "libcurl")) << ::testing::PrintToString(names);
  EXPECT_FALSE(mentions(names, "libarchive")) << ::testing::PrintToString(names);
  EXPECT_FALSE(mentions(names, "libcrypto")) << ::testing::PrintToString(names);
  EXPECT_FALSE(mentions(names, "libgnutls")) << ::testing::PrintToString(names);
  EXPECT_FALSE(mentions(names, "libicu")) << ::testing::PrintToString(names);
}

TEST(StartupLibraries, TheSupervisorLinksNoImageLibrary) {
  std::vector<std::string> names = needed_libraries(MSB_RUNTIME_BIN);
  ASSERT_THAT(names, Contains(HasSubstr("libc.so")));
  for (std::string_view library : {"libcurl", "libarchive", "libcrypto", "libisal", "libzstd"})
    EXPECT_FALSE(mentions(names, library)) << library << " in " << ::testing::PrintToString(names);
  EXPECT_THAT(names, Not(Contains(HasSubstr("libgnutls"))));
}

}  // namespace
}  // namespace msb::testing
