#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesWhatItEncodes) {
  for (const std::string& text :
       std::vector<std::string>{"", "f", "fo", "foo", "user:pa:ss", std::string("\0\x80\xff", 3)})
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("Zg=").has_value());
  EXPECT_FALSE(base64_decode("Zg").has_value());
  EXPECT_FALSE(base64_decode("Z===").has_value());
  EXPECT_FALSE(base64_decode("Zg=a").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zm9v").has_value());
  EXPECT_FALSE(base64_decode("Zm 9").has_value());
  EXPECT_FALSE(base64_decode("Zm9v\n").has_value());
  EXPECT_FALSE(base64_decode("Zm-_").has_value());
}

}  // namespace
}  // namespace msb
