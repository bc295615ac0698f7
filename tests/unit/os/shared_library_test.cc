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

}  // namespace
}  // namespace msb::os
