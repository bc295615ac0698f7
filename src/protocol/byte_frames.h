// The frames that carry data and nothing else (fs.data, exec.stdout, exec.stderr) are most
// of the bytes on the wire. They are encoded here straight into the frame: one copy of the
// data, where the general encoder (nlohmann-json's json::binary and to_cbor) makes three
// more. The bytes are the same as the general encoder's (tested).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"
#include "protocol/messages.h"

namespace msb::protocol {

// The frame of `message` when it is one of the data messages, nullopt for any other.
// Errors: kInvalidArgument when the body would exceed kMaxBodyBytes.
std::optional<Result<std::string>> encode_data_message(uint32_t id, uint8_t flags,
                                                       const Message& message);

}  // namespace msb::protocol
