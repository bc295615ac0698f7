#include "net/domain_name.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::net {
namespace {

TEST(DomainName, CanonicalIsLowerCaseWithoutTrailingDot) {
  EXPECT_EQ(canonical_name("Api.Example.COM."), "api.example.com");
  EXPECT_EQ(canonical_name("example.com"), "example.com");
  EXPECT_EQ(canonical_name("."), "");
}

TEST(DomainName, AcceptsHostnameSyntax) {
  for (const char* name :
       {"a", "example.com", "a-b.c0m", "1password.com", "xn--bcher-kva.ch", "3com.example"})
    EXPECT_TRUE(check_domain(name).has_value()) << name;
  std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                        std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(longest.size(), 253u);
  EXPECT_TRUE(check_domain(longest).has_value());
}

TEST(DomainName, RefusesBadNames) {
  struct Case {
    std::string name;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty name"},
           {"a..b", "empty label"},
           {".a", "empty label"},
           {"a_b.com", "a label may hold only a-z, 0-9 and '-'"},
           {"A.com", "a label may hold only a-z, 0-9 and '-'"},
           {"-a.com", "a label must not start or end with '-'"},
           {"a-.com", "a label must not start or end with '-'"},
           {"example.123", "the last label must not be all digits"},
           {std::string(64, 'a') + ".com", "label of 64 bytes (at most 63)"},
           {std::string(251, 'a').insert(63, ".").insert(127, ".").insert(191, "."),
            "name of 254 bytes (at most 253)"},
       }) {
    Result<void> result = check_domain(c.name);
    ASSERT_FALSE(result.has_value()) << c.name;
    EXPECT_EQ(result.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(result.error().message, c.message) << c.name;
  }
}

TEST(DomainName, CountsLabels) {
  EXPECT_EQ(label_count("example.com"), 2u);
  EXPECT_EQ(label_count("a"), 1u);
  EXPECT_EQ(label_count(""), 0u);
}

TEST(DomainName, UnderMeansAtLeastOneMoreLabel) {
  EXPECT_TRUE(is_under("a.example.com", "example.com"));
  EXPECT_TRUE(is_under("a.b.example.com", "example.com"));
  EXPECT_FALSE(is_under("example.com", "example.com"));
  EXPECT_FALSE(is_under("badexample.com", "example.com"));
  EXPECT_FALSE(is_under("example.com.evil", "example.com"));
}

}  // namespace
}  // namespace msb::net
