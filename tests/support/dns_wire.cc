#include "dns_wire.h"

#include <arpa/inet.h>

#include <array>

namespace msb::testing::dns {
namespace {

constexpr size_t kHeaderBytes = 12;
constexpr uint16_t kFlagResponse = 0x8000;
constexpr uint16_t kFlagTruncated = 0x0200;
constexpr uint16_t kFlagRecursionDesired = 0x0100;
constexpr uint16_t kFlagRecursionAvailable = 0x0080;

void put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void put32(std::string& out, uint32_t value) {
  put16(out, static_cast<uint16_t>(value >> 16));
  put16(out, static_cast<uint16_t>(value & 0xffff));
}

void put_name(std::string& out, std::string_view name) {
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    MSB_CHECK(!label.empty() && label.size() <= 63);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out.push_back('\0');
}

// Reads big-endian fields and names off one message; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view message) : message_(message) {}

  Result<uint16_t> u16() {
    if (offset_ + 2 > message_.size()) return truncated();
    uint16_t value = static_cast<uint16_t>(byte(offset_) << 8 | byte(offset_ + 1));
    offset_ += 2;
    return value;
  }
  Result<uint32_t> u32() {
    uint32_t high = MSB_TRY(u16());
    return high << 16 | MSB_TRY(u16());
  }
  Result<std::string_view> bytes(size_t count) {
    if (offset_ + count > message_.size()) return truncated();
    std::string_view out = message_.substr(offset_, count);
    offset_ += count;
    return out;
  }
  // A name at the cursor, following compression pointers (at most 16 hops).
  Result<std::string> name() {
    std::string out;
    size_t at = offset_;
    bool jumped = false;
    for (int hops = 0; hops <= 16;) {
      if (at >= message_.size()) return truncated();
      uint8_t length = byte(at);
      if ((length & 0xc0) == 0xc0) {
        if (at + 1 >= message_.size()) return truncated();
        if (!jumped) offset_ = at + 2;
        jumped = true;
        at = static_cast<size_t>(length & 0x3f) << 8 | byte(at + 1);
        ++hops;
        continue;
      }
      if (length == 0) {
        if (!jumped) offset_ = at + 1;
        return out;
      }
      if (at + 1 + length > message_.size()) return truncated();
      if (!out.empty()) out.push_back('.');
      out.append(message_.substr(at + 1, length));
      at += 1 + length;
    }
    return err(ErrorKind::kProtocol, "dns: compression loop");
  }

 private:
  uint8_t byte(size_t at) const { return static_cast<uint8_t>(message_[at]); }
  static tl::unexpected<Error> truncated() {
    return err(ErrorKind::kProtocol, "dns: truncated message");
  }

  std::string_view message_;
  size_t offset_ = 0;
};

struct Header {
  uint16_t id, flags, questions, answers;
};

Result<Header> read_header(Reader& reader) {
  Header header{};
  header.id = MSB_TRY(reader.u16());
  header.flags = MSB_TRY(reader.u16());
  header.questions = MSB_TRY(reader.u16());
  header.answers = MSB_TRY(reader.u16());
  MSB_TRY(reader.u32());  // authority and additional counts: ignored
  return header;
}

Result<Question> read_question(Reader& reader, const Header& header) {
  if (header.questions == 0) return err(ErrorKind::kProtocol, "dns: no question");
  Question question;
  question.id = header.id;
  question.recursion_desired = (header.flags & kFlagRecursionDesired) != 0;
  question.name = MSB_TRY(reader.name());
  question.type = MSB_TRY(reader.u16());
  question.klass = MSB_TRY(reader.u16());
  return question;
}

Result<Answer> read_answer(Reader& reader) {
  Answer answer;
  answer.name = MSB_TRY(reader.name());
  answer.type = MSB_TRY(reader.u16());
  MSB_TRY(reader.u16());  // class
  answer.ttl = MSB_TRY(reader.u32());
  uint16_t length = MSB_TRY(reader.u16());
  std::string_view data = MSB_TRY(reader.bytes(length));
  int family = answer.type == kTypeA ? AF_INET : answer.type == kTypeAaaa ? AF_INET6 : 0;
  if (family == 0) return answer;
  if (data.size() != (family == AF_INET ? 4u : 16u))
    return err(ErrorKind::kProtocol, "dns: {} record with {} data bytes", type_name(answer.type),
               data.size());
  char text[INET6_ADDRSTRLEN];
  ::inet_ntop(family, data.data(), text, sizeof(text));
  answer.address = text;
  return answer;
}

}  // namespace

std::string encode_query(uint16_t id, std::string_view name, uint16_t type) {
  std::string out;
  put16(out, id);
  put16(out, kFlagRecursionDesired);
  put16(out, 1);  // one question
  put16(out, 0);
  put32(out, 0);
  put_name(out, name);
  put16(out, type);
  put16(out, kClassIn);
  return out;
}

Result<Question> decode_query(std::string_view message) {
  Reader reader(message);
  Header header = MSB_TRY(read_header(reader));
  if (header.flags & kFlagResponse) return err(ErrorKind::kProtocol, "dns: not a query");
  return read_question(reader, header);
}

std::string encode_response(const Question& question, uint8_t rcode,
                            const std::vector<Answer>& answers) {
  std::string out;
  put16(out, question.id);
  uint16_t flags = kFlagResponse | kFlagRecursionAvailable | (rcode & 0x0f);
  if (question.recursion_desired) flags |= kFlagRecursionDesired;
  put16(out, flags);
  put16(out, 1);
  put16(out, static_cast<uint16_t>(answers.size()));
  put32(out, 0);
  put_name(out, question.name);
  put16(out, question.type);
  put16(out, question.klass);
  for (const Answer& answer : answers) {
    std::array<unsigned char, 16> data{};
    bool v4 = ::inet_pton(AF_INET, answer.address.c_str(), data.data()) == 1;
    MSB_CHECK(v4 || ::inet_pton(AF_INET6, answer.address.c_str(), data.data()) == 1);
    put_name(out, answer.name);
    put16(out, v4 ? kTypeA : kTypeAaaa);
    put16(out, kClassIn);
    put32(out, answer.ttl);
    put16(out, v4 ? 4 : 16);
    out.append(reinterpret_cast<const char*>(data.data()), v4 ? 4 : 16);
  }
  return out;
}

Result<Response> decode_response(std::string_view message) {
  Reader reader(message);
  Header header = MSB_TRY(read_header(reader));
  if (!(header.flags & kFlagResponse)) return err(ErrorKind::kProtocol, "dns: not a response");
  Response response;
  response.id = header.id;
  response.rcode = static_cast<uint8_t>(header.flags & 0x0f);
  response.truncated = (header.flags & kFlagTruncated) != 0;
  response.question = MSB_TRY(read_question(reader, header));
  for (uint16_t i = 0; i < header.answers; ++i)
    response.answers.push_back(MSB_TRY(read_answer(reader)));
  return response;
}

std::string type_name(uint16_t type) {
  if (type == kTypeA) return "A";
  if (type == kTypeAaaa) return "AAAA";
  return std::to_string(type);
}

}  // namespace msb::testing::dns
