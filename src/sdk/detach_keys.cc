#include "sdk/detach_keys.h"

#include <cctype>
#include <utility>

namespace msb::sdk {
namespace {

// ctrl-@ is 0, ctrl-a is 1, ... ctrl-_ is 31, as in Docker's term.ToBytes.
constexpr std::string_view kControlKeys = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

Result<char> parse_key(std::string_view spec, std::string_view key) {
  if (key.size() == 1) return key.front();
  std::string lower;
  for (char c : key)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.size() == 6 && lower.starts_with("ctrl-")) {
    size_t code = kControlKeys.find(lower.back());
    if (code != std::string_view::npos) return static_cast<char>(code);
  }
  return err(ErrorKind::kInvalidArgument,
             "detach keys '{}': unknown key '{}'; a key is one character or ctrl-<key> with "
             "<key> one of a-z @ [ \\ ] ^ _, and keys are separated by commas (ctrl-p,ctrl-q)",
             spec, key);
}

}  // namespace

Result<std::string> parse_detach_keys(std::string_view spec) {
  std::string sequence;
  if (spec.empty()) return sequence;
  for (size_t start = 0;;) {
    size_t comma = spec.find(',', start);
    std::string_view key = spec.substr(start, comma - start);
    sequence.push_back(MSB_TRY(parse_key(spec, key)));
    if (comma == std::string_view::npos) return sequence;
    start = comma + 1;
  }
}

DetachMatcher::Step DetachMatcher::feed(std::string_view input) {
  Step step;
  if (sequence_.empty()) {
    step.forward = input;
    return step;
  }
  for (char byte : input) {
    held_.push_back(byte);
    // Give up held bytes from the front until what is left could still be the sequence,
    // so that an overlapping restart (ctrl-p ctrl-p ctrl-q for ctrl-p,ctrl-q) is found.
    size_t drop = 0;
    while (drop < held_.size() &&
           !std::string_view(sequence_).starts_with(std::string_view(held_).substr(drop)))
      ++drop;
    step.forward.append(held_, 0, drop);
    held_.erase(0, drop);
    if (held_.size() == sequence_.size()) {
      held_.clear();
      step.detach = true;
      return step;
    }
  }
  return step;
}

std::string DetachMatcher::take_held() { return std::exchange(held_, {}); }

}  // namespace msb::sdk
