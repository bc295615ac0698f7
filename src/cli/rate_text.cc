#include "cli/rate_text.h"

#include <charconv>
#include <limits>
#include <string>

namespace msb::cli {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The leading digits of `text` and what follows them.
bool leading_number(std::string_view text, uint64_t& value, std::string_view& rest) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return false;
  rest = text.substr(static_cast<size_t>(end - text.data()));
  return true;
}

// The multiplier of a size suffix, or 0 for an unknown one.
uint64_t suffix_multiplier(std::string_view suffix) {
  const std::string unit = lower(suffix);
  if (unit.empty() || unit == "b") return 1;
  const std::string_view units = "kmgt";
  if (unit.size() != 1 && !(unit.size() == 3 && unit.substr(1) == "ib")) return 0;
  const size_t power = units.find(unit[0]);
  if (power == std::string_view::npos) return 0;
  return uint64_t{1} << (10 * (power + 1));
}

Result<uint64_t> parse_duration_ms(std::string_view text) {
  uint64_t value = 0;
  std::string_view unit;
  if (leading_number(text, value, unit) && value > 0) {
    if (unit == "ms") return value;
    if (unit == "s" && value <= std::numeric_limits<uint64_t>::max() / 1000) return value * 1000;
  }
  return err(ErrorKind::kInvalidArgument, "'{}': expected a duration such as 1s or 100ms", text);
}

// `amount` per `duration_ms`, as a per-second rate rounded down.
Result<uint64_t> per_second(std::string_view text, uint64_t amount, uint64_t duration_ms) {
  const unsigned __int128 scaled = static_cast<unsigned __int128>(amount) * 1000 / duration_ms;
  if (scaled == 0 || scaled > std::numeric_limits<uint64_t>::max())
    return err(ErrorKind::kInvalidArgument, "'{}': the rate must be from 1 per second", text);
  return static_cast<uint64_t>(scaled);
}

template <class Parse>
Result<uint64_t> parse_rate(std::string_view text, Parse parse_amount) {
  const size_t slash = text.find('/');
  const uint64_t amount = MSB_TRY(parse_amount(text.substr(0, slash)));
  const uint64_t duration_ms =
      slash == std::string_view::npos ? 1000 : MSB_TRY(parse_duration_ms(text.substr(slash + 1)));
  return per_second(text, amount, duration_ms);
}

}  // namespace

Result<uint64_t> parse_size(std::string_view text) {
  uint64_t value = 0;
  std::string_view suffix;
  if (leading_number(text, value, suffix)) {
    const uint64_t multiplier = suffix_multiplier(suffix);
    if (multiplier != 0 && value <= std::numeric_limits<uint64_t>::max() / multiplier)
      return value * multiplier;
  }
  return err(ErrorKind::kInvalidArgument, "'{}': expected a size such as 1500, 512K or 1M", text);
}

Result<uint64_t> parse_count(std::string_view text) {
  uint64_t value = 0;
  std::string_view rest;
  if (leading_number(text, value, rest) && rest.empty()) return value;
  return err(ErrorKind::kInvalidArgument, "'{}': expected a number", text);
}

Result<uint64_t> parse_byte_rate(std::string_view text) { return parse_rate(text, parse_size); }

Result<uint64_t> parse_packet_rate(std::string_view text) { return parse_rate(text, parse_count); }

}  // namespace msb::cli
