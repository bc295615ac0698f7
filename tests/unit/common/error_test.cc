#include "common/error.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace msb {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return err(ErrorKind::kInvalidArgument, "not a digit: {}", c);
  return c - '0';
}

Result<int> sum_two_digits(const char* text) {
  int first = MSB_TRY(parse_digit(text[0]));
  int second = MSB_TRY(parse_digit(text[1]));
  return first + second;
}

Result<void> check_positive(int value) {
  if (value <= 0) return err(ErrorKind::kInvalidArgument, "{} is not positive", value);
  return {};
}

Result<int> doubled_if_positive(int value, int* steps_after_check) {
  MSB_TRY(check_positive(value));
  ++*steps_after_check;
  return value * 2;
}

Result<std::unique_ptr<int>> make_boxed(int value) { return std::make_unique<int>(value); }

Result<int> unbox(int value) {
  std::unique_ptr<int> boxed = MSB_TRY(make_boxed(value));
  return *boxed;
}

Result<std::string> fetch_manifest() { return err(ErrorKind::kNotFound, "manifest unknown"); }

TEST(Result, TryYieldsTheValue) {
  Result<int> sum = sum_two_digits("34");
  ASSERT_TRUE(sum.has_value());
  EXPECT_EQ(*sum, 7);
}

TEST(Result, TryPropagatesTheFirstError) {
  Result<int> sum = sum_two_digits("3x");
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(sum.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(sum.error().message, "not a digit: x");
}

TEST(Result, TryOnVoidContinuesOnSuccess) {
  int steps = 0;
  Result<int> doubled = doubled_if_positive(21, &steps);
  ASSERT_TRUE(doubled.has_value());
  EXPECT_EQ(*doubled, 42);
  EXPECT_EQ(steps, 1);
}

TEST(Result, TryOnVoidReturnsEarlyOnError) {
  int steps = 0;
  Result<int> doubled = doubled_if_positive(-1, &steps);
  ASSERT_FALSE(doubled.has_value());
  EXPECT_EQ(doubled.error().message, "-1 is not positive");
  EXPECT_EQ(steps, 0);
}

TEST(Result, TryMovesMoveOnlyValues) {
  Result<int> value = unbox(9);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, 9);
}

TEST(Result, ContextPrefixesTheMessage) {
  Result<std::string> manifest = fetch_manifest().context("pull {}", "x");
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().message, "pull x: manifest unknown");
  EXPECT_EQ(manifest.error().kind, ErrorKind::kNotFound);
}

TEST(Result, ContextNestsOutermostFirst) {
  Result<std::string> manifest =
      fetch_manifest().context("pull {}", "docker.io/library/x").context("run");
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().message, "run: pull docker.io/library/x: manifest unknown");
}

TEST(Result, ContextLeavesValuesAlone) {
  Result<int> value = Result<int>(5).context("unused {}", 1);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, 5);
}

TEST(Result, ContextOnVoid) {
  Result<void> checked = check_positive(0).context("limit");
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().message, "limit: 0 is not positive");
}

TEST(Error, ErrFormatsTheMessageWithoutErrno) {
  Result<int> failed = err(ErrorKind::kTimeout, "waited {} ms", 250);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(failed.error().sys_errno, 0);
  EXPECT_EQ(failed.error().to_string(), "waited 250 ms");
}

TEST(Error, MakeErrorKeepsErrno) {
  Result<void> failed = make_error(ErrorKind::kExecFailed, "sh: not found", ENOENT);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::kExecFailed);
  EXPECT_EQ(failed.error().sys_errno, ENOENT);
}

TEST(Error, ErrnoErrorNamesTheCallAndTheReason) {
  Result<void> failed = errno_error(ENOENT, "open /x");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message, "open /x: No such file or directory");
  EXPECT_EQ(failed.error().message, std::string("open /x: ") + std::strerror(ENOENT));
  EXPECT_EQ(failed.error().sys_errno, ENOENT);
  EXPECT_EQ(failed.error().kind, ErrorKind::kNotFound);
}

TEST(Error, ErrnoErrorDerivesTheKind) {
  EXPECT_EQ(Result<void>(errno_error(EACCES, "open")).error().kind, ErrorKind::kPermissionDenied);
  EXPECT_EQ(Result<void>(errno_error(EIO, "read")).error().kind, ErrorKind::kIo);
}

TEST(Error, KindFromErrnoMapsCommonErrnos) {
  EXPECT_EQ(kind_from_errno(ENOENT), ErrorKind::kNotFound);
  EXPECT_EQ(kind_from_errno(EEXIST), ErrorKind::kAlreadyExists);
  EXPECT_EQ(kind_from_errno(EACCES), ErrorKind::kPermissionDenied);
  EXPECT_EQ(kind_from_errno(EPERM), ErrorKind::kPermissionDenied);
  EXPECT_EQ(kind_from_errno(ETIMEDOUT), ErrorKind::kTimeout);
  EXPECT_EQ(kind_from_errno(EINVAL), ErrorKind::kInvalidArgument);
  EXPECT_EQ(kind_from_errno(ENOSYS), ErrorKind::kUnsupported);
  EXPECT_EQ(kind_from_errno(EOPNOTSUPP), ErrorKind::kUnsupported);
}

TEST(Error, KindFromErrnoDefaultsToIo) {
  EXPECT_EQ(kind_from_errno(EIO), ErrorKind::kIo);
  EXPECT_EQ(kind_from_errno(EPIPE), ErrorKind::kIo);
  EXPECT_EQ(kind_from_errno(ENOSPC), ErrorKind::kIo);
  EXPECT_EQ(kind_from_errno(0), ErrorKind::kIo);
}

TEST(Error, EveryKindHasAName) {
  EXPECT_EQ(error_kind_name(ErrorKind::kNotFound), "not-found");
  EXPECT_EQ(error_kind_name(ErrorKind::kPermissionDenied), "permission-denied");
  EXPECT_EQ(error_kind_name(ErrorKind::kUnsupported), "unsupported");
  EXPECT_EQ(error_kind_name(ErrorKind::kImageInUse), "image-in-use");
  EXPECT_EQ(error_kind_name(ErrorKind::kIntegrity), "integrity");
  for (int kind = 0; kind <= static_cast<int>(ErrorKind::kIntegrity); ++kind) {
    EXPECT_NE(error_kind_name(static_cast<ErrorKind>(kind)), "unknown") << kind;
  }
}

TEST(CheckDeathTest, BrokenInvariantAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(MSB_CHECK(1 + 1 == 3), "MSB_CHECK failed: 1 \\+ 1 == 3");
}

}  // namespace
}  // namespace msb
