#include <gtest/gtest.h>

#include "net/dns_message.h"
#include "net/ip_address.h"
#include "test_dns.h"

namespace msb::net {
namespace {

using test::Bytes;
using test::join;

constexpr uint16_t kFlagsWithAd = 0x81a0;  // QR, RD, RA, AD

bool is_public(const DnsAnswerRecord& record) {
  for (std::string_view block : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                                 "169.254.0.0/16", "fc00::/7", "::1/128"}) {
    if (Cidr::parse(block)->contains(record.address)) return false;
  }
  return true;
}

// www.example.com A? answered with a CNAME to edge.example.com, then `addresses` as A
// records of the CNAME target, an NS in authority, and glue plus OPT in additional: all
// compressed against the question.
Bytes upstream_response(const std::vector<Bytes>& addresses) {
  const Bytes question = test::dns_question(test::dns_name("www.example.com"), kDnsTypeA);
  Bytes answers = test::dns_record(test::dns_pointer(12), kDnsTypeCNAME, 300,
                                   join({test::dns_labels("edge"), test::dns_pointer(16)}));
  for (const Bytes& address : addresses) {
    const uint16_t type = address.size() == 4 ? kDnsTypeA : kDnsTypeAAAA;
    answers = join({answers, test::dns_record(test::dns_pointer(45), type, 60, address)});
  }
  const Bytes ns = test::dns_record(test::dns_pointer(16), 2, 3600,
                                    join({test::dns_labels("ns1"), test::dns_pointer(16)}));
  const Bytes glue =
      test::dns_record(test::dns_name("ns1.example.com"), kDnsTypeA, 3600, Bytes{10, 0, 0, 53});
  const Bytes opt = test::dns_record(Bytes{0}, 41, 0, {}, 1232);
  return join({test::dns_header(0x5151, kFlagsWithAd, 1, uint16_t(1 + addresses.size()), 1, 2),
               question, answers, ns, glue, opt});
}

DnsResponse parsed(const Result<Bytes>& message) {
  EXPECT_TRUE(message) << message.error().to_string();
  Result<DnsResponse> response = parse_dns_response(message.value_or(Bytes{}));
  EXPECT_TRUE(response) << response.error().to_string();
  return response.value_or(DnsResponse{});
}

uint16_t count_at(const Bytes& message, size_t offset) {
  return uint16_t(message[offset] << 8 | message[offset + 1]);
}

TEST(DnsFilter, RemovesAPrivateAddressAndKeepsTheCnameAndPublicOnes) {
  const Bytes upstream = upstream_response({{10, 1, 2, 3}, {93, 184, 216, 34}});
  Result<Bytes> filtered = filter_dns_answers(upstream, is_public);
  const DnsResponse response = parsed(filtered);
  EXPECT_EQ(response.id, 0x5151);
  EXPECT_EQ(response.rcode, kDnsNoError);
  EXPECT_EQ(response.flags & 0x0020, 0) << "AD cleared";
  EXPECT_EQ(response.question.name, "www.example.com");
  ASSERT_EQ(response.answers.size(), 2u);
  EXPECT_EQ(response.answers[0].type, kDnsTypeCNAME);
  EXPECT_EQ(response.answers[0].target, "edge.example.com");
  EXPECT_EQ(response.answers[1].name, "edge.example.com");
  EXPECT_EQ(response.answers[1].address, test::ip("93.184.216.34"));
  // Authority and glue dropped, OPT kept.
  EXPECT_EQ(count_at(*filtered, 6), 2);
  EXPECT_EQ(count_at(*filtered, 8), 0);
  EXPECT_EQ(count_at(*filtered, 10), 1);
  EXPECT_LT(filtered->size(), upstream.size());
}

TEST(DnsFilter, AnswersNxdomainWhenEveryAddressIsRemoved) {
  const Bytes upstream =
      upstream_response({{192, 168, 1, 1}, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}});
  Result<Bytes> filtered = filter_dns_answers(upstream, is_public);
  const DnsResponse response = parsed(filtered);
  EXPECT_EQ(response.rcode, kDnsNxDomain);
  EXPECT_TRUE(response.answers.empty());
  EXPECT_EQ(response.question.name, "www.example.com");
  EXPECT_EQ(count_at(*filtered, 6), 0);
}

