#include "net/policy_filter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "net/checksum.h"
#include "net/dns_message.h"
#include "net/dns_tcp_framer.h"
#include "net/rule_grammar.h"
#include "os/fd.h"
#include "os/io.h"
#include "test_dns.h"
#include "test_frames.h"

namespace msb::net {
namespace {

using test::Bytes;

constexpr const char* kGuest = "172.16.0.2";
constexpr const char* kGateway = "172.16.0.1";
constexpr const char* kGuest6 = "fd42:6d73:62::2";
constexpr const char* kGateway6 = "fd42:6d73:62::1";

PolicyFilterSettings settings_with(NetworkPolicy policy) {
  PolicyFilterSettings settings;
  settings.policy = std::move(policy);
  settings.guest_v4 = test::ip(kGuest);
  settings.gateway_v4 = test::ip(kGateway);
  settings.subnet_v4 = Cidr::parse("172.16.0.0/30").value();
  settings.guest_v6 = test::ip(kGuest6);
  settings.gateway_v6 = test::ip(kGateway6);
  settings.subnet_v6 = Cidr::parse("fd42:6d73:62::/64").value();
  return settings;
}

NetworkPolicy policy_of(Preset preset, std::string_view rules = "") {
  NetworkPolicy policy;
  policy.preset = preset;
  if (!rules.empty()) policy.rules = parse_rules(rules).value();
  return policy;
}

Bytes tcp_frame(std::string_view source, std::string_view destination, uint16_t port, uint8_t flags,
                uint16_t source_port = 40000) {
  const bool v6 = std::string_view(destination).find(':') != std::string_view::npos;
  Bytes segment = test::tcp(source_port, port, 1000, 0, flags);
  return v6 ? test::ethernet(0x86dd, test::ipv6(source, destination, kTcp, segment))
            : test::ethernet(0x0800, test::ipv4(source, destination, kTcp, segment));
}

Bytes udp_frame(std::string_view source, std::string_view destination, uint16_t port,
                std::span<const uint8_t> payload = {}, uint16_t source_port = 40000) {
  const bool v6 = std::string_view(destination).find(':') != std::string_view::npos;
  Bytes datagram = test::udp(source_port, port, payload);
  return v6 ? test::ethernet(0x86dd, test::ipv6(source, destination, kUdp, datagram))
            : test::ethernet(0x0800, test::ipv4(source, destination, kUdp, datagram));
}

struct Harness {
  explicit Harness(PolicyFilterSettings settings) : filter(std::move(settings)) {
    filter.attach(
        [this](std::span<const uint8_t> frame) { sent.emplace_back(frame.begin(), frame.end()); });
  }
  FrameVerdict admit(const Bytes& frame) {
    replies.clear();
    return filter.admit(frame, replies);
  }
  PolicyFilter filter;
  std::vector<Bytes> replies;
  std::vector<Bytes> sent;  // frames sent to the guest later (DNS answers)
};

TEST(PolicyFilter, PublicPresetLetsPublicConnectsThrough) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpAck)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest6, "2001:db8::10", 443, kTcpSyn)), FrameVerdict::kPass);
  EXPECT_TRUE(net.replies.empty());
  EXPECT_EQ(net.filter.open_connections(), 2u);
}

TEST(PolicyFilter, RefusedConnectsGetAResetFromTheTarget) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  for (const char* target : {"10.77.0.10", "169.254.169.254", "127.0.0.1", kGateway, "172.16.0.0",
                             "fd00:ec2::254", "fd00:77::10", kGateway6, "fe80::1"}) {
    const bool v6 = std::string_view(target).find(':') != std::string_view::npos;
    ASSERT_EQ(net.admit(tcp_frame(v6 ? kGuest6 : kGuest, target, 80, kTcpSyn)),
              FrameVerdict::kRefuse)
        << target;
    ASSERT_EQ(net.replies.size(), 1u) << target;
    FrameInfo reset = parse_frame(net.replies[0]).value();
    EXPECT_EQ(reset.protocol, kTcp);
    EXPECT_TRUE(reset.tcp_flags & kTcpRst) << target;
    EXPECT_EQ(reset.source, test::ip(target));
    EXPECT_EQ(reset.destination, test::ip(v6 ? kGuest6 : kGuest));
  }
  EXPECT_EQ(net.filter.stats().refused_flows, 9u);
  EXPECT_EQ(net.filter.open_connections(), 0u);
}

