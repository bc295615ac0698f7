#include "protocol/cbor_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace msb::protocol {
namespace {

using nlohmann::json;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

std::string cbor(const json& value) {
  std::vector<uint8_t> encoded = json::to_cbor(value);
  return std::string(encoded.begin(), encoded.end());
}

std::string check_error(std::string_view body) {
  Result<void> checked = check_cbor(body);
  EXPECT_FALSE(checked.has_value()) << "accepted " << body.size() << " bytes";
  if (checked) return "";
  EXPECT_EQ(checked.error().kind, ErrorKind::kProtocol);
  return checked.error().message;
}

TEST(CborReader, ReadsIntegerHeadsOfEveryWidthIncludingNonMinimalOnes) {
  struct Case {
    std::string encoded;
    CborMajor major;
    uint64_t argument;
  };
  std::vector<Case> cases = {
      {bytes({0x17}), CborMajor::kUnsigned, 23},
      {bytes({0x18, 0xff}), CborMajor::kUnsigned, 255},
      {bytes({0x19, 0x01, 0x00}), CborMajor::kUnsigned, 256},
      {bytes({0x1a, 0xee, 0x6b, 0x28, 0x00}), CborMajor::kUnsigned, 4'000'000'000u},
      {bytes({0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), CborMajor::kUnsigned,
       UINT64_MAX},
      {bytes({0x18, 0x05}), CborMajor::kUnsigned, 5},  // not minimal, still valid
      {bytes({0x20}), CborMajor::kNegative, 0},        // -1
      {bytes({0x39, 0x01, 0xf3}), CborMajor::kNegative, 499},
  };
  for (const Case& c : cases) {
    CborReader reader(c.encoded);
    Result<CborHead> head = reader.read_head();
    ASSERT_TRUE(head.has_value()) << head.error().message;
    EXPECT_EQ(head->major, c.major);
    EXPECT_EQ(head->argument, c.argument);
    EXPECT_TRUE(reader.at_end());
    EXPECT_TRUE(check_cbor(c.encoded).has_value());
  }
}

TEST(CborReader, ReadsStringsAsViewsIntoTheInput) {
  std::string encoded = cbor(json::array({"héllo", json::binary({0, 1, 0xff}), true, false}));
  CborReader reader(encoded);
  ASSERT_EQ(reader.read_array_size().value_or(0), 4u);
  Result<std::string_view> text = reader.read_text();
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "héllo");
  EXPECT_GE(text->data(), encoded.data());
  EXPECT_EQ(reader.read_bytes().value_or(""), bytes({0, 1, 0xff}));
  EXPECT_EQ(reader.read_bool().value_or(false), true);
  EXPECT_EQ(reader.read_bool().value_or(true), false);
  EXPECT_TRUE(reader.at_end());
}

TEST(CborReader, ReadItemReturnsTheWholeEncodedItem) {
  json nested = {{"args", {"a", "b"}}, {"n", -7}, {"z", nullptr}};
  std::string item = cbor(nested);
  std::string encoded = cbor(json::array({nested, 1}));
  CborReader reader(encoded);
  ASSERT_TRUE(reader.read_array_size().has_value());
  Result<std::string_view> skipped = reader.read_item(1);
  ASSERT_TRUE(skipped.has_value()) << skipped.error().message;
  EXPECT_EQ(*skipped, item);
  EXPECT_EQ(reader.read_head().value_or(CborHead{}).argument, 1u);
}

TEST(CborReader, TypeMismatchesNameWhatWasFound) {
  std::string encoded = cbor(5);
  CborReader reader(encoded);
  Result<std::string_view> text = reader.read_text();
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().message, "expected a text string, got an unsigned integer");
  EXPECT_EQ(reader.offset(), 0u) << "a failed read consumes nothing";
  std::string flag = cbor(nullptr);
  EXPECT_EQ(CborReader(flag).read_bool().error().message, "expected a boolean, got null");
}

TEST(CborReader, AcceptsFloatsAndNullWhereAnyItemMayBe) {
  for (const std::string& body :
       {bytes({0xf9, 0x3c, 0x00}), bytes({0xfa, 0x3f, 0x80, 0, 0}), cbor(1.5), cbor(nullptr)}) {
    EXPECT_TRUE(check_cbor(body).has_value());
  }
}

TEST(CborReader, RejectsIndefiniteLengths) {
  for (int initial : {0x5f, 0x7f, 0x9f, 0xbf}) {
    std::string body = bytes({initial, 0xff});
    EXPECT_NE(check_error(body).find("indefinite lengths are not supported"), std::string::npos)
        << std::hex << initial;
  }
}

TEST(CborReader, RejectsTagsReservedEncodingsAndOtherSimpleValues) {
  EXPECT_NE(check_error(bytes({0xc1, 0x00})).find("tags"), std::string::npos);
  for (int initial : {0x1c, 0x1d, 0x1e, 0x3c, 0x5c, 0x9c})
    EXPECT_NE(check_error(bytes({initial, 0})).find("reserved"), std::string::npos);
  for (int initial : {0x1f, 0x3f, 0xff})
    EXPECT_NE(check_error(bytes({initial})).find("break or reserved"), std::string::npos);
  for (int initial : {0xe0, 0xf3, 0xf7, 0xf8})  // simple values, undefined
    EXPECT_NE(check_error(bytes({initial, 0})).find("unsupported simple"), std::string::npos);
}

TEST(CborReader, RejectsLengthsBeyondTheInputBeforeTrustingThem) {
  std::vector<std::string> bodies = {
      bytes({0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),  // bytes of 2^63-1
      bytes({0x7a, 0xff, 0xff, 0xff, 0xff}),                          // text of 4 GiB
      bytes({0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}),  // 2^64-2 items
      bytes({0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}),  // 2^64-2 pairs
      bytes({0x43, 'a', 'b'}),                                        // one byte short
      bytes({0x82, 0x01}),                                            // one item short
  };
  for (const std::string& body : bodies)
    EXPECT_NE(check_error(body).find("exceeds"), std::string::npos) << body.size();
}

TEST(CborReader, RejectsTruncationAtEveryCut) {
  std::string body = cbor({{"t", "fs.data"}, {"p", {{"data", json::binary({1, 2, 3})}}}});
  for (size_t cut = 0; cut < body.size(); ++cut) {
    std::string message = check_error(std::string_view(body).substr(0, cut));
    EXPECT_FALSE(message.empty()) << "cut at " << cut;
  }
  EXPECT_NE(check_error(bytes({0x19, 0x01})).find("truncated"), std::string::npos);
  EXPECT_NE(check_error("").find("truncated"), std::string::npos);
}

TEST(CborReader, RejectsTrailingBytes) {
  EXPECT_EQ(check_error(cbor(json::object()) + "x"), "CBOR at byte 1: 1 trailing bytes");
}

TEST(CborReader, RejectsMapKeysThatAreNotText) {
  EXPECT_NE(check_error(bytes({0xa1, 0x01, 0x02})).find("map key"), std::string::npos);
  EXPECT_NE(check_error(bytes({0xa1, 0x41, 'k', 0x02})).find("map key"), std::string::npos);
}

TEST(CborReader, NestsSixteenContainersButNotSeventeen) {
  std::string sixteen = std::string(15, '\x81') + bytes({0xa1, 0x61, 'k', 0x01});
  EXPECT_TRUE(check_cbor(sixteen).has_value());
  std::string seventeen = std::string(16, '\x81') + bytes({0xa1, 0x61, 'k', 0x01});
  EXPECT_NE(check_error(seventeen).find("nested deeper than 16"), std::string::npos);
}

TEST(CborReader, DepthBombsAreRefusedWithoutDeepRecursion) {
  EXPECT_FALSE(check_cbor(std::string(4'000'000, '\x81') + "\x01").has_value());
  EXPECT_FALSE(check_cbor(std::string(4'000'000, '\xa1')).has_value());
}

}  // namespace
}  // namespace msb::protocol