TEST(DnsFilter, KeepsEverythingPolicyAllows) {
  const Bytes upstream = upstream_response({{93, 184, 216, 34}, {93, 184, 216, 35}});
  std::vector<std::string> seen;
  Result<Bytes> filtered = filter_dns_answers(upstream, [&](const DnsAnswerRecord& record) {
    seen.push_back(record.address.to_string());
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"93.184.216.34", "93.184.216.35"}));  // no CNAME
  const DnsResponse response = parsed(filtered);
  EXPECT_EQ(response.flags, kFlagsWithAd) << "AD kept when nothing changed";
  EXPECT_EQ(response.answers.size(), 3u);
}

TEST(DnsFilter, LeavesAnEmptyAnswerAlone) {
  // NODATA: nothing removed, so no NXDOMAIN either.
  const Bytes upstream = join({test::dns_header(9, 0x8180, 1, 0),
                               test::dns_question(test::dns_name("example.com"), kDnsTypeAAAA)});
  const DnsResponse response = parsed(filter_dns_answers(upstream, is_public));
  EXPECT_EQ(response.rcode, kDnsNoError);
  EXPECT_TRUE(response.answers.empty());
}

TEST(DnsFilter, RewritesNamesInsideOtherRecordsAfterARemoval) {
  // An MX answer whose exchange points into the A record's owner that gets removed.
  const Bytes question = test::dns_question(test::dns_name("Example.com"), 15);
  // 29: "mail" → 12 (the A owner); its data at 29 + 7 + 10 = 46.
  const Bytes a = test::dns_record(join({test::dns_labels("mail"), test::dns_pointer(12)}),
                                   kDnsTypeA, 60, Bytes{10, 0, 0, 25});
  const Bytes mx =
      test::dns_record(test::dns_pointer(12), 15, 60, join({Bytes{0, 10}, test::dns_pointer(29)}));
  const Bytes upstream = join({test::dns_header(3, 0x8180, 1, 2), question, a, mx});
  ASSERT_TRUE(parse_dns_response(upstream));
  Result<Bytes> filtered = filter_dns_answers(upstream, is_public);
  ASSERT_TRUE(filtered) << filtered.error().to_string();
  // No A/AAAA left once the private one went: NXDOMAIN, by the rule.
  EXPECT_EQ(parsed(filtered).rcode, kDnsNxDomain);

  const Bytes kept_upstream =
      join({test::dns_header(3, 0x8180, 1, 3), question, a, mx,
            test::dns_record(test::dns_pointer(12), kDnsTypeA, 60, Bytes{192, 0, 2, 1})});
  filtered = filter_dns_answers(kept_upstream, is_public);
  ASSERT_TRUE(filtered) << filtered.error().to_string();
  const DnsResponse response = parsed(filtered);
  ASSERT_EQ(response.answers.size(), 1u);
  EXPECT_EQ(response.answers[0].name, "example.com");
  EXPECT_EQ(count_at(*filtered, 6), 2);  // MX and the public A
  // The MX's exchange survived the removal of the record it pointed into: re-read it.
  const Bytes expected_mx_data =
      join({Bytes{0, 10}, test::dns_labels("mail"), test::dns_pointer(12)});
  const Bytes tail(filtered->end() - ptrdiff_t(2 + 10 + 4 + 2 + 10 + expected_mx_data.size()),
                   filtered->end() - ptrdiff_t(2 + 10 + 4));
  EXPECT_EQ(Bytes(tail.end() - ptrdiff_t(expected_mx_data.size()), tail.end()), expected_mx_data);
  EXPECT_EQ(Bytes(filtered->begin() + 12, filtered->begin() + 12 + 13),
            test::dns_name("Example.com"))
      << "the question keeps its case";
}

TEST(DnsFilter, RefusesWhatDoesNotParse) {
  const Bytes upstream = upstream_response({{93, 184, 216, 34}});
  Result<Bytes> filtered =
      filter_dns_answers(Bytes(upstream.begin(), upstream.end() - 1), is_public);
  ASSERT_FALSE(filtered);
  EXPECT_EQ(filtered.error().kind, ErrorKind::kProtocol);
  Bytes query = upstream;
  query[2] &= 0x7f;  // QR clear
  EXPECT_FALSE(filter_dns_answers(query, is_public));
}

}  // namespace
}  // namespace msb::net