TEST(PolicyFilter, RefusedDatagramsGetAnIcmpUnreachable) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  EXPECT_EQ(net.admit(udp_frame(kGuest, "10.77.0.10", 7)), FrameVerdict::kRefuse);
  ASSERT_EQ(net.replies.size(), 1u);
  FrameInfo reply = parse_frame(net.replies[0]).value();
  EXPECT_EQ(reply.protocol, kIcmp);
  EXPECT_EQ(reply.icmp_type, 3);
  EXPECT_EQ(net.admit(udp_frame(kGuest, "192.0.2.10", 7)), FrameVerdict::kPass);
}

TEST(PolicyFilter, NeverAnswersAResetWithAReset) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "10.77.0.10", 80, kTcpRst)), FrameVerdict::kRefuse);
  EXPECT_TRUE(net.replies.empty());
}

TEST(PolicyFilter, DropsSpoofedSourcesSilently) {
  Harness net(settings_with(policy_of(Preset::kAll)));
  EXPECT_EQ(net.admit(tcp_frame("172.16.0.3", "192.0.2.10", 80, kTcpSyn)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.admit(tcp_frame("192.0.2.99", "192.0.2.10", 80, kTcpSyn)), FrameVerdict::kRefuse);
  EXPECT_TRUE(net.replies.empty());
}

TEST(PolicyFilter, MalformedFramesAreDropped) {
  Harness net(settings_with(policy_of(Preset::kAll)));
  Bytes frame = tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn);
  frame.resize(30);
  EXPECT_EQ(net.admit(frame), FrameVerdict::kRefuse);
  EXPECT_EQ(net.filter.stats().malformed_frames, 1u);
}

TEST(PolicyFilter, ArpAndNeighbourDiscoveryPass) {
  Harness net(settings_with(policy_of(Preset::kNone)));
  Bytes arp(28, 0);
  arp[1] = 1, arp[2] = 0x08, arp[4] = 6, arp[5] = 4, arp[7] = 1;
  EXPECT_EQ(net.admit(test::ethernet(0x0806, arp)), FrameVerdict::kPass);
  Bytes solicitation = test::icmp(135, 0, Bytes(20, 0));
  EXPECT_EQ(net.admit(test::ethernet(
                0x86dd, test::ipv6("fe80::2", "ff02::1:ff00:1", kIcmpV6, solicitation, 255))),
            FrameVerdict::kPass);
}

TEST(PolicyFilter, NonePresetRefusesEverything) {
  Harness net(settings_with(policy_of(Preset::kNone)));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.admit(udp_frame(kGuest, "192.0.2.10", 7)), FrameVerdict::kRefuse);
}

TEST(PolicyFilter, FirstMatchingUserRuleWins) {
  Harness net(settings_with(
      policy_of(Preset::kPublic, "allow@10.77.0.10:tcp:80,deny@192.0.2.0/24:tcp:443")));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "10.77.0.10", 80, kTcpSyn)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "10.77.0.10", 22, kTcpSyn)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 443, kTcpSyn)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn)), FrameVerdict::kPass);
}

TEST(PolicyFilter, UnknownSegmentsAreJudgedAgain) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  // A segment of a connection the table does not hold (forgotten, or never allowed):
  // the policy decides as for a new flow.
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "10.77.0.10", 80, kTcpAck)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpAck)), FrameVerdict::kPass);
}

TEST(PolicyFilter, ConnectionLimitResetsTheConnectOverIt) {
  PolicyFilterSettings settings = settings_with(policy_of(Preset::kPublic));
  settings.max_connections = 2;
  Harness net(std::move(settings));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn, 1)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn, 2)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn, 3)), FrameVerdict::kRefuse);
  EXPECT_EQ(net.filter.stats().over_limit, 1u);
  // A reset closes one: the next connect fits.
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpRst | kTcpAck, 1)),
            FrameVerdict::kPass);
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 80, kTcpSyn, 3)), FrameVerdict::kPass);
}

