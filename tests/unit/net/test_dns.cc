#include "test_dns.h"

#include <algorithm>

namespace msb::net::test {

Bytes join(std::initializer_list<Bytes> parts) {
  Bytes bytes;
  for (const Bytes& part : parts) bytes.insert(bytes.end(), part.begin(), part.end());
  return bytes;
}

Bytes dns_header(uint16_t id, uint16_t flags, uint16_t questions, uint16_t answers,
                 uint16_t authorities, uint16_t additionals) {
  Bytes bytes;
  for (uint16_t word : {id, flags, questions, answers, authorities, additionals})
    put16(bytes, word);
  return bytes;
}

Bytes dns_labels(std::string_view dotted) {
  Bytes bytes;
  while (!dotted.empty()) {
    const std::string_view label = dotted.substr(0, dotted.find('.'));
    bytes.push_back(uint8_t(label.size()));
    bytes.insert(bytes.end(), label.begin(), label.end());
    dotted.remove_prefix(std::min(dotted.size(), label.size() + 1));
  }
  return bytes;
}

Bytes dns_name(std::string_view dotted) { return join({dns_labels(dotted), Bytes{0}}); }

Bytes dns_pointer(uint16_t offset) { return {uint8_t(0xc0 | offset >> 8), uint8_t(offset)}; }

Bytes dns_question(const Bytes& name, uint16_t type, uint16_t klass) {
  Bytes bytes = name;
  put16(bytes, type);
  put16(bytes, klass);
  return bytes;
}

Bytes dns_record(const Bytes& owner, uint16_t type, uint32_t ttl, const Bytes& data,
                 uint16_t klass) {
  Bytes bytes = owner;
  put16(bytes, type);
  put16(bytes, klass);
  put32(bytes, ttl);
  put16(bytes, uint16_t(data.size()));
  return join({bytes, data});
}

Bytes dns_query(std::string_view name, uint16_t type, uint16_t id) {
  return join({dns_header(id, 0x0100, 1, 0), dns_question(dns_name(name), type)});
}

}  // namespace msb::net::test
