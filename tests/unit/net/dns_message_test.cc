#include "net/dns_message.h"

#include <gtest/gtest.h>

#include <random>

#include "test_dns.h"

namespace msb::net {
namespace {

using test::Bytes;
using test::join;

constexpr uint16_t kResponseFlags = 0x8180;  // QR, RD, RA, NOERROR

template <class T>
void expect_protocol_error(const Result<T>& result, std::string_view what) {
  ASSERT_FALSE(result.has_value()) << what;
  EXPECT_EQ(result.error().kind, ErrorKind::kProtocol) << what;
}

TEST(DnsQueryParse, ReadsTheQuestion) {
  Result<DnsQuery> query = parse_dns_query(test::dns_query("WWW.Example.com", kDnsTypeAAAA, 77));
  ASSERT_TRUE(query) << query.error().to_string();
  EXPECT_EQ(query->id, 77);
  EXPECT_EQ(query->flags, 0x0100);
  EXPECT_EQ(query->question.name, "www.example.com");
  EXPECT_EQ(query->question.type, kDnsTypeAAAA);
  EXPECT_EQ(query->question.klass, kDnsClassIn);
}

TEST(DnsQueryParse, IgnoresAnEdnsRecordAfterTheQuestion) {
  const Bytes query = join({test::dns_header(1, 0x0100, 1, 0, 0, 1),
                            test::dns_question(test::dns_name("example.com"), kDnsTypeA),
                            test::dns_record(Bytes{0}, 41, 0, {}, 1232)});
  EXPECT_EQ(parse_dns_query(query)->question.name, "example.com");
}

TEST(DnsQueryParse, RefusesWhatIsNotOneStandardQuery) {
  const Bytes question = test::dns_question(test::dns_name("example.com"), kDnsTypeA);
  expect_protocol_error(parse_dns_query(join({test::dns_header(1, 0x8100, 1, 0), question})),
                        "QR set");
  expect_protocol_error(parse_dns_query(join({test::dns_header(1, 0x2800, 1, 0), question})),
                        "opcode 5 (UPDATE)");
  expect_protocol_error(parse_dns_query(test::dns_header(1, 0x0100, 0, 0)), "no question");
  expect_protocol_error(
      parse_dns_query(join({test::dns_header(1, 0x0100, 2, 0), question, question})),
      "two questions");
  expect_protocol_error(parse_dns_query(Bytes(11, 0)), "short header");
  const Bytes query = test::dns_query("example.com", kDnsTypeA);
  for (size_t size = 12; size < query.size(); ++size)
    expect_protocol_error(parse_dns_query(Bytes(query.begin(), query.begin() + ptrdiff_t(size))),
                          "truncated");
  expect_protocol_error(parse_dns_query(join({test::dns_header(1, 0x0100, 1, 0),
                                              test::dns_question(Bytes{3, 'a', '.', 'b', 0}, 1)})),
                        "dot in a label");
}

// example.com A? → www CNAME chain with compression: the question at 12, answers pointing
// back at it and at the CNAME target.
Bytes compressed_response() {
  const Bytes question = test::dns_question(test::dns_name("www.example.com"), kDnsTypeA);
  const Bytes cname = test::dns_record(test::dns_pointer(12), kDnsTypeCNAME, 300,
                                       join({test::dns_labels("edge"), test::dns_pointer(16)}));
  // The CNAME's data starts at 12 + 21 + 12 = 45: "edge" → example.com.
  const Bytes a = test::dns_record(test::dns_pointer(45), kDnsTypeA, 60, Bytes{93, 184, 216, 34});
  const Bytes aaaa =
      test::dns_record(test::dns_pointer(45), kDnsTypeAAAA, 0x80000001,
                       Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  const Bytes mx =
      test::dns_record(test::dns_pointer(16), 15, 60,
                       join({Bytes{0, 10}, test::dns_labels("mx"), test::dns_pointer(16)}));
  const Bytes chaos_a = test::dns_record(test::dns_pointer(12), kDnsTypeA, 60, Bytes(4, 1), 3);
  return join(
      {test::dns_header(0x4242, kResponseFlags, 1, 5), question, cname, a, aaaa, mx, chaos_a});
}

TEST(DnsResponseParse, ReadsAnswersThroughCompressionPointers) {
  Result<DnsResponse> response = parse_dns_response(compressed_response());
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->id, 0x4242);
  EXPECT_EQ(response->flags, kResponseFlags);
  EXPECT_EQ(response->rcode, 0);
  EXPECT_EQ(response->question.name, "www.example.com");
  ASSERT_EQ(response->answers.size(), 3u);  // the MX and the CHAOS-class A are skipped
  EXPECT_EQ(response->answers[0].type, kDnsTypeCNAME);
  EXPECT_EQ(response->answers[0].name, "www.example.com");
  EXPECT_EQ(response->answers[0].target, "edge.example.com");
  EXPECT_EQ(response->answers[0].ttl, 300u);
  EXPECT_EQ(response->answers[1].name, "edge.example.com");
  EXPECT_EQ(response->answers[1].address, test::ip("93.184.216.34"));
  EXPECT_EQ(response->answers[2].address, test::ip("2001:db8::1"));
  EXPECT_EQ(response->answers[2].ttl, 0u);  // top bit set reads as 0
}

TEST(DnsResponseParse, ReadsTheRcode) {
  const Bytes nxdomain = join({test::dns_header(7, 0x8183, 1, 0),
                               test::dns_question(test::dns_name("nope.example"), kDnsTypeA)});
  Result<DnsResponse> response = parse_dns_response(nxdomain);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->rcode, kDnsNxDomain);
  EXPECT_TRUE(response->answers.empty());
}

TEST(DnsResponseParse, RefusesBrokenResponses) {
  const Bytes question = test::dns_question(test::dns_name("example.com"), kDnsTypeA);
  const Bytes a = test::dns_record(test::dns_pointer(12), kDnsTypeA, 60, Bytes(4, 9));
  auto response = [&](uint16_t answers, std::initializer_list<Bytes> records,
                      uint16_t flags = kResponseFlags) {
    Bytes message = join({test::dns_header(1, flags, 1, answers), question});
    for (const Bytes& record : records) message = join({message, record});
    return message;
  };
  EXPECT_TRUE(parse_dns_response(response(1, {a})));
  expect_protocol_error(parse_dns_response(response(1, {a}, 0x0100)), "QR clear");
  expect_protocol_error(parse_dns_response(response(2, {a})), "ANCOUNT past the records");
  Bytes extra = response(1, {a});
  extra[9] = 1;  // NSCOUNT 1 with no authority record
  expect_protocol_error(parse_dns_response(extra), "NSCOUNT past the records");
  Bytes no_question = response(1, {a});
  no_question[5] = 0;
  expect_protocol_error(parse_dns_response(no_question), "QDCOUNT 0");
  expect_protocol_error(
      parse_dns_response(
          response(1, {test::dns_record(test::dns_pointer(12), kDnsTypeA, 60, Bytes(5, 9))})),
      "5-byte A");
  expect_protocol_error(
      parse_dns_response(
          response(1, {test::dns_record(test::dns_pointer(12), kDnsTypeAAAA, 60, Bytes(4, 9))})),
      "4-byte AAAA");
  expect_protocol_error(
      parse_dns_response(response(1, {test::dns_record(test::dns_pointer(12), kDnsTypeCNAME, 60,
                                                       join({test::dns_name("x"), Bytes{1}}))})),
      "CNAME data longer than its name");
  expect_protocol_error(
      parse_dns_response(
          response(1, {test::dns_record(test::dns_pointer(29), kDnsTypeA, 60, Bytes(4, 9))})),
      "owner pointing at itself");
  Bytes forward = response(1, {a});
  forward[30] = 33;  // the owner pointer now aims past itself, into the record
  expect_protocol_error(parse_dns_response(forward), "owner pointing forward");
  Bytes record_cut = response(1, {a});
  record_cut[29 + 2 + 8] = 0;
  record_cut[29 + 2 + 9] = 200;
  expect_protocol_error(parse_dns_response(record_cut), "data length past the message");
}

TEST(DnsResponseParse, EveryTruncationFailsCleanly) {
  const Bytes message = compressed_response();
  for (size_t size = 0; size < message.size(); ++size) {
    const Bytes prefix(message.begin(), message.begin() + ptrdiff_t(size));
    expect_protocol_error(parse_dns_response(prefix), "truncated");
  }
}

TEST(DnsResponseParse, GarbageNeverCrashes) {
  std::mt19937 random(1035);
  const Bytes sample = compressed_response();
  for (int round = 0; round < 4000; ++round) {
    Bytes message = sample;
    if (round % 2 == 0) {
      message.resize(random() % 160);
      for (uint8_t& byte : message) byte = uint8_t(random());
      if (message.size() >= 12) message[4] = 0, message[5] = 1;  // QDCOUNT 1, to go further
    } else {
      for (int flips = 1 + int(random() % 4); flips > 0; --flips)
        message[random() % message.size()] = uint8_t(random());
    }
    (void)parse_dns_response(message);
    (void)parse_dns_query(message);
    // Whatever the filter lets through must itself parse.
    Result<Bytes> filtered =
        filter_dns_answers(message, [&](const DnsAnswerRecord&) { return random() % 2 == 0; });
    if (filtered) {
      EXPECT_TRUE(parse_dns_response(*filtered)) << round;
    }
  }
}

}  // namespace
}  // namespace msb::net
