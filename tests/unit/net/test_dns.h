// DNS messages assembled by hand for the DNS tests, compression pointers included.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "test_frames.h"

namespace msb::net::test {

Bytes join(std::initializer_list<Bytes> parts);

Bytes dns_header(uint16_t id, uint16_t flags, uint16_t questions, uint16_t answers,
                 uint16_t authorities = 0, uint16_t additionals = 0);
// Uncompressed: "www.example.com" → 3www7example3com0; "" → the root.
Bytes dns_name(std::string_view dotted);
// Labels without the root byte, to end in a pointer.
Bytes dns_labels(std::string_view dotted);
Bytes dns_pointer(uint16_t offset);
Bytes dns_question(const Bytes& name, uint16_t type, uint16_t klass = 1);
Bytes dns_record(const Bytes& owner, uint16_t type, uint32_t ttl, const Bytes& data,
                 uint16_t klass = 1);
// A standard query (RD set) for `name`.
Bytes dns_query(std::string_view name, uint16_t type, uint16_t id = 0x1234);

}  // namespace msb::net::test
