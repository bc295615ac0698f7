#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "message_samples.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace msb::protocol {
namespace {

using nlohmann::json;

// Encodes, reads back through a FrameReader, and decodes.
Envelope round_trip(uint32_t id, uint8_t flags, const Message& message) {
  Result<std::string> frame = encode_message(id, flags, message);
  EXPECT_TRUE(frame.has_value()) << frame.error().message;
  FrameReader reader;
  reader.feed(*frame);
  std::optional<FrameReader::Item> item = reader.next();
  EXPECT_TRUE(item && item->frame) << "no frame decoded";
  EXPECT_FALSE(reader.mid_frame());
  tl::expected<Message, CoreError> decoded = decode_body(item->frame->body);
  EXPECT_TRUE(decoded.has_value()) << decoded.error().message;
  return Envelope{item->frame->id, item->frame->flags, decoded.value_or(Message())};
}

std::string cbor(const json& value) {
  std::vector<uint8_t> bytes = json::to_cbor(value);
  return std::string(bytes.begin(), bytes.end());
}

CoreError decode_error(std::string_view body) {
  tl::expected<Message, CoreError> decoded = decode_body(body);
  EXPECT_FALSE(decoded.has_value()) << "decoded as " << message_name(*decoded);
  return decoded ? CoreError{} : decoded.error();
}

template <class T>
class MessageRoundTrip : public ::testing::Test {};
TYPED_TEST_SUITE(MessageRoundTrip, AllMessages);

TYPED_TEST(MessageRoundTrip, PreservesIdFlagsAndEveryField) {
  if constexpr (std::is_same_v<TypeParam, std::monostate>) {
    // "No message" encodes as an empty map, which no peer accepts.
    Result<std::string> frame = encode_message(1, 0, Message(std::monostate{}));
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(decode_error(std::string_view(*frame).substr(kHeaderBytes)).kind, "malformed");
  } else {
    TypeParam sent;
    fill(sent);
    Envelope got = round_trip(0xA1B2C3D4, kFlagSessionStart | kFlagTerminal, sent);
    EXPECT_EQ(got.id, 0xA1B2C3D4u);
    EXPECT_EQ(got.flags, kFlagSessionStart | kFlagTerminal);
    ASSERT_TRUE(std::holds_alternative<TypeParam>(got.message)) << message_name(got.message);
    EXPECT_EQ(message_name(got.message), TypeParam::kWireName);
    expect_same(std::get<TypeParam>(got.message), sent);
  }
}

TYPED_TEST(MessageRoundTrip, DecodesMissingPayloadAsDefaults) {
  if constexpr (!std::is_same_v<TypeParam, std::monostate>) {
    tl::expected<Message, CoreError> decoded =
        decode_body(cbor({{"t", std::string(TypeParam::kWireName)}}));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    expect_same(std::get<TypeParam>(*decoded), TypeParam{});
  }
}

TEST(MessageNames, ListEveryMessageOnceInTableOrder) {
  std::vector<std::string_view> names = message_names();
  EXPECT_EQ(names.size(), std::variant_size_v<Message> - 1);
  EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names.front(), CoreReady::kWireName);
  for (std::string_view name : names) {
    size_t dot = name.find('.');
    EXPECT_TRUE(dot != std::string_view::npos && dot > 0 && dot + 1 < name.size()) << name;
  }
  EXPECT_EQ(message_name(Message(std::monostate{})), "");
  EXPECT_EQ(message_name(Message(ExecStdin{})), "exec.stdin");
}

TEST(MessageCodec, BinaryDataWithEveryByteValueSurvives) {
  std::string data = all_byte_values() + std::string(1, '\0');
  Envelope got = round_trip(3, 0, ExecStdin{Bytes{data}, true});
  ASSERT_TRUE(std::holds_alternative<ExecStdin>(got.message));
  EXPECT_TRUE(std::get<ExecStdin>(got.message).data.data == data);
  EXPECT_TRUE(std::get<ExecStdin>(got.message).eof);
}

