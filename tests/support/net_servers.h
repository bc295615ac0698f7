// The protocol handlers of the net world's servers (net_world.h), run by SocketServer: an
// HTTP/1.0 server, TCP and UDP echo, a TCP discard sink and a DNS server over a zone map.
// Every handler records what reached it in a HitLog, so a test can prove that something
// (a denied host, a denied name) never got there.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dns_wire.h"
#include "socket_server.h"

namespace msb::testing {

// One request, connection or datagram that reached a server.
struct Hit {
  Endpoints ends;
  std::string what;  // HTTP: the request target; DNS: "name TYPE"; echo: the byte count
};

// What reached one server, oldest first. Thread-safe.
class HitLog {
 public:
  void record(const Endpoints& ends, std::string what);
  std::vector<Hit> hits() const;
  // Hits whose local address (the address the client dialled) is `local_ip`.
  size_t count_to(std::string_view local_ip) const;
  size_t size() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Hit> hits_;  // GUARDED_BY(mutex_)
};

// HTTP/1.0, one request per connection, closed after the response:
//   GET /bytes/N  -> 200, N bytes of pattern_bytes(0, N) (streamed; any size)
//   GET /<other>  -> 200, "hello from <the address the client dialled>\n"
//   anything else -> 405 (method) or 400 (malformed)
StreamHandler http_handler(HitLog& log);
// Sends back whatever arrives; closes when the peer has finished.
StreamHandler echo_stream_handler(HitLog& log);
DatagramHandler echo_datagram_handler(HitLog& log);
// Reads and drops everything, adding the byte count to `*received` (throughput sinks).
StreamHandler discard_handler(HitLog& log, std::atomic<uint64_t>* received);

// The names the DNS server knows. Names match case-insensitively, with or without the
// trailing dot. Thread-safe.
class DnsZone {
 public:
  // `addresses` mixes v4 (answers A queries) and v6 (answers AAAA queries).
  // REQUIRES: each address parses as an IP address.
  void set(const std::string& name, std::vector<std::string> addresses, uint32_t ttl = 60);
  void remove(const std::string& name);
  void clear();

  // Counts the query, then answers it: the addresses of its family for a known name
  // (NOERROR with no answers for other types), NXDOMAIN for an unknown name.
  std::string answer(const dns::Question& question);
  // Queries seen for `name` (any type) since the world started or reset_counts().
  size_t query_count(const std::string& name) const;
  void reset_counts();

 private:
  struct Entry {
    std::vector<std::string> addresses;
    uint32_t ttl = 60;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;   // GUARDED_BY(mutex_)
  std::map<std::string, size_t> queries_;  // GUARDED_BY(mutex_)
};

// DNS over UDP (one datagram each way) and over TCP (two-byte length prefix, several
// queries per connection). Malformed queries are dropped.
DatagramHandler dns_datagram_handler(DnsZone& zone, HitLog& log);
StreamHandler dns_stream_handler(DnsZone& zone, HitLog& log);

}  // namespace msb::testing
