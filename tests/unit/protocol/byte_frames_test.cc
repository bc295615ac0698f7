#include "protocol/byte_frames.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/frame.h"

namespace msb::protocol {
namespace {

using nlohmann::json;

// The frame the general encoder (nlohmann-json) writes for a data message.
std::string general_frame(uint32_t id, uint8_t flags, std::string_view wire,
                          const std::string& data) {
  json body = json::object();
  body["t"] = wire;
  body["p"] = json::object();
  body["p"]["data"] = json::binary(std::vector<uint8_t>(data.begin(), data.end()));
  std::vector<uint8_t> cbor = json::to_cbor(body);
  std::string frame;
  append_frame(frame, id, flags,
               std::string_view(reinterpret_cast<const char*>(cbor.data()), cbor.size()));
  return frame;
}

std::string pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 131 + 7);
  return data;
}

class ByteFramesTest : public testing::TestWithParam<size_t> {};

// Every length class of a CBOR head: 0-23 inline, 1, 2 and 4 length bytes.
INSTANTIATE_TEST_SUITE_P(Sizes, ByteFramesTest,
                         testing::Values(0, 1, 23, 24, 255, 256, 65535, 65536, 1 << 20));

TEST_P(ByteFramesTest, SameBytesAsTheGeneralEncoderForEveryDataMessage) {
  std::string data = pattern(GetParam());
  struct Case {
    Message message;
    std::string_view wire;
  };
  std::vector<Case> cases = {{FsData{{data}}, FsData::kWireName},
                             {ExecStdout{{data}}, ExecStdout::kWireName},
                             {ExecStderr{{data}}, ExecStderr::kWireName}};
  for (const Case& c : cases) {
    std::optional<Result<std::string>> frame = encode_data_message(7, kFlagTerminal, c.message);
    ASSERT_TRUE(frame.has_value()) << c.wire;
    ASSERT_TRUE(frame->has_value()) << frame->error().message;
    EXPECT_EQ(**frame, general_frame(7, kFlagTerminal, c.wire, data)) << c.wire;
  }
}

TEST_P(ByteFramesTest, DecodesBackToTheMessage) {
  std::string data = pattern(GetParam());
  Result<std::string> frame = encode_message(3, 0, FsData{{data}});
  ASSERT_TRUE(frame) << frame.error().message;
  auto decoded = decode_body(std::string_view(*frame).substr(kHeaderBytes));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  const FsData* fs_data = std::get_if<FsData>(&*decoded);
  ASSERT_NE(fs_data, nullptr);
  EXPECT_EQ(fs_data->data.data, data);
}

TEST(ByteFramesLimits, OtherMessagesGoToTheGeneralEncoder) {
  EXPECT_FALSE(encode_data_message(1, 0, CorePing{}).has_value());
  EXPECT_FALSE(encode_data_message(1, 0, FsStat{"/etc", true}).has_value());
  // exec.stdin carries an eof flag next to its data.
  EXPECT_FALSE(encode_data_message(1, 0, ExecStdin{{"x"}, true}).has_value());
}

TEST(ByteFramesLimits, ABodyOverTheFrameLimitIsRefused) {
  std::string data(kMaxBodyBytes, 'x');
  std::optional<Result<std::string>> frame = encode_data_message(1, 0, FsData{{data}});
  ASSERT_TRUE(frame.has_value());
  ASSERT_FALSE(frame->has_value());
  EXPECT_EQ(frame->error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(frame->error().message.find("fs.data"), std::string::npos);
  // The largest data that fits still encodes.
  std::string fits(kMaxBodyBytes - 32, 'x');
  Result<std::string> ok = encode_message(1, 0, FsData{{fits}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_LE(ok->size(), kHeaderBytes + kMaxBodyBytes);
}

}  // namespace
}  // namespace msb::protocol
