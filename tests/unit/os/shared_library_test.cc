#include "os/shared_library.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace msb::os {
namespace {

TEST(SharedLibraryTest, ResolvesAFunctionThatWorks) {
  Result<SharedLibrary> library = SharedLibrary::open("libc.so.6");
  ASSERT_TRUE(library) << library.error().message;
  Result<void*> address = library->symbol("getpid");
  ASSERT_TRUE(address) << address.error().message;
  auto getpid_function = reinterpret_cast<pid_t (*)()>(*address);
  EXPECT_EQ(getpid_function(), getpid());
  EXPECT_EQ(library->soname(), "libc.so.6");
}

TEST(SharedLibraryTest, AMissingLibraryIsUnsupportedAndNamed) {
  Result<SharedLibrary> library = SharedLibrary::open("libmsb-no-such-library.so.1");
  ASSERT_FALSE(library);
  EXPECT_EQ(library.error().kind, ErrorKind::kUnsupported);
  EXPECT_NE(library.error().message.find("libmsb-no-such-library.so.1"), std::string::npos)
      << library.error().message;
}

TEST(SharedLibraryTest, AMissingSymbolIsUnsupportedAndNamed) {
  Result<SharedLibrary> library = SharedLibrary::open("libc.so.6");
  ASSERT_TRUE(library) << library.error().message;
  Result<void*> address = library->symbol("msb_no_such_function");
  ASSERT_FALSE(address);
  EXPECT_EQ(address.error().kind, ErrorKind::kUnsupported);
  EXPECT_NE(address.error().message.find("msb_no_such_function"), std::string::npos)
      << address.error().message;
}

TEST(SharedLibraryTest, AMovedFromLibraryIsNotClosedTwice) {
  Result<SharedLibrary> library = SharedLibrary::open("libc.so.6");
  ASSERT_TRUE(library) << library.error().message;
  SharedLibrary moved = std::move(*library);
  EXPECT_TRUE(moved.symbol("getpid"));
  SharedLibrary assigned = std::move(moved);
  EXPECT_TRUE(assigned.symbol("getpid"));
}

struct CountedApi {
  int value;
};
int counted_loads = 0;
Result<CountedApi> load_counted() {
  ++counted_loads;
  return CountedApi{42};
}

TEST(LoadApiOnce, LoadsOnceAndHandsOutTheSameTable) {
  const Result<CountedApi>& first = load_api_once(load_counted, "needs libcounted");
  const Result<CountedApi>& second = load_api_once(load_counted, "needs libcounted");
  EXPECT_EQ(counted_loads, 1);
  EXPECT_EQ(&first, &second);
  Result<const CountedApi*> api = api_or_error(first);
  ASSERT_TRUE(api) << api.error().message;
  EXPECT_EQ((*api)->value, 42);
  EXPECT_EQ(&checked_api(first), *api);
}

struct MissingApi {};
Result<MissingApi> load_missing() {
  return err(ErrorKind::kUnsupported, "libmsb-missing.so.1: cannot open shared object file");
}

TEST(LoadApiOnce, KeepsTheLoadErrorWithWhatToInstall) {
  const Result<MissingApi>& loaded =
      load_api_once(load_missing, "thing needs libmissing (install libmissing1)");
  Result<const MissingApi*> api = api_or_error(loaded);
  ASSERT_FALSE(api);
  EXPECT_EQ(api.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(api.error().message,
            "thing needs libmissing (install libmissing1): libmsb-missing.so.1: cannot open "
            "shared object file");
  EXPECT_DEATH((void)checked_api(loaded), "install libmissing1");
}

}  // namespace
}  // namespace msb::os
