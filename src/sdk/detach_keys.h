// Detach keys for interactive sessions, spelled as Docker spells them: comma-separated
// keys, each one character ("q") or ctrl-<key> with <key> one of a-z @ [ \ ] ^ _
// ("ctrl-]", "ctrl-p,ctrl-q"). DetachMatcher finds the sequence in terminal input that
// arrives in arbitrary pieces, holding back a possible start of it until it is decided.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::sdk {

inline constexpr std::string_view kDefaultDetachKeys = "ctrl-]";

// The bytes a spec stands for; "" for "" (no detach keys). Errors: kInvalidArgument
// naming the bad key and the accepted forms.
Result<std::string> parse_detach_keys(std::string_view spec);

// Not thread-safe.
class DetachMatcher {
 public:
  // REQUIRES: `sequence` is what parse_detach_keys() returned; "" never detaches.
  explicit DetachMatcher(std::string sequence) : sequence_(std::move(sequence)) {}

  struct Step {
    std::string forward;  // input to pass on now, in order
    bool detach = false;  // the sequence was typed; input after it is dropped
  };
  // The next piece of input.
  Step feed(std::string_view input);
  // Held-back bytes that began like the sequence; at end of input they are plain input.
  std::string take_held();

 private:
  std::string sequence_;
  std::string held_;  // always a proper prefix of sequence_
};

}  // namespace msb::sdk