TEST(PolicyFilter, ConnectionsFromPublishedPortsAreIngress) {
  Harness open(settings_with(policy_of(Preset::kPublic)));
  Bytes syn = tcp_frame(kGateway, kGuest, 8080, kTcpSyn, 50000);
  EXPECT_EQ(open.filter.deliver(syn), FrameVerdict::kPass);
  // The guest's answers belong to that flow.
  EXPECT_EQ(open.admit(tcp_frame(kGuest, kGateway, 50000, kTcpSyn | kTcpAck, 8080)),
            FrameVerdict::kPass);
  Harness closed(settings_with(policy_of(Preset::kPublic, "deny:ingress@any")));
  EXPECT_EQ(closed.filter.deliver(syn), FrameVerdict::kRefuse);
}

TEST(PolicyFilter, DatagramsFromPublishedPortsGetTheirRepliesOut) {
  Harness net(settings_with(policy_of(Preset::kPublic)));
  EXPECT_EQ(net.filter.deliver(udp_frame(kGateway, kGuest, 9000, {}, 40000)), FrameVerdict::kPass);
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 40000, {}, 9000)), FrameVerdict::kPass);
}

TEST(PolicyFilter, DeniedNamesGetNxDomainFromTheGateway) {
  Harness net(settings_with(policy_of(Preset::kPublic, "deny@blocked.test")));
  Bytes query = test::dns_query("blocked.test", kDnsTypeA, 0x4242);
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 53, query, 5353)), FrameVerdict::kHandled);
  ASSERT_EQ(net.sent.size(), 1u);
  FrameInfo info = parse_frame(net.sent[0]).value();
  EXPECT_EQ(info.source, test::ip(kGateway));
  EXPECT_EQ(info.source_port, 53);
  EXPECT_EQ(info.destination_port, 5353);
  DnsResponse answer =
      parse_dns_response(std::span(net.sent[0]).subspan(info.payload_offset, info.payload_length))
          .value();
  EXPECT_EQ(answer.id, 0x4242);
  EXPECT_EQ(answer.rcode, kDnsNxDomain);
  EXPECT_EQ(net.filter.stats().dns_queries, 1u);
}

TEST(PolicyFilter, QueriesToOtherResolversFollowTheAddressPolicy) {
  Harness net(settings_with(policy_of(Preset::kPublic, "deny@blocked.test")));
  Bytes query = test::dns_query("blocked.test", kDnsTypeA, 7);
  // A private resolver is out of reach like any private host.
  EXPECT_EQ(net.admit(udp_frame(kGuest, "10.77.0.53", 53, query)), FrameVerdict::kRefuse);
  // A public one is reached only through the interceptor: the name policy still holds.
  EXPECT_EQ(net.admit(udp_frame(kGuest, "192.0.2.53", 53, query)), FrameVerdict::kHandled);
  ASSERT_EQ(net.sent.size(), 1u);
  FrameInfo info = parse_frame(net.sent[0]).value();
  EXPECT_EQ(info.source, test::ip("192.0.2.53"));
}

// A fake upstream resolver on the loopback: answers each query with `addresses`.
class FakeUpstream {
 public:
  FakeUpstream() {
    fd_ = os::Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }
  // Answers one waiting query with `addresses` (TTL 60).
  void answer(const std::vector<std::string>& addresses) {
    uint8_t buffer[1500];
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    ssize_t n = ::recvfrom(fd_.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer),
                           &peer_length);
    ASSERT_GT(n, 0);
    DnsQuery query = parse_dns_query({buffer, size_t(n)}).value();
    std::vector<DnsAnswerRecord> records;
    for (const std::string& text : addresses) {
      IpAddress address = test::ip(text);
      records.push_back(
          {query.question.name, address.is_v4() ? kDnsTypeA : kDnsTypeAAAA, 60, address, ""});
    }
    Bytes reply = build_dns_response(query, records).value();
    ::sendto(fd_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer),
             peer_length);
  }

 private:
  os::Fd fd_;
  uint16_t port_ = 0;
};

// Runs the filter's part of a poll loop once.
void pump(PolicyFilter& filter) {
  std::vector<pollfd> fds;
  int timeout_ms = -1;
  filter.fill(fds, timeout_ms);
  ASSERT_FALSE(fds.empty());
  ASSERT_TRUE(os::poll_fds(fds, 5000).has_value());
  filter.dispatch(fds);
}