TEST(MessageCodec, GarbageIsMalformed) {
  std::vector<std::string> bodies = {
      "",
      std::string("\xff\xff\xff\xff", 4),
      "hello, agent",
      std::string("\xa2\x61t", 3),                             // map cut short
      cbor({{"t", "core.ping"}}) + "x",                        // trailing bytes
      std::string("\x9b\xff\xff\xff\xff\xff\xff\xff\xfe", 9),  // array of 2^64-2 items
      std::string("\xbb\xff\xff\xff\xff\xff\xff\xff\xfe", 9),  // map of 2^64-2 pairs
      std::string("\x5b\x7f\xff\xff\xff\xff\xff\xff\xff", 9),  // byte string longer than body
      std::string(200'000, '\x81') + "\x01",  // nesting deep enough to smash a stack
      std::string(200'000, '\x9f'),           // same, indefinite length
      std::string("\xc1\x00", 2),             // tagged value
  };
  for (const std::string& body : bodies) {
    CoreError error = decode_error(body);
    EXPECT_EQ(error.kind, "malformed") << "body of " << body.size() << " bytes";
    EXPECT_FALSE(error.message.empty());
  }
}

TEST(MessageCodec, ValidCborThatIsNotAMapIsMalformed) {
  for (const json& value : {json("core.ping"), json::array({"core.ping", 1}), json(42), json()}) {
    EXPECT_EQ(decode_error(cbor(value)).kind, "malformed") << value.dump();
  }
}

TEST(MessageCodec, MissingOrNonStringTypeIsMalformed) {
  std::vector<json> bodies = {json::object(), json({{"p", json::object()}}), json({{"t", 5}}),
                              json({{"t", json::binary({'c', 'o'})}}),
                              json({{"type", "core.ping"}})};
  for (const json& body : bodies) {
    CoreError error = decode_error(cbor(body));
    EXPECT_EQ(error.kind, "malformed") << body.dump();
    EXPECT_EQ(error.offending_type, "");
  }
}

TEST(MessageCodec, UnknownTypeIsUnsupportedWithOffendingType) {
  CoreError error = decode_error(cbor({{"t", "exec.teleport"}, {"p", json::object()}}));
  EXPECT_EQ(error.kind, "unsupported-type");
  EXPECT_EQ(error.offending_type, "exec.teleport");
  EXPECT_NE(error.message.find("exec.teleport"), std::string::npos);
}

TEST(MessageCodec, WrongFieldTypesAreInvalidPayload) {
  struct Case {
    json body;
    const char* type;
  };
  std::vector<Case> cases = {
      {{{"t", "exec.request"}, {"p", {{"cmd", 5}}}}, "exec.request"},
      {{{"t", "exec.request"}, {"p", {{"args", "ls -l"}}}}, "exec.request"},
      {{{"t", "exec.request"}, {"p", {{"args", {1, 2}}}}}, "exec.request"},
      {{{"t", "exec.request"}, {"p", {{"stdin_pipe", "yes"}}}}, "exec.request"},
      {{{"t", "exec.stdout"}, {"p", {{"data", "text, not bytes"}}}}, "exec.stdout"},
      {{{"t", "core.ready"}, {"p", {{"protocol_version", "one"}}}}, "core.ready"},
      {{{"t", "core.ready"}, {"p", {{"init_steps_ns", {{"mounts", "slow"}}}}}}, "core.ready"},
      {{{"t", "exec.signal"}, {"p", {{"signal", json::array()}}}}, "exec.signal"},
      {{{"t", "exec.request"}, {"p", json::array({"cmd", "ls"})}}, "exec.request"},  // not a map
      {{{"t", "core.ping"}, {"p", 1}}, "core.ping"},
      {{{"t", "exec.request"}, {"p", {{"user", 1000}}}}, "exec.request"},
      {{{"t", "fs.stat"}, {"p", {{"path", json::binary({'/', 'x'})}}}}, "fs.stat"},
      {{{"t", "fs.stat_result"}, {"p", {{"exists", 1}}}}, "fs.stat_result"},
      {{{"t", "fs.error"}, {"p", {{"errno_value", "ENOENT"}}}}, "fs.error"},
  };
  for (const Case& c : cases) {
    CoreError error = decode_error(cbor(c.body));
    EXPECT_EQ(error.kind, "invalid-payload") << c.body.dump();
    EXPECT_EQ(error.offending_type, c.type) << c.body.dump();
  }
}

TEST(MessageCodec, IgnoresUnknownPayloadFields) {
  tl::expected<Message, CoreError> decoded =
      decode_body(cbor({{"t", "exec.signal"}, {"p", {{"signal", 15}, {"from_the_future", true}}}}));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(std::get<ExecSignal>(*decoded).signal, 15);
}

TEST(MessageCodec, ExecRequestWithoutUserRunsAsTheAgent) {
  // A host from before the field existed sends no "user": it must decode as "".
  tl::expected<Message, CoreError> decoded =
      decode_body(cbor({{"t", "exec.request"}, {"p", {{"cmd", "id"}, {"args", {"-u"}}}}}));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  const ExecRequest& request = std::get<ExecRequest>(*decoded);
  EXPECT_EQ(request.cmd, "id");
  EXPECT_EQ(request.user, "");
}

TEST(MessageCodec, FsMessagesUseTheirWireNamesAndFields) {
  Envelope got = round_trip(5, kFlagSessionStart, FsStat{"/etc/passwd"});
  ASSERT_TRUE(std::holds_alternative<FsStat>(got.message));
  EXPECT_EQ(std::get<FsStat>(got.message).path, "/etc/passwd");

  FsStatResult result{true, "symlink", 04755, 1ull << 40, -5, 65534, 4'000'000'000u};
  got = round_trip(5, kFlagTerminal, result);
  ASSERT_TRUE(std::holds_alternative<FsStatResult>(got.message));
  expect_same(std::get<FsStatResult>(got.message), result);
  EXPECT_EQ(got.flags, kFlagTerminal);

  got = round_trip(6, kFlagTerminal, FsError{"invalid-path", 0, "path 'x' is not absolute"});
  ASSERT_TRUE(std::holds_alternative<FsError>(got.message));
  EXPECT_EQ(std::get<FsError>(got.message).kind, "invalid-path");

  Result<std::string> frame = encode_message(7, 0, FsStatResult{});
  ASSERT_TRUE(frame.has_value());
  json body = json::from_cbor(frame->substr(kHeaderBytes));
  EXPECT_EQ(body["t"], "fs.stat_result");
  EXPECT_EQ(body["p"]["exists"], false);
  EXPECT_EQ(body["p"]["type"], "");
}

TEST(MessageCodec, EncodeRejectsMessageOverFrameLimit) {
  Result<std::string> frame =
      encode_message(1, 0, ExecStdout{Bytes{std::string(kMaxBodyBytes, 'x')}});
  ASSERT_FALSE(frame.has_value());
  EXPECT_EQ(frame.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(frame.error().message.find("exec.stdout"), std::string::npos);
}

TEST(MessageCodec, EncodesLargestMessageThatFits) {
  // CBOR overhead around the data is the same for any size from 64 KiB to 4 GiB.
  Result<std::string> probe = encode_message(1, 0, ExecStdout{Bytes{std::string(65536, 'x')}});
  ASSERT_TRUE(probe.has_value());
  size_t overhead = probe->size() - kHeaderBytes - 65536;
  size_t fits = kMaxBodyBytes - overhead;
  Result<std::string> frame = encode_message(1, 0, ExecStdout{Bytes{std::string(fits, 'x')}});
  ASSERT_TRUE(frame.has_value()) << frame.error().message;
  EXPECT_EQ(frame->size(), kHeaderBytes + kMaxBodyBytes);
  EXPECT_FALSE(encode_message(1, 0, ExecStdout{Bytes{std::string(fits + 1, 'x')}}).has_value());
}

}  // namespace
}  // namespace msb::protocol
