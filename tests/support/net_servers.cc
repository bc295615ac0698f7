#include "net_servers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace msb::testing {
namespace {

std::string http_response(int status, std::string_view reason, const std::string& body,
                          uint64_t length) {
  return "HTTP/1.0 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(length) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// The number N of "/bytes/N", or -1 for any other target.
int64_t bytes_target(std::string_view target) {
  constexpr std::string_view kPrefix = "/bytes/";
  if (target.substr(0, kPrefix.size()) != kPrefix || target.size() == kPrefix.size()) return -1;
  std::string_view digits = target.substr(kPrefix.size());
  if (digits.size() > 15 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return -1;
  return std::stoll(std::string(digits));
}

std::string normalized(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool is_v4(const std::string& address) {
  in_addr parsed{};
  return ::inet_pton(AF_INET, address.c_str(), &parsed) == 1;
}

}  // namespace

void HitLog::record(const Endpoints& ends, std::string what) {
  std::lock_guard lock(mutex_);
  hits_.push_back({ends, std::move(what)});
}

std::vector<Hit> HitLog::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

size_t HitLog::count_to(std::string_view local_ip) const {
  std::lock_guard lock(mutex_);
  return std::count_if(hits_.begin(), hits_.end(),
                       [&](const Hit& hit) { return hit.ends.local_ip == local_ip; });
}

size_t HitLog::size() const {
  std::lock_guard lock(mutex_);
  return hits_.size();
}

void HitLog::clear() {
  std::lock_guard lock(mutex_);
  hits_.clear();
}

StreamHandler http_handler(HitLog& log) {
  return [&log](const Endpoints& ends, std::string& in, bool eof, StreamReply& reply) {
    size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos && !eof) return;  // the head is not complete yet
    reply.close = true;
    std::string_view line = std::string_view(in).substr(0, in.find("\r\n"));
    size_t space = line.find(' ');
    size_t second = line.find(' ', space == line.npos ? line.npos : space + 1);
    if (head_end == std::string::npos || space == line.npos || second == line.npos) {
      log.record(ends, "(malformed)");
      reply.data = http_response(400, "Bad Request", "bad request\n", 12);
      return;
    }
    std::string method(line.substr(0, space));
    std::string target(line.substr(space + 1, second - space - 1));
    log.record(ends, target);
    in.clear();
    if (method != "GET") {
      reply.data = http_response(405, "Method Not Allowed", "GET only\n", 9);
      return;
    }
    int64_t count = bytes_target(target);
    if (count >= 0) {
      reply.data = http_response(200, "OK", "", static_cast<uint64_t>(count));
      reply.pattern_bytes = static_cast<uint64_t>(count);
      return;
    }
    std::string body = "hello from " + ends.local_ip + "\n";
    reply.data = http_response(200, "OK", body, body.size());
  };
}

StreamHandler echo_stream_handler(HitLog& log) {
  return [&log](const Endpoints& ends, std::string& in, bool, StreamReply& reply) {
    if (in.empty()) return;
    log.record(ends, std::to_string(in.size()));
    reply.data = std::move(in);
    in.clear();
  };
}

DatagramHandler echo_datagram_handler(HitLog& log) {
  return [&log](const Endpoints& ends, std::string_view datagram) {
    log.record(ends, std::to_string(datagram.size()));
    return std::string(datagram);
  };
}

StreamHandler discard_handler(HitLog& log, std::atomic<uint64_t>* received) {
  return [&log, received](const Endpoints& ends, std::string& in, bool eof, StreamReply&) {
    *received += in.size();
    in.clear();
    if (eof) log.record(ends, "done");
  };
}

void DnsZone::set(const std::string& name, std::vector<std::string> addresses, uint32_t ttl) {
  std::lock_guard lock(mutex_);
  entries_[normalized(name)] = Entry{std::move(addresses), ttl};
}

void DnsZone::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(normalized(name));
}

void DnsZone::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::string DnsZone::answer(const dns::Question& question) {
  std::string name = normalized(question.name);
  std::lock_guard lock(mutex_);
  ++queries_[name];
  auto found = entries_.find(name);
  if (found == entries_.end()) return dns::encode_response(question, dns::kNameError, {});
  std::vector<dns::Answer> answers;
  for (const std::string& address : found->second.addresses) {
    uint16_t type = is_v4(address) ? dns::kTypeA : dns::kTypeAaaa;
    if (type == question.type) answers.push_back({question.name, type, found->second.ttl, address});
  }
  return dns::encode_response(question, dns::kNoError, answers);
}

size_t DnsZone::query_count(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = queries_.find(normalized(name));
  return found == queries_.end() ? 0 : found->second;
}

void DnsZone::reset_counts() {
  std::lock_guard lock(mutex_);
  queries_.clear();
}

DatagramHandler dns_datagram_handler(DnsZone& zone, HitLog& log) {
  return [&zone, &log](const Endpoints& ends, std::string_view datagram) -> std::string {
    Result<dns::Question> question = dns::decode_query(datagram);
    if (!question) return "";
    log.record(ends, question->name + " " + dns::type_name(question->type));
    return zone.answer(*question);
  };
}

StreamHandler dns_stream_handler(DnsZone& zone, HitLog& log) {
  return [&zone, &log](const Endpoints& ends, std::string& in, bool eof, StreamReply& reply) {
    while (in.size() >= 2) {
      size_t length = static_cast<uint8_t>(in[0]) << 8 | static_cast<uint8_t>(in[1]);
      if (in.size() < 2 + length) break;
      Result<dns::Question> question = dns::decode_query(std::string_view(in).substr(2, length));
      in.erase(0, 2 + length);
      if (!question) {
        reply.close = true;
        return;
      }
      log.record(ends, question->name + " " + dns::type_name(question->type));
      std::string response = zone.answer(*question);
      reply.data.push_back(static_cast<char>(response.size() >> 8));
      reply.data.push_back(static_cast<char>(response.size() & 0xff));
      reply.data += response;
    }
    if (eof) reply.close = true;
  };
}

}  // namespace msb::testing
