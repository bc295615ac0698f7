#include "config/hostname.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::config {
namespace {

bool is_lower_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The part of a derived hostname before "-<8 hex digits>".
std::string prefix_of(const std::string& hostname) {
  EXPECT_GE(hostname.size(), 9u);
  EXPECT_EQ(hostname[hostname.size() - 9], '-');
  EXPECT_TRUE(is_lower_hex(std::string_view(hostname).substr(hostname.size() - 8)));
  return hostname.substr(0, hostname.size() - 9);
}

TEST(DeriveHostname, ShortNamesPassThrough) {
  EXPECT_EQ(derive_hostname("a"), "a");
  EXPECT_EQ(derive_hostname("web-1"), "web-1");
  EXPECT_EQ(derive_hostname("my_box.v2"), "my_box.v2");  // not sanitized
  EXPECT_EQ(derive_hostname(""), "");
}

TEST(DeriveHostname, Exactly64BytesPassesThrough) {
  std::string name(64, 'h');
  EXPECT_EQ(derive_hostname(name), name);
}

TEST(DeriveHostname, SixtyFiveBytesGetsAHashSuffix) {
  // SHA-256("a" x 65) starts 635361c4.
  EXPECT_EQ(derive_hostname(std::string(65, 'a')), std::string(55, 'a') + "-635361c4");
}

TEST(DeriveHostname, LongAsciiName) {
  std::string name = "microsandbox-" + std::string(60, 'x') + "-end";  // 77 bytes
  std::string hostname = derive_hostname(name);
  EXPECT_EQ(hostname.size(), 64u);
  EXPECT_EQ(hostname, name.substr(0, 55) + "-bdf1ee43");
}

TEST(DeriveHostname, VeryLongNameStaysWithin64Bytes) {
  std::string hostname = derive_hostname(std::string(100000, 'z'));
  EXPECT_EQ(hostname.size(), 64u);
  EXPECT_EQ(prefix_of(hostname), std::string(55, 'z'));
}

TEST(DeriveHostname, IsDeterministic) {
  std::string name(90, 'd');
  EXPECT_EQ(derive_hostname(name), derive_hostname(name));
}

TEST(DeriveHostname, NamesSharingThe55BytePrefixDiffer) {
  std::string common(55, 'p');
  std::string first = derive_hostname(common + std::string(20, 'a'));
  std::string second = derive_hostname(common + std::string(20, 'b'));
  EXPECT_NE(first, second);
  EXPECT_EQ(prefix_of(first), common);
  EXPECT_EQ(prefix_of(second), common);
}

// A name whose `character` starts at byte `start`, padded with ASCII to 80 bytes.
std::string name_with_char_at(size_t start, const std::string& character) {
  std::string name = std::string(start, 'a') + character;
  return name + std::string(80 - name.size(), 'b');
}

TEST(DeriveHostname, TwoByteCharacterStraddlingByte55IsDropped) {
  const std::string e_acute = "\xc3\xa9";  // U+00E9
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(54, e_acute))), std::string(54, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(53, e_acute))),
            std::string(53, 'a') + e_acute);
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(55, e_acute))), std::string(55, 'a'));
}

TEST(DeriveHostname, ThreeByteCharacterStraddlingByte55IsDropped) {
  const std::string euro = "\xe2\x82\xac";  // U+20AC
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(54, euro))), std::string(54, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(53, euro))), std::string(53, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(52, euro))), std::string(52, 'a') + euro);
}

TEST(DeriveHostname, FourByteCharacterStraddlingByte55IsDropped) {
  const std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(54, emoji))), std::string(54, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(53, emoji))), std::string(53, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(52, emoji))), std::string(52, 'a'));
  EXPECT_EQ(prefix_of(derive_hostname(name_with_char_at(51, emoji))), std::string(51, 'a') + emoji);
}

TEST(DeriveHostname, AllMultiByteNameCutsOnACharacterBoundary) {
  std::string name;
  for (int i = 0; i < 30; ++i) name += "\xe2\x82\xac";  // 90 bytes, boundaries every 3
  std::string prefix = prefix_of(derive_hostname(name));
  EXPECT_EQ(prefix.size(), 54u);
  EXPECT_EQ(prefix, name.substr(0, 54));
}

TEST(DeriveHostname, InvalidUtf8IsCutAtByte55) {
  // Continuation bytes with no lead byte: there is no boundary to respect.
  std::string name(80, '\x80');
  EXPECT_EQ(prefix_of(derive_hostname(name)), std::string(55, '\x80'));
}

}  // namespace
}  // namespace msb::config
