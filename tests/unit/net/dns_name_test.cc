#include "net/dns_name.h"

#include <gtest/gtest.h>

#include "test_dns.h"

namespace msb::net {
namespace {

using test::Bytes;
using test::join;

// A message of a header's worth of zeros, then `body`: offsets below count from 0.
Bytes message_with(const Bytes& body) { return join({Bytes(12, 0), body}); }

std::string text_at(const Bytes& message, size_t offset) {
  Result<DnsName> name = read_dns_name(message, offset);
  EXPECT_TRUE(name.has_value()) << name.error().to_string();
  if (!name) return "<error>";
  Result<std::string> text = dns_name_text(name->wire);
  EXPECT_TRUE(text.has_value()) << text.error().to_string();
  return text.value_or("<error>");
}

void expect_refused(const Bytes& message, size_t offset, std::string_view what) {
  Result<DnsName> name = read_dns_name(message, offset);
  ASSERT_FALSE(name.has_value()) << what;
  EXPECT_EQ(name.error().kind, ErrorKind::kProtocol) << what;
}

TEST(DnsName, ReadsAnUncompressedName) {
  const Bytes message = message_with(test::dns_name("www.Example.COM"));
  Result<DnsName> name = read_dns_name(message, 12);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->end, message.size());
  EXPECT_EQ(name->wire, test::dns_name("www.Example.COM"));
  EXPECT_EQ(text_at(message, 12), "www.example.com");
  EXPECT_EQ(text_at(message_with(Bytes{0}), 12), "");
}

TEST(DnsName, FollowsBackwardPointers) {
  // 12: example.com; 25: www + → 12; 31: → 25 (a pointer to a pointer's name).
  const Bytes message =
      message_with(join({test::dns_name("example.com"), test::dns_labels("www"),
                         test::dns_pointer(12), test::dns_labels("a.b"), test::dns_pointer(25)}));
  EXPECT_EQ(text_at(message, 25), "www.example.com");
  EXPECT_EQ(read_dns_name(message, 25)->end, 31u);
  EXPECT_EQ(text_at(message, 31), "a.b.www.example.com");
  EXPECT_EQ(read_dns_name(message, 31)->end, message.size());
}

TEST(DnsName, RefusesPointerLoopsAndForwardPointers) {
  expect_refused(message_with(test::dns_pointer(12)), 12, "pointer to itself");
  // 12: → 14; 14: → 12: the second jump is not before the run it ends.
  expect_refused(message_with(join({test::dns_pointer(14), test::dns_pointer(12)})), 14,
                 "two pointers at each other");
  expect_refused(message_with(join({test::dns_pointer(14), test::dns_pointer(12)})), 12,
                 "forward pointer");
  // 12: "a" then → 12: backwards from the pointer, but into its own run of labels.
  expect_refused(message_with(join({test::dns_labels("a"), test::dns_pointer(12)})), 12,
                 "pointer into its own labels");
  expect_refused(message_with(join({test::dns_labels("a"), test::dns_pointer(12)})), 14,
                 "a loop entered from its pointer");
  expect_refused(message_with(test::dns_pointer(4)), 12, "pointer into the header");
  expect_refused(message_with(Bytes{0xc0}), 12, "pointer cut in half");
}

TEST(DnsName, RefusesOversizeAndTruncatedNames) {
  const std::string label63(63, 'a');
  const std::string longest = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  EXPECT_EQ(test::dns_name(longest).size(), 255u);
  EXPECT_EQ(text_at(message_with(test::dns_name(longest)), 12), longest);
  expect_refused(message_with(test::dns_name(longest + "c")), 12, "256 bytes");
  // Over 255 through pointers: every run is short, the whole is not.
  const Bytes repeated = join(
      {test::dns_name(label63 + "." + label63), test::dns_labels(label63), test::dns_pointer(12)});
  EXPECT_EQ(text_at(message_with(repeated), 141).size(), 191u);
  expect_refused(message_with(join({repeated, test::dns_labels(label63), test::dns_pointer(141)})),
                 12 + 195, "long through pointers");
  expect_refused(message_with(Bytes{5, 'a', 'b'}), 12, "label past the end");
  expect_refused(message_with(Bytes{3, 'a', 'b', 'c'}), 12, "no root");
  expect_refused(message_with(Bytes{0x40, 0}), 12, "extended label type");
  expect_refused(message_with(Bytes{0x80, 0}), 12, "reserved label type");
  expect_refused(message_with(Bytes{}), 12, "nothing at all");
}

TEST(DnsName, TextRefusesDotsAndUnprintableBytes) {
  for (const Bytes& wire : {Bytes{3, 'a', '.', 'b', 0}, Bytes{2, 'a', 0, 0}, Bytes{1, ' ', 0},
                            Bytes{1, 0x7f, 0}, Bytes{1, 0xc3, 0}}) {
    Result<std::string> text = dns_name_text(wire);
    ASSERT_FALSE(text) << int(wire[2]);
    EXPECT_EQ(text.error().kind, ErrorKind::kProtocol);
  }
  EXPECT_EQ(dns_name_text(Bytes{5, '_', 'H', 't', '-', '1', 0}).value(), "_ht-1");
  EXPECT_FALSE(dns_name_text(Bytes{5, 'a', 0}));  // malformed wire
}

TEST(DnsName, CanonicalFormLowerCasesAndDropsTheRootDot) {
  EXPECT_EQ(canonical_dns_name("WWW.Example.com."), "www.example.com");
  EXPECT_EQ(canonical_dns_name("."), "");
  EXPECT_EQ(canonical_dns_name(""), "");
}

TEST(DnsName, AppendsTheWireForm) {
  Bytes out;
  ASSERT_TRUE(append_dns_name("www.example.com", out));
  EXPECT_EQ(out, test::dns_name("www.example.com"));
  out.clear();
  ASSERT_TRUE(append_dns_name("example.com.", out));
  EXPECT_EQ(out, test::dns_name("example.com"));
  for (std::string_view root : {"", "."}) {
    out.clear();
    ASSERT_TRUE(append_dns_name(root, out));
    EXPECT_EQ(out, Bytes{0});
  }
  out.clear();
  for (const std::string& bad : {std::string("a..b"), std::string(".a"), std::string("a.."),
                                 std::string(64, 'x'), std::string(300, 'x')}) {
    Result<void> appended = append_dns_name(bad, out);
    ASSERT_FALSE(appended) << bad;
    EXPECT_EQ(appended.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_TRUE(out.empty());
  }
  std::string too_long;
  for (int i = 0; i < 5; ++i) too_long += std::string(60, 'x') + ".";
  EXPECT_FALSE(append_dns_name(too_long, out));
}

TEST(DnsName, CompressorPointsAtSuffixesAlreadyWritten) {
  Bytes message(12, 0);
  DnsNameCompressor compressor;
  for (std::string_view name : {"www.example.com", "mail.example.com", "example.com",
                                "www.example.com", "example.org", "WWW.example.com"})
    compressor.append(test::dns_name(name), message);
  const Bytes expected =
      join({test::dns_name("www.example.com"), test::dns_labels("mail"), test::dns_pointer(16),
            test::dns_pointer(16), test::dns_pointer(12), test::dns_labels("example.org"), Bytes{0},
            test::dns_labels("WWW"), test::dns_pointer(16)});
  EXPECT_EQ(Bytes(message.begin() + 12, message.end()), expected);
  EXPECT_EQ(text_at(message, 29), "mail.example.com");
  EXPECT_EQ(text_at(message, 36), "example.com");
}

}  // namespace
}  // namespace msb::net
