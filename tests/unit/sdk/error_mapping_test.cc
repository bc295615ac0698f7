// The SDK's public microsandbox::ErrorKind mirrors msb::ErrorKind one to one
// (src/sdk/throw_error.cc casts between them).
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <string>
#include <string_view>

#include "common/error.h"
#include "microsandbox/error.h"
#include "sdk/throw_error.h"

namespace msb::sdk {
namespace {

constexpr int kLastKind = static_cast<int>(ErrorKind::kIntegrity);

// Every member by name: a member added, removed or moved in one enum only fails here.
#define MSB_SAME_KIND(name)                                          \
  static_assert(static_cast<int>(::microsandbox::ErrorKind::name) == \
                    static_cast<int>(::msb::ErrorKind::name),        \
                #name " differs between microsandbox::ErrorKind and msb::ErrorKind")
MSB_SAME_KIND(kInternal);
MSB_SAME_KIND(kInvalidArgument);
MSB_SAME_KIND(kInvalidConfig);
MSB_SAME_KIND(kNotFound);
MSB_SAME_KIND(kAlreadyExists);
MSB_SAME_KIND(kStillRunning);
MSB_SAME_KIND(kPermissionDenied);
MSB_SAME_KIND(kIo);
MSB_SAME_KIND(kProtocol);
MSB_SAME_KIND(kBootFailed);
MSB_SAME_KIND(kExecFailed);
MSB_SAME_KIND(kTimeout);
MSB_SAME_KIND(kCancelled);
MSB_SAME_KIND(kImageNotFound);
MSB_SAME_KIND(kUnsupported);
MSB_SAME_KIND(kImageInUse);
MSB_SAME_KIND(kIntegrity);
#undef MSB_SAME_KIND

TEST(ErrorMapping, EnumsHaveTheSameMembersInTheSameOrder) {
  EXPECT_EQ(kLastKind, static_cast<int>(::microsandbox::ErrorKind::kIntegrity));
  std::set<std::string_view> names;
  for (int i = 0; i <= kLastKind; ++i) {
    std::string_view internal = error_kind_name(static_cast<ErrorKind>(i));
    std::string_view exported =
        ::microsandbox::error_kind_name(static_cast<::microsandbox::ErrorKind>(i));
    EXPECT_EQ(exported, internal) << i;
    EXPECT_NE(internal, "unknown") << i;
    names.insert(internal);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLastKind + 1));  // no two kinds share a name
  EXPECT_STREQ(::microsandbox::error_kind_name(::microsandbox::ErrorKind::kNotFound), "not-found");
}

TEST(ErrorMapping, ThrowErrorKeepsKindMessageAndErrno) {
  for (int i = 0; i <= kLastKind; ++i) {
    try {
      throw_error(Error{static_cast<ErrorKind>(i), ENOENT, "what happened " + std::to_string(i)});
      ADD_FAILURE() << "throw_error returned";
    } catch (const ::microsandbox::Error& thrown) {
      EXPECT_EQ(static_cast<int>(thrown.kind()), i);
      EXPECT_EQ(std::string(thrown.what()), "what happened " + std::to_string(i));
      EXPECT_EQ(thrown.sys_errno(), ENOENT);
    }
  }
}

TEST(ErrorMapping, ValueOrThrowPassesValuesAndThrowsErrors) {
  EXPECT_EQ(value_or_throw(Result<int>(5)), 5);
  EXPECT_NO_THROW(value_or_throw(Result<void>()));
  try {
    value_or_throw(Result<int>(make_error(ErrorKind::kTimeout, "too slow")));
    ADD_FAILURE() << "value_or_throw did not throw";
  } catch (const ::microsandbox::Error& thrown) {
    EXPECT_EQ(thrown.kind(), ::microsandbox::ErrorKind::kTimeout);
    EXPECT_STREQ(thrown.what(), "too slow");
    EXPECT_EQ(thrown.sys_errno(), 0);
  }
}

TEST(ErrorMapping, ParseErrorKindInvertsErrorKindName) {
  for (int i = 0; i <= kLastKind; ++i) {
    ErrorKind kind = static_cast<ErrorKind>(i);
    EXPECT_EQ(parse_error_kind(error_kind_name(kind)), kind) << error_kind_name(kind);
  }
  for (std::string_view unknown : {"", "unknown", "NOT-FOUND", "not_found", "not-found "}) {
    EXPECT_EQ(parse_error_kind(unknown), ErrorKind::kInternal) << unknown;
  }
}

}  // namespace
}  // namespace msb::sdk
