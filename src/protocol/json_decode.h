// The reference decoder: message bodies read with nlohmann-json's CBOR reader, as
// decode_body() did before protocol/message_decode.cc. Kept as the oracle for the unit
// tests and as the peer in bench/cbor_decode; the agent and hosts do not use it.
#pragma once

#include <string_view>

#include "protocol/messages.h"

namespace msb::protocol {

// As decode_body(), with nlohmann's leniencies: it accepts indefinite lengths, reads
// floats and booleans into integer fields and wraps integers that do not fit.
tl::expected<Message, CoreError> decode_body_json(std::string_view body);

}  // namespace msb::protocol
