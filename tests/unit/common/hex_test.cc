#include "common/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace msb {
namespace {

using namespace std::string_literals;

std::string decoded(std::string_view text) {
  Result<std::string> bytes = hex_decode(text);
  return bytes ? *bytes : "<error: " + bytes.error().message + ">";
}

TEST(Hex, EncodesEachByteAsTwoLowercaseDigits) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("box"), "626f78");
  EXPECT_EQ(hex_encode("a init=/bin/sh"), "6120696e69743d2f62696e2f7368");
  EXPECT_EQ(hex_encode("\x00\x0a\x7f\x80\xff"s), "000a7f80ff");
}

TEST(Hex, EncodingIsOnlyDigitsAndLowercaseLetters) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  std::string text = hex_encode(every_byte);
  ASSERT_EQ(text.size(), 512u);
  for (char c : text) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
}

TEST(Hex, EveryByteRoundTrips) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  for (const std::string& bytes :
       {every_byte, ""s, "x"s, "a b=c \"d\" 'e'\nf\tg\\h"s, std::string(64, '\xff')}) {
    EXPECT_EQ(decoded(hex_encode(bytes)), bytes);
  }
}

TEST(Hex, DecodesLowercaseDigits) {
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("626f78"), "box");
  EXPECT_EQ(decoded("00ff"), "\x00\xff"s);
}

TEST(Hex, RejectsAnOddLength) {
  for (std::string_view text : {"6", "626", "626f7"}) {
    Result<std::string> bytes = hex_decode(text);
    ASSERT_FALSE(bytes.has_value()) << text;
    EXPECT_EQ(bytes.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(bytes.error().message,
              "hex text has an odd length (" + std::to_string(text.size()) + ")");
  }
}

TEST(Hex, RejectsAnythingButLowercaseHexDigits) {
  // Upper case, letters past f, signs, whitespace, NUL, bytes over 0x7f, the '=' and quotes
  // of an injection attempt: one canonical spelling per value, nothing else.
  for (std::string text :
       {"6F"s, "AA"s, "0g"s, "g0"s, "+1"s, "-1"s, " 1"s, "1 "s, "0x"s, "\x00\x00"s, "\xff\xff"s,
        "a="s, "\"a"s, "6120696e69743d2f62696e2f73 8"s}) {
    Result<std::string> bytes = hex_decode(text);
    ASSERT_FALSE(bytes.has_value()) << text;
    EXPECT_EQ(bytes.error().kind, ErrorKind::kInvalidArgument) << text;
  }
  EXPECT_EQ(hex_decode("0a0G").error().message,
            "hex text has a character other than 0-9 a-f at offset 3");
  EXPECT_EQ(hex_decode("0aZ0").error().message,
            "hex text has a character other than 0-9 a-f at offset 2");
}

}  // namespace
}  // namespace msb
