#include "protocol/byte_frames.h"

#include <string_view>

#include "protocol/frame.h"

namespace msb::protocol {
namespace {

constexpr uint8_t kBytesMajor = 2 << 5;
constexpr uint8_t kTextMajor = 3 << 5;
constexpr uint8_t kMapMajor = 5 << 5;

// A CBOR head in its shortest form, as nlohmann-json writes it.
void append_head(std::string& out, uint8_t major, uint64_t length) {
  auto put = [&](uint64_t value, int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(value >> shift));
  };
  if (length < 24) {
    out.push_back(static_cast<char>(major | length));
  } else if (length <= 0xff) {
    out.push_back(static_cast<char>(major | 24));
    put(length, 1);
  } else if (length <= 0xffff) {
    out.push_back(static_cast<char>(major | 25));
    put(length, 2);
  } else if (length <= 0xffffffff) {
    out.push_back(static_cast<char>(major | 26));
    put(length, 4);
  } else {
    out.push_back(static_cast<char>(major | 27));
    put(length, 8);
  }
}

size_t head_size(uint64_t length) {
  if (length < 24) return 1;
  if (length <= 0xff) return 2;
  if (length <= 0xffff) return 3;
  if (length <= 0xffffffff) return 5;
  return 9;
}

void append_text(std::string& out, std::string_view text) {
  append_head(out, kTextMajor, text.size());
  out.append(text);
}

template <typename T>
const std::string* data_of(const Message& message) {
  const T* value = std::get_if<T>(&message);
  return value != nullptr ? &value->data.data : nullptr;
}

}  // namespace

std::optional<Result<std::string>> encode_data_message(uint32_t id, uint8_t flags,
                                                       const Message& message) {
  const std::string* data = nullptr;
  std::string_view wire;
  if ((data = data_of<FsData>(message))) {
    wire = FsData::kWireName;
  } else if ((data = data_of<ExecStdout>(message))) {
    wire = ExecStdout::kWireName;
  } else if ((data = data_of<ExecStderr>(message))) {
    wire = ExecStderr::kWireName;
  } else {
    return std::nullopt;
  }
  // {"p": {"data": h'...'}, "t": "<wire>"}: nlohmann's maps are sorted by key.
  static constexpr std::string_view kData = "data";
  size_t body = 1 + 2 + 1 + (1 + kData.size()) + head_size(data->size()) + data->size() + 2 +
                head_size(wire.size()) + wire.size();
  if (body > kMaxBodyBytes) {
    return Result<std::string>(err(ErrorKind::kInvalidArgument,
                                   "{} message of {} bytes exceeds the {} byte frame limit", wire,
                                   body, kMaxBodyBytes));
  }
  std::string frame;
  frame.reserve(kHeaderBytes + body);
  append_frame_header(frame, id, flags, body);
  append_head(frame, kMapMajor, 2);
  append_text(frame, "p");
  append_head(frame, kMapMajor, 1);
  append_text(frame, kData);
  append_head(frame, kBytesMajor, data->size());
  frame.append(*data);
  append_text(frame, "t");
  append_text(frame, wire);
  MSB_CHECK(frame.size() == kHeaderBytes + body);
  return Result<std::string>(std::move(frame));
}

}  // namespace msb::protocol
