// Which messages are requests: they open a session (sent with kFlagSessionStart) and get
// replies on the same id, the last one terminal.
#pragma once

#include "protocol/messages.h"

namespace msb::protocol {

// exec.request and every fs request (fs.stat, fs.list, fs.read, fs.write, fs.mkdir, ...).
bool opens_session(const Message& message);

}  // namespace msb::protocol