Result<DnsResponse> answer_in(const Bytes& frame) {
  FrameInfo info = MSB_TRY(parse_frame(frame));
  return parse_dns_response(std::span(frame).subspan(info.payload_offset, info.payload_length));
}

TEST(PolicyFilter, DomainRulesMatchOnlyResolvedAddresses) {
  FakeUpstream upstream;
  PolicyFilterSettings settings = settings_with(policy_of(Preset::kNone, "allow@api.test"));
  settings.dns.upstreams = upstream_nameservers({upstream.nameserver()}).value();
  Harness net(std::move(settings));
  // Not resolved yet: the address is just an address, and none allows nothing.
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 443, kTcpSyn)), FrameVerdict::kRefuse);
  // Another name is not even resolved.
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 53, test::dns_query("other.test", kDnsTypeA))),
            FrameVerdict::kHandled);
  ASSERT_EQ(net.sent.size(), 1u);
  EXPECT_EQ(answer_in(net.sent[0])->rcode, kDnsNxDomain);
  // The allowed name resolves, and then its address is reachable.
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 53, test::dns_query("api.test", kDnsTypeA))),
            FrameVerdict::kHandled);
  upstream.answer({"192.0.2.10"});
  pump(net.filter);
  ASSERT_EQ(net.sent.size(), 2u);
  Result<DnsResponse> answer = answer_in(net.sent[1]);
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(answer->answers.size(), 1u);
  EXPECT_EQ(answer->answers[0].address, test::ip("192.0.2.10"));
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.10", 443, kTcpSyn)), FrameVerdict::kPass);
  // Same host, other address: still refused.
  EXPECT_EQ(net.admit(tcp_frame(kGuest, "192.0.2.11", 443, kTcpSyn)), FrameVerdict::kRefuse);
}

TEST(PolicyFilter, RebindingAnswersAreDropped) {
  FakeUpstream upstream;
  PolicyFilterSettings settings = settings_with(policy_of(Preset::kPublic));
  settings.dns.upstreams = upstream_nameservers({upstream.nameserver()}).value();
  Harness net(std::move(settings));
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 53, test::dns_query("evil.test", kDnsTypeA))),
            FrameVerdict::kHandled);
  upstream.answer({"10.77.0.10"});
  pump(net.filter);
  ASSERT_EQ(net.sent.size(), 1u);
  Result<DnsResponse> answer = answer_in(net.sent[0]);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->rcode, kDnsNxDomain);
  EXPECT_TRUE(answer->answers.empty());
}

TEST(PolicyFilter, UnansweredQueriesGetServFail) {
  PolicyFilterSettings settings = settings_with(policy_of(Preset::kPublic));
  Harness net(std::move(settings));  // no upstream at all
  EXPECT_EQ(net.admit(udp_frame(kGuest, kGateway, 53, test::dns_query("a.test", kDnsTypeA))),
            FrameVerdict::kHandled);
  ASSERT_EQ(net.sent.size(), 1u);
  EXPECT_EQ(answer_in(net.sent[0])->rcode, kDnsServFail);
}

// `frame` with its TCP checksum filled in (the test frames carry zero).
Bytes with_tcp_checksum(Bytes frame) {
  FrameInfo info = parse_frame(frame).value();
  std::span<uint8_t> segment(frame.data() + info.l4_offset,
                             info.l3_offset + info.l3_length - info.l4_offset);
  const uint16_t sum = transport_checksum(info.source, info.destination, kTcp, segment);
  segment[16] = uint8_t(sum >> 8);
  segment[17] = uint8_t(sum);
  return frame;
}

bool tcp_checksum_ok(std::span<const uint8_t> frame) {
  FrameInfo info = parse_frame(frame).value();
  return transport_checksum(
             info.source, info.destination, kTcp,
             frame.subspan(info.l4_offset, info.l3_offset + info.l3_length - info.l4_offset)) == 0;
}

