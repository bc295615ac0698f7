#include "common/hex.h"

namespace msb {
namespace {

constexpr std::string_view kDigits = "0123456789abcdef";

// The value of a lowercase hex digit, or -1.
int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0)
    return err(ErrorKind::kInvalidArgument, "hex text has an odd length ({})", text.size());
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = digit_value(text[i]);
    int low = digit_value(text[i + 1]);
    if (high < 0 || low < 0) {
      return err(ErrorKind::kInvalidArgument,
                 "hex text has a character other than 0-9 a-f at offset {}", high < 0 ? i : i + 1);
    }
    out += static_cast<char>(high << 4 | low);
  }
  return out;
}

}  // namespace msb
