#include <gtest/gtest.h>

#include "net/dns_message.h"
#include "test_dns.h"

namespace msb::net {
namespace {

using test::Bytes;

DnsQuery query_for(std::string_view name, uint16_t type, uint16_t flags = 0x0100) {
  return DnsQuery{0xbeef, flags, DnsQuestion{std::string(name), type, kDnsClassIn}};
}

TEST(DnsBuild, ErrorEchoesTheQuestionWithTheRcode) {
  for (uint8_t rcode : {kDnsServFail, kDnsNxDomain, kDnsRefused}) {
    const Bytes reply = build_dns_error(query_for("blocked.example", kDnsTypeA), rcode);
    EXPECT_EQ(reply, test::join({test::dns_header(0xbeef, uint16_t(0x8180 | rcode), 1, 0),
                                 test::dns_question(test::dns_name("blocked.example"), 1)}));
    Result<DnsResponse> parsed = parse_dns_response(reply);
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_EQ(parsed->rcode, rcode);
    EXPECT_EQ(parsed->question.name, "blocked.example");
  }
}

TEST(DnsBuild, ErrorCopiesRecursionDesiredOnly) {
  const Bytes reply = build_dns_error(query_for("x.example", kDnsTypeA, 0x0010), kDnsRefused);
  EXPECT_EQ(reply[2], 0x80);  // QR; no RD, CD not copied
  EXPECT_EQ(reply[3], 0x80 | kDnsRefused);
}

TEST(DnsBuild, ErrorLeavesOutAQuestionItCannotWrite) {
  const Bytes reply = build_dns_error(query_for("a..b", kDnsTypeA), kDnsServFail);
  EXPECT_EQ(reply, test::dns_header(0xbeef, 0x8182, 0, 0));
}

TEST(DnsBuild, ResponseRoundTripsThroughTheParser) {
  const std::vector<DnsAnswerRecord> answers = {
      {"www.example.com", kDnsTypeCNAME, 300, {}, "edge.example.net"},
      {"edge.example.net", kDnsTypeA, 60, test::ip("192.0.2.7"), ""},
      {"edge.example.net", kDnsTypeAAAA, 60, test::ip("2001:db8::7"), ""},
  };
  Result<Bytes> reply = build_dns_response(query_for("www.example.com", kDnsTypeA), answers);
  ASSERT_TRUE(reply) << reply.error().to_string();
  Result<DnsResponse> parsed = parse_dns_response(*reply);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->id, 0xbeef);
  EXPECT_EQ(parsed->rcode, 0);
  ASSERT_EQ(parsed->answers.size(), 3u);
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(parsed->answers[i].name, answers[i].name);
    EXPECT_EQ(parsed->answers[i].type, answers[i].type);
    EXPECT_EQ(parsed->answers[i].ttl, answers[i].ttl);
    EXPECT_EQ(parsed->answers[i].address, answers[i].address);
    EXPECT_EQ(parsed->answers[i].target, answers[i].target);
  }
}

TEST(DnsBuild, ResponseRefusesRecordsItCannotWrite) {
  const DnsQuery query = query_for("x.example", kDnsTypeA);
  for (const DnsAnswerRecord& record : {
           DnsAnswerRecord{"x.example", kDnsTypeA, 1, test::ip("2001:db8::1"), ""},
           DnsAnswerRecord{"x.example", kDnsTypeAAAA, 1, test::ip("192.0.2.1"), ""},
           DnsAnswerRecord{"x.example", 16, 1, {}, ""},
           DnsAnswerRecord{"x..example", kDnsTypeA, 1, test::ip("192.0.2.1"), ""},
           DnsAnswerRecord{"x.example", kDnsTypeCNAME, 1, {}, std::string(64, 'y')},
       }) {
    Result<Bytes> reply = build_dns_response(query, {record});
    ASSERT_FALSE(reply) << record.name << " " << record.type;
    EXPECT_EQ(reply.error().kind, ErrorKind::kInvalidArgument);
  }
}

}  // namespace
}  // namespace msb::net