TEST(PolicyFilter, TcpDnsToTheGatewayGoesToTheDnsService) {
  Harness net(settings_with(policy_of(Preset::kNone)));
  Bytes syn = with_tcp_checksum(tcp_frame(kGuest, kGateway, 53, kTcpSyn, 41000));
  ASSERT_EQ(net.admit(syn), FrameVerdict::kRewritten);
  FrameInfo out = parse_frame(net.filter.rewritten()).value();
  const uint16_t service_port = out.destination_port;
  EXPECT_NE(service_port, 53);
  EXPECT_EQ(out.destination, test::ip(kGateway));
  EXPECT_TRUE(tcp_checksum_ok(net.filter.rewritten()));
  // The service's answer goes back to the guest as the gateway's port 53.
  Bytes answer =
      with_tcp_checksum(tcp_frame(kGateway, kGuest, 41000, kTcpSyn | kTcpAck, service_port));
  ASSERT_EQ(net.filter.deliver(answer), FrameVerdict::kRewritten);
  FrameInfo back = parse_frame(net.filter.rewritten()).value();
  EXPECT_EQ(back.source_port, 53);
  EXPECT_TRUE(tcp_checksum_ok(net.filter.rewritten()));
  // Later segments of the connection follow the same way.
  EXPECT_EQ(net.admit(with_tcp_checksum(tcp_frame(kGuest, kGateway, 53, kTcpAck, 41000))),
            FrameVerdict::kRewritten);
}

TEST(PolicyFilter, TcpDnsOverIpv6IsRefused) {
  Harness net(settings_with(policy_of(Preset::kAll)));
  EXPECT_EQ(net.admit(tcp_frame(kGuest6, kGateway6, 53, kTcpSyn)), FrameVerdict::kRefuse);
}

TEST(DnsTcpService, AnswersFramedQuestionsOnItsLoopbackPort) {
  NetworkPolicy policy = policy_of(Preset::kPublic, "deny@blocked.test");
  HostAddresses hosts;
  DnsPins pins;
  DnsInterceptor interceptor(policy, hosts, pins, {}, [](std::span<const uint8_t>) {});
  std::unique_ptr<DnsTcpService> service = DnsTcpService::create(interceptor).value();
  service->expect_connection();
  os::Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(service->port());
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  Bytes query = DnsTcpFramer::frame(test::dns_query("blocked.test", kDnsTypeA, 0x77));
  ASSERT_TRUE(os::write_all(client.get(), std::string(query.begin(), query.end())).has_value());
  DnsTcpFramer answers;
  for (int round = 0; round < 20 && !answers.buffered(); ++round) {
    std::vector<pollfd> fds;
    int timeout_ms = -1;
    service->fill(fds, timeout_ms, DnsTcpService::Clock::now());
    ASSERT_TRUE(os::poll_fds(fds, 200).has_value());
    service->dispatch(fds, DnsTcpService::Clock::now());
    pollfd readable{client.get(), POLLIN, 0};
    if (::poll(&readable, 1, 0) == 1) {
      char buffer[512];
      ssize_t n = ::read(client.get(), buffer, sizeof buffer);
      if (n > 0) answers.feed({reinterpret_cast<uint8_t*>(buffer), size_t(n)});
    }
  }
  std::optional<Bytes> answer = answers.next();
  ASSERT_TRUE(answer.has_value());
  DnsResponse response = parse_dns_response(*answer).value();
  EXPECT_EQ(response.id, 0x77);
  EXPECT_EQ(response.rcode, kDnsNxDomain);
  EXPECT_EQ(service->connections(), 1u);
}

TEST(DnsTcpService, ClosesConnectionsNobodyAnnounced) {
  NetworkPolicy policy = policy_of(Preset::kPublic);
  HostAddresses hosts;
  DnsPins pins;
  DnsInterceptor interceptor(policy, hosts, pins, {}, [](std::span<const uint8_t>) {});
  std::unique_ptr<DnsTcpService> service = DnsTcpService::create(interceptor).value();
  os::Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(service->port());
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::vector<pollfd> fds;
  int timeout_ms = -1;
  service->fill(fds, timeout_ms, DnsTcpService::Clock::now());
  ASSERT_TRUE(os::poll_fds(fds, 1000).has_value());
  service->dispatch(fds, DnsTcpService::Clock::now());
  EXPECT_EQ(service->connections(), 0u);
  char byte;
  pollfd closed{client.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&closed, 1, 1000), 1);
  EXPECT_LE(::read(client.get(), &byte, 1), 0);  // end of stream (or reset)
}

}  // namespace
}  // namespace msb::net
