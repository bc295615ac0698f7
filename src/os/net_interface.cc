#include "os/net_interface.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "os/file.h"

namespace msb::os {
namespace {

// <linux/ipv6.h>'s in6_ifreq; that header clashes with glibc's <netinet/in.h>.
struct Ipv6InterfaceRequest {
  in6_addr address;
  uint32_t prefix_length;
  int interface_index;
};

Result<Fd> control_socket(int family) {
  int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error(errno, family == AF_INET6 ? "socket (ipv6)" : "socket (ipv4)");
  return Fd(fd);
}

Result<ifreq> request_for(const std::string& name) {
  ifreq request{};
  if (name.empty() || name.size() >= IFNAMSIZ)
    return err(ErrorKind::kInvalidArgument, "interface name '{}' is not 1-{} bytes", name,
               IFNAMSIZ - 1);
  std::memcpy(request.ifr_name, name.data(), name.size());
  return request;
}

Result<void> control(int fd, unsigned long op, void* argument, const char* what,
                     const std::string& name) {
  while (::ioctl(fd, op, argument) != 0) {
    if (errno == EINTR) continue;
    return errno_error(errno, std::string(what) + " " + name);
  }
  return {};
}

in_addr prefix_mask(uint8_t prefix) {
  in_addr mask{};
  mask.s_addr = prefix == 0 ? 0 : htonl(~uint32_t{0} << (32 - prefix));
  return mask;
}

sockaddr ipv4_sockaddr(in_addr address) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr = address;
  sockaddr out{};
  std::memcpy(&out, &in, sizeof in);
  return out;
}

Result<void> set_ipv4(int fd, const std::string& name, const InterfaceSettings& settings) {
  ifreq request = MSB_TRY(request_for(name));
  request.ifr_addr = ipv4_sockaddr(settings.ipv4);
  MSB_TRY(control(fd, SIOCSIFADDR, &request, "set address of", name));
  request.ifr_netmask = ipv4_sockaddr(prefix_mask(settings.ipv4_prefix));
  return control(fd, SIOCSIFNETMASK, &request, "set netmask of", name);
}

Result<void> set_mtu_and_up(int fd, const std::string& name, std::optional<uint32_t> mtu) {
  ifreq request = MSB_TRY(request_for(name));
  if (mtu) {
    request.ifr_mtu = static_cast<int>(*mtu);
    MSB_TRY(control(fd, SIOCSIFMTU, &request, "set mtu of", name));
  }
  MSB_TRY(control(fd, SIOCGIFFLAGS, &request, "get flags of", name));
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
  return control(fd, SIOCSIFFLAGS, &request, "bring up", name);
}

Result<void> add_ipv4_default_route(int fd, const std::string& name, in_addr gateway) {
  rtentry route{};
  route.rt_dst = ipv4_sockaddr(in_addr{});
  route.rt_genmask = ipv4_sockaddr(in_addr{});
  route.rt_gateway = ipv4_sockaddr(gateway);
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  route.rt_dev = const_cast<char*>(name.c_str());
  return control(fd, SIOCADDRT, &route, "add ipv4 default route on", name);
}

// The address is usable at once: nothing else on the link could hold it.
void disable_duplicate_address_detection(const std::string& name) {
  (void)write_file("/proc/sys/net/ipv6/conf/" + name + "/accept_dad", "0");
  // The gateway is configured statically; router advertisements add nothing.
  (void)write_file("/proc/sys/net/ipv6/conf/" + name + "/accept_ra", "0");
}

Result<void> set_ipv6(const std::string& name, const InterfaceSettings& settings) {
  Fd fd = MSB_TRY(control_socket(AF_INET6));
  unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) return errno_error(errno, "find interface " + name);
  Ipv6InterfaceRequest request{*settings.ipv6, settings.ipv6_prefix, static_cast<int>(index)};
  MSB_TRY(control(fd.get(), SIOCSIFADDR, &request, "set ipv6 address of", name));
  in6_rtmsg route{};
  route.rtmsg_gateway = settings.gateway_v6;
  route.rtmsg_flags = RTF_UP | RTF_GATEWAY;
  route.rtmsg_metric = 1;
  route.rtmsg_ifindex = static_cast<int>(index);
  return control(fd.get(), SIOCADDRT, &route, "add ipv6 default route on", name);
}

}  // namespace

Result<void> set_mac_address(const std::string& name, const std::string& mac) {
  ifreq request = MSB_TRY(request_for(name));
  unsigned bytes[6];
  char end = 0;
  if (std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &bytes[0], &bytes[1], &bytes[2],
                  &bytes[3], &bytes[4], &bytes[5], &end) != 6)
    return err(ErrorKind::kInvalidArgument, "not a MAC address: '{}'", mac);
  request.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  for (int i = 0; i < 6; ++i) request.ifr_hwaddr.sa_data[i] = char(bytes[i]);
  Fd socket = MSB_TRY(control_socket(AF_INET));
  return control(socket.get(), SIOCSIFHWADDR, &request, "set MAC address of", name);
}

Result<void> set_link_up(const std::string& name) {
  Fd fd = MSB_TRY(control_socket(AF_INET));
  return set_mtu_and_up(fd.get(), name, std::nullopt);
}

Result<void> configure_interface(const std::string& name, const InterfaceSettings& settings) {
  Fd fd = MSB_TRY(control_socket(AF_INET));
  if (settings.ipv6) disable_duplicate_address_detection(name);
  MSB_TRY(set_ipv4(fd.get(), name, settings));
  MSB_TRY(set_mtu_and_up(fd.get(), name, settings.mtu));
  MSB_TRY(add_ipv4_default_route(fd.get(), name, settings.gateway_v4));
  if (settings.ipv6) MSB_TRY(set_ipv6(name, settings));
  return {};
}

Result<Fd> open_tap(const std::string& name) {
  Fd fd = MSB_TRY(open_file("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  ifreq request = MSB_TRY(request_for(name));
  request.ifr_flags = IFF_TAP | IFF_NO_PI;
  MSB_TRY(control(fd.get(), TUNSETIFF, &request, "create tap", name));
  // Persistent: closing the fd is then cheap, and the device goes with its network
  // namespace, which the kernel tears down in the background. Unregistering a
  // non-persistent tap on close waits for an RCU grace period: ~20 ms at the end of every
  // namespace sandbox (docs/targets.md, the namespace start row).
  MSB_TRY(
      control(fd.get(), TUNSETPERSIST, reinterpret_cast<void*>(1), "make tap persistent", name));
  return fd;
}

Result<void> enter_network_namespace(int ns_fd) {
  if (::setns(ns_fd, CLONE_NEWNET) != 0) return errno_error(errno, "enter network namespace");
  return {};
}

}  // namespace msb::os
