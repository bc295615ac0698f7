// The whole data path in one process, on the host's loopback only: a "guest" end of a
// socketpair speaks Ethernet frames to a UserNetwork (libslirp behind the policy filter),
// whose host side connects to a listener on 127.0.0.1. Also runs under the sanitizers.
#include "net/user_network.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <optional>

#include "net/address_plan.h"
#include "net/checksum.h"
#include "net/policy_filter.h"
#include "net/rule_grammar.h"
#include "os/io.h"
#include "os/tcp_socket.h"
#include "test_frames.h"

namespace msb::net {
namespace {

using test::Bytes;

struct Link {
  std::unique_ptr<UserNetwork> network;
  os::Fd guest;  // the guest's end: 4-byte big-endian length + frame
  AddressPlan plan;
};

IpAddress v4(const in_addr& address) {
  return IpAddress::from_bytes(IpAddress::Family::kV4,
                               {reinterpret_cast<const uint8_t*>(&address), 4});
}

Link start(Preset preset) {
  Link link;
  link.plan = plan_addresses(7);
  UserNetworkSettings settings;
  settings.stack.network = link.plan.network;
  settings.stack.netmask = link.plan.netmask;
  settings.stack.gateway = link.plan.gateway;
  settings.stack.guest = link.plan.guest;
  settings.stack.mtu = link.plan.mtu;
  PolicyFilterSettings filter;
  filter.policy.preset = preset;
  filter.guest_v4 = v4(link.plan.guest);
  filter.gateway_v4 = v4(link.plan.gateway);
  filter.subnet_v4 = Cidr::of(filter.guest_v4, link.plan.prefix);
  os::SocketPair pair = os::make_socketpair(SOCK_STREAM).value();
  EXPECT_TRUE(os::set_nonblocking(pair.first.get(), true).has_value());
  link.network = UserNetwork::start(std::move(pair.first), FrameLink::Format::kLengthPrefixed,
                                    settings, std::make_unique<PolicyFilter>(filter))
                     .value();
  link.guest = std::move(pair.second);
  return link;
}

void send_frame(const Link& link, const Bytes& frame) {
  std::string wire = {char(frame.size() >> 24), char(frame.size() >> 16), char(frame.size() >> 8),
                      char(frame.size())};
  wire.append(frame.begin(), frame.end());
  ASSERT_TRUE(os::write_all(link.guest.get(), wire).has_value());
}

// The next frame for the guest, or nullopt after `timeout`.
std::optional<Bytes> next_frame(const Link& link, std::chrono::milliseconds timeout) {
  uint8_t prefix[4];
  pollfd entry{link.guest.get(), POLLIN, 0};
  if (::poll(&entry, 1, int(timeout.count())) != 1) return std::nullopt;
  if (!os::read_exact(link.guest.get(), {reinterpret_cast<char*>(prefix), 4})) return std::nullopt;
  Bytes frame(size_t(prefix[0]) << 24 | size_t(prefix[1]) << 16 | size_t(prefix[2]) << 8 |
              prefix[3]);
  if (!os::read_exact(link.guest.get(), {reinterpret_cast<char*>(frame.data()), frame.size()}))
    return std::nullopt;
  return frame;
}

// The guest asks for the gateway's MAC, which also tells libslirp its own.
void announce_guest(const Link& link) {
  Bytes arp;
  test::put16(arp, 1);       // Ethernet
  test::put16(arp, 0x0800);  // IPv4
  arp.push_back(6);
  arp.push_back(4);
  test::put16(arp, 1);  // request
  arp.insert(arp.end(), test::kGuestMac.begin(), test::kGuestMac.end());
  const IpAddress guest = v4(link.plan.guest), gateway = v4(link.plan.gateway);
  arp.insert(arp.end(), guest.bytes().begin(), guest.bytes().end());
  arp.insert(arp.end(), 6, 0);
  arp.insert(arp.end(), gateway.bytes().begin(), gateway.bytes().end());
  Bytes frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  frame.insert(frame.end(), test::kGuestMac.begin(), test::kGuestMac.end());
  test::put16(frame, 0x0806);
  frame.insert(frame.end(), arp.begin(), arp.end());
  send_frame(link, frame);
}

// A SYN from the guest to the gateway's `port`, with its checksums right (libslirp checks).
Bytes syn_to_gateway(const Link& link, uint16_t port) {
  const IpAddress guest = v4(link.plan.guest), gateway = v4(link.plan.gateway);
  Bytes segment = test::tcp(40000, port, 1, 0, kTcpSyn);
  const uint16_t sum = transport_checksum(guest, gateway, kTcp, segment);
  segment[16] = uint8_t(sum >> 8);
  segment[17] = uint8_t(sum);
  return test::ethernet(0x0800, test::ipv4(guest.to_string(), gateway.to_string(), kTcp, segment));
}

// Frames for the guest until one is a TCP segment to port 40000; its flags, or 0.
uint8_t tcp_answer(const Link& link) {
  for (int i = 0; i < 20; ++i) {
    std::optional<Bytes> frame = next_frame(link, std::chrono::milliseconds(2000));
    if (!frame) return 0;
    Result<FrameInfo> info = parse_frame(*frame);
    if (info && info->protocol == kTcp && info->destination_port == 40000) return info->tcp_flags;
  }
  return 0;
}

TEST(UserNetwork, AnAllowedConnectReachesTheHostThroughTheGateway) {
  os::LoopbackListener listener = os::listen_tcp_loopback().value();
  Link link = start(Preset::kAll);
  announce_guest(link);
  send_frame(link, syn_to_gateway(link, listener.port));
  EXPECT_EQ(tcp_answer(link), kTcpSyn | kTcpAck);
  pollfd waiting{listener.fd.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&waiting, 1, 2000), 1);  // libslirp connected on the guest's behalf
  EXPECT_GE(link.network->stats().frames_from_guest, 2u);
}

TEST(UserNetwork, ARefusedConnectGetsAResetAndReachesNothing) {
  os::LoopbackListener listener = os::listen_tcp_loopback().value();
  Link link = start(Preset::kPublic);  // the host is not public
  announce_guest(link);
  send_frame(link, syn_to_gateway(link, listener.port));
  EXPECT_EQ(tcp_answer(link), kTcpRst | kTcpAck);
  pollfd waiting{listener.fd.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&waiting, 1, 200), 0);
  EXPECT_GE(link.network->stats().frames_refused, 1u);
}

TEST(UserNetwork, StopsWhenTheGuestEndCloses) {
  Link link = start(Preset::kAll);
  link.guest.reset();
  link.network.reset();  // joins the thread, which has already seen the end of the stream
}

}  // namespace
}  // namespace msb::net
