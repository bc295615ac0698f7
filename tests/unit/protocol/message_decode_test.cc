// decode_body (CborReader) against decode_body_json (nlohmann-json), the decoder it
// replaced: the same messages from the same bodies, the same verdicts on random
// mutations of valid frames, and only the documented differences where they disagree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "message_samples.h"
#include "protocol/frame.h"
#include "protocol/json_decode.h"
#include "protocol/messages.h"

namespace msb::protocol {
namespace {

using nlohmann::json;
using Decoded = tl::expected<Message, CoreError>;

std::string cbor(const json& value) {
  std::vector<uint8_t> bytes = json::to_cbor(value);
  return std::string(bytes.begin(), bytes.end());
}

std::string body_of(const Message& message) {
  Result<std::string> frame = encode_message(1, 0, message);
  EXPECT_TRUE(frame.has_value());
  return frame ? frame->substr(kHeaderBytes) : "";
}

// Two decoded messages are the same when they encode the same (nlohmann writes map keys
// in order, so the encoding is canonical).
bool same_message(const Message& a, const Message& b) {
  return a.index() == b.index() && body_of(a) == body_of(b);
}

// Where the new decoder is stricter than nlohmann on purpose (see message_decode.cc and
// cbor_reader.h); everything else must get the same verdict from both.
bool stricter_by_design(const CoreError& error) {
  for (const char* reason : {"indefinite lengths", "out of range", "got a float", "got a boolean"})
    if (error.message.find(reason) != std::string::npos) return true;
  return false;
}

template <class T>
class DecodeAgainstJson : public ::testing::Test {};
TYPED_TEST_SUITE(DecodeAgainstJson, AllMessages);

TYPED_TEST(DecodeAgainstJson, SampleAndDefaultMessagesDecodeTheSameThroughBoth) {
  if constexpr (!std::is_same_v<TypeParam, std::monostate>) {
    TypeParam sample;
    fill(sample);
    for (const TypeParam& sent : {sample, TypeParam{}}) {
      std::string body = body_of(sent);
      Decoded fresh = decode_body(body);
      Decoded json = decode_body_json(body);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
      ASSERT_TRUE(json.has_value()) << json.error().message;
      expect_same(std::get<TypeParam>(*fresh), sent);
      expect_same(std::get<TypeParam>(*fresh), std::get<TypeParam>(*json));
    }
  }
}

TEST(DecodeAgainstJson, LastOfDuplicateKeysWinsInBoth) {
  // {"p": {"signal": "x", "signal": 9}, "t": "exec.signal", "t": "exec.signal"} by hand:
  // a DOM keeps the last value, so the first, ill-typed one must not matter.
  std::string body =
      "\xa3\x61p\xa2\x66signal\x61x\x66signal\x09"
      "\x61t\x60\x61t\x6b"
      "exec.signal";
  Decoded fresh = decode_body(body);
  Decoded json = decode_body_json(body);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ(std::get<ExecSignal>(*fresh).signal, 9);
  EXPECT_EQ(std::get<ExecSignal>(*json).signal, 9);
}

TEST(DecodeAgainstJson, IntegersThatDoNotFitAreRejectedNotWrapped) {
  std::vector<json> bodies = {
      {{"t", "exec.resize"}, {"p", {{"rows", uint64_t{1} << 32}}}},    // uint32
      {{"t", "exec.resize"}, {"p", {{"rows", -1}}}},                   // uint32
      {{"t", "exec.signal"}, {"p", {{"signal", int64_t{1} << 31}}}},   // int32
      {{"t", "exec.started"}, {"p", {{"pid", uint64_t{1} << 63}}}},    // int64
      {{"t", "fs.done"}, {"p", {{"bytes", -5}}}},                      // uint64
      {{"t", "core.ready"}, {"p", {{"init_steps_ns", {{"x", -1}}}}}},  // map of uint64
  };
  for (const json& body : bodies) {
    EXPECT_TRUE(decode_body_json(cbor(body)).has_value()) << "nlohmann wraps " << body.dump();
    Decoded fresh = decode_body(cbor(body));
    ASSERT_FALSE(fresh.has_value()) << body.dump();
    EXPECT_EQ(fresh.error().kind, "invalid-payload");
    EXPECT_NE(fresh.error().message.find("out of range"), std::string::npos)
        << fresh.error().message;
  }
  Decoded lowest = decode_body(cbor({{"t", "exec.signal"}, {"p", {{"signal", INT32_MIN}}}}));
  ASSERT_TRUE(lowest.has_value());
  EXPECT_EQ(std::get<ExecSignal>(*lowest).signal, INT32_MIN);
}

TEST(DecodeAgainstJson, FloatsAndBooleansAreNotIntegers) {
  for (const json& value : {json(15.0), json(true)}) {
    std::string body = cbor({{"t", "exec.signal"}, {"p", {{"signal", value}}}});
    EXPECT_TRUE(decode_body_json(body).has_value()) << "nlohmann converts " << value.dump();
    Decoded fresh = decode_body(body);
    ASSERT_FALSE(fresh.has_value());
    EXPECT_EQ(fresh.error().kind, "invalid-payload");
    EXPECT_EQ(fresh.error().offending_type, "exec.signal");
    EXPECT_NE(fresh.error().message.find("field 'signal': expected an integer"), std::string::npos)
        << fresh.error().message;
  }
}

TEST(DecodeAgainstJson, IndefiniteLengthBodiesAreMalformed) {
  // {_ "t": "core.ping"}: nlohmann reads it; our encoder never writes one.
  std::string body =
      "\xbf\x61t\x69"
      "core.ping\xff";
  EXPECT_TRUE(decode_body_json(body).has_value());
  Decoded fresh = decode_body(body);
  ASSERT_FALSE(fresh.has_value());
  EXPECT_EQ(fresh.error().kind, "malformed");
  EXPECT_NE(fresh.error().message.find("indefinite lengths"), std::string::npos);
}

TEST(DecodeAgainstJson, ErrorsSayWhereAndWhat) {
  Decoded bad = decode_body(cbor({{"t", "exec.request"}, {"p", {{"args", {"ls", 7}}}}}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "bad payload for exec.request: field 'args': expected a text string, got an unsigned "
            "integer");
  Decoded cut = decode_body(cbor({{"t", "exec.stdout"}, {"p", {{"data", "x"}}}}).substr(0, 9));
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().kind, "malformed");
  EXPECT_NE(cut.error().message.find("CBOR at byte"), std::string::npos) << cut.error().message;
}

// One random change to a valid body: a byte flipped, replaced by a byte that means
// something to CBOR, inserted or removed, or the body cut short.
std::string mutate(std::string body, std::mt19937_64& random) {
  static constexpr uint8_t kInteresting[] = {
      0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x38, 0x3b, 0x40, 0x5b, 0x5f, 0x60, 0x7b,
      0x7f, 0x80, 0x9b, 0x9f, 0xa0, 0xbb, 0xbf, 0xc0, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfb, 0xff};
  if (body.empty()) return body;
  size_t at = random() % body.size();
  switch (random() % 5) {
    case 0:
      body[at] = static_cast<char>(body[at] ^ (1 << (random() % 8)));
      break;
    case 1:
      body[at] = static_cast<char>(kInteresting[random() % std::size(kInteresting)]);
      break;
    case 2:
      body.insert(body.begin() + at, static_cast<char>(random()));
      break;
    case 3:
      body.erase(at, 1);
      break;
    default:
      body.resize(at);
  }
  return body;
}

TEST(DecodeAgainstJson, RandomMutationsOfValidFramesGetTheSameVerdict) {
  std::vector<std::string> seeds;
  auto add_seeds = [&]<class T>(T*) {
    T sample;
    fill(sample);
    seeds.push_back(body_of(sample));
    seeds.push_back(body_of(T{}));
  };
#define MSB_MESSAGE(Type, wire, fields) add_seeds(static_cast<Type*>(nullptr));
#include "protocol/messages.def"
#undef MSB_MESSAGE
  std::mt19937_64 random(20261129);
  size_t accepted = 0, stricter = 0;
  for (int round = 0; round < 40'000; ++round) {
    std::string body = seeds[random() % seeds.size()];
    for (int changes = 1 + random() % 3; changes > 0; --changes) body = mutate(body, random);
    Decoded fresh = decode_body(body);
    Decoded json = decode_body_json(body);
    if (fresh && json) {
      ++accepted;
      ASSERT_TRUE(same_message(*fresh, *json)) << "round " << round;
    } else if (!fresh && json) {
      ++stricter;
      ASSERT_TRUE(stricter_by_design(fresh.error()))
          << "round " << round << ": only the new "
          << "decoder rejects: " << fresh.error().message;
    } else if (fresh && !json) {
      FAIL() << "round " << round << ": only nlohmann rejects: " << json.error().message;
    } else if (fresh.error().kind != json.error().kind) {
      ASSERT_TRUE(stricter_by_design(fresh.error()))
          << "round " << round << ": " << fresh.error().kind << " (" << fresh.error().message
          << ") vs " << json.error().kind << " (" << json.error().message << ")";
    }
  }
  RecordProperty("accepted_by_both", static_cast<int>(accepted));
  RecordProperty("rejected_only_by_design", static_cast<int>(stricter));
  // The mutations must reach both outcomes, or the test proves little.
  EXPECT_GT(accepted, 1'000u);
  EXPECT_LT(stricter, 4'000u);
}

}  // namespace
}  // namespace msb::protocol
