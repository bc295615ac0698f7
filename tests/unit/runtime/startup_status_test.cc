#include "runtime/startup_status.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::runtime {
namespace {

TEST(StartupStatus, OkRoundTrips) {
  std::string line = encode_startup_status({.ok = true, .pid = 1234});
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  EXPECT_EQ(line.find("kind"), std::string::npos);
  Result<StartupStatus> decoded = decode_startup_status(line);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_TRUE(decoded->ok);
  EXPECT_EQ(decoded->pid, 1234);
  EXPECT_TRUE(decoded->message.empty());
}

TEST(StartupStatus, FailureRoundTripsKindAndMessage) {
  StartupStatus status{.ok = false,
                       .pid = 77,
                       .kind = ErrorKind::kBootFailed,
                       .message = "kernel panic\nsecond line"};
  std::string line = encode_startup_status(status);
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // the message's newline is escaped
  Result<StartupStatus> decoded = decode_startup_status(line);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_FALSE(decoded->ok);
  EXPECT_EQ(decoded->pid, 77);
  EXPECT_EQ(decoded->kind, ErrorKind::kBootFailed);
  EXPECT_EQ(decoded->message, "kernel panic\nsecond line");
}

TEST(StartupStatus, EveryErrorKindSurvives) {
  for (int i = 0; i <= static_cast<int>(ErrorKind::kUnsupported); ++i) {
    ErrorKind kind = static_cast<ErrorKind>(i);
    Result<StartupStatus> decoded =
        decode_startup_status(encode_startup_status({.ok = false, .pid = 1, .kind = kind}));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->kind, kind) << error_kind_name(kind);
  }
}

TEST(StartupStatus, NonUtf8MessageIsEncodedWithReplacement) {
  std::string line;
  ASSERT_NO_THROW(line = encode_startup_status(
                      {.ok = false, .pid = 1, .kind = ErrorKind::kIo, .message = "bad \xff byte"}));
  Result<StartupStatus> decoded = decode_startup_status(line);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->message, "bad \xEF\xBF\xBD byte");
}

TEST(StartupStatus, TextThatIsNotAJsonObjectIsAProtocolError) {
  for (std::string_view text : {"", "garbage", "{\"ok\":", "[1,2]", "42", "\"ok\"", "null"}) {
    Result<StartupStatus> decoded = decode_startup_status(text);
    ASSERT_FALSE(decoded.has_value()) << text;
    EXPECT_EQ(decoded.error().kind, ErrorKind::kProtocol) << text;
  }
}

TEST(StartupStatus, MissingOrMistypedFieldsTakeDefaults) {
  Result<StartupStatus> empty = decode_startup_status("{}");
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->ok);
  EXPECT_EQ(empty->pid, 0);
  EXPECT_EQ(empty->kind, ErrorKind::kInternal);
  EXPECT_EQ(empty->message, "");

  Result<StartupStatus> mistyped =
      decode_startup_status(R"({"ok":"yes","pid":"12","kind":3,"message":["x"]})");
  ASSERT_TRUE(mistyped.has_value());
  EXPECT_FALSE(mistyped->ok);
  EXPECT_EQ(mistyped->pid, 0);
  EXPECT_EQ(mistyped->kind, ErrorKind::kInternal);
  EXPECT_EQ(mistyped->message, "");

  Result<StartupStatus> fractional = decode_startup_status(R"({"ok":true,"pid":1.5})");
  ASSERT_TRUE(fractional.has_value());
  EXPECT_TRUE(fractional->ok);
  EXPECT_EQ(fractional->pid, 0);
}

TEST(StartupStatus, UnknownKindBecomesInternal) {
  Result<StartupStatus> decoded =
      decode_startup_status(R"({"ok":false,"pid":5,"kind":"no-such-kind","message":"m"})");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->kind, ErrorKind::kInternal);
  EXPECT_EQ(decoded->message, "m");
}

TEST(SupervisorRecord, RoundTrips) {
  SupervisorRecord record{.pid = 4321,
                          .pid_start_time = 123456789012ull,
                          .engine_pid = 4322,
                          .engine_start_time = (1ull << 40) + 5};
  std::string text = encode_supervisor_record(record);
  EXPECT_EQ(text.back(), '\n');
  Result<SupervisorRecord> decoded = decode_supervisor_record(text);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->pid, 4321);
  EXPECT_EQ(decoded->pid_start_time, 123456789012ull);
  EXPECT_EQ(decoded->engine_pid, 4322);
  EXPECT_EQ(decoded->engine_start_time, (1ull << 40) + 5);
}

TEST(SupervisorRecord, GarbageIsAProtocolErrorAndMissingFieldsAreZero) {
  Result<SupervisorRecord> garbage = decode_supervisor_record("not json");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().kind, ErrorKind::kProtocol);

  Result<SupervisorRecord> partial = decode_supervisor_record(R"({"pid":9,"engine_pid":"x"})");
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->pid, 9);
  EXPECT_EQ(partial->pid_start_time, 0u);
  EXPECT_EQ(partial->engine_pid, 0);
  EXPECT_EQ(partial->engine_start_time, 0u);
}

}  // namespace
}  // namespace msb::runtime
