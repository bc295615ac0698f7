// A sandbox's network, run by its supervisor: frames from the guest's network card pass a
// filter (the policy), then libslirp, which NATs them to host sockets; its answers pass the
// filter again on their way back. Rate limits pace both directions. Everything runs on one
// thread of its own, started here and joined by the destructor, which also closes every
// socket the sandbox had open.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "net/frame_filter.h"
#include "net/frame_link.h"
#include "net/slirp_stack.h"
#include "net/traffic_pacer.h"
#include "os/fd.h"

namespace msb::net {

struct PortForward {
  bool udp = false;
  sockaddr_storage host{};  // bind address and port on the host
  socklen_t host_length = 0;
  uint16_t guest_port = 0;
  std::string label;  // "127.0.0.1:8080/tcp", for errors
};

struct UserNetworkSettings {
  SlirpSettings stack;
  std::vector<PortForward> ports;
  RateLimit egress;   // guest → world
  RateLimit ingress;  // world → guest
};

struct UserNetworkStats {
  uint64_t frames_from_guest = 0;
  uint64_t frames_to_guest = 0;
  uint64_t frames_refused = 0;  // refused by the filter, both directions
  uint64_t frames_dropped = 0;  // the guest's queue was full
};

class UserNetwork {
 public:
  // Creates the stack and publishes the ports (a taken host port fails here: kIo,
  // EADDRINUSE), before the sandbox has a card: nothing runs until run_on(). `filter` may be
  // null (everything passes).
  static Result<std::unique_ptr<UserNetwork>> create(const UserNetworkSettings& settings,
                                                     std::unique_ptr<FrameFilter> filter);
  // Starts the network thread on the card's host end. REQUIRES: called once.
  void run_on(os::Fd link_fd, FrameLink::Format format);
  // create() and run_on() at once.
  static Result<std::unique_ptr<UserNetwork>> start(os::Fd link_fd, FrameLink::Format format,
                                                    const UserNetworkSettings& settings,
                                                    std::unique_ptr<FrameFilter> filter);
  ~UserNetwork();
  UserNetwork(const UserNetwork&) = delete;
  UserNetwork& operator=(const UserNetwork&) = delete;

  // Thread-safe snapshot.
  UserNetworkStats stats() const;

 private:
  UserNetwork(std::unique_ptr<FrameFilter> filter, const UserNetworkSettings& settings,
              os::Fd wake_read, os::Fd wake_write);
  void run();
  void from_guest(std::span<const uint8_t> frame);
  void from_stack(std::span<const uint8_t> frame);
  void to_guest(std::span<const uint8_t> frame);
  void release_paced_frames();

  std::optional<FrameLink> link_;  // from run_on()
  std::unique_ptr<FrameFilter> filter_;
  std::unique_ptr<SlirpStack> stack_;
  TrafficPacer egress_;
  TrafficPacer ingress_;
  std::deque<std::vector<uint8_t>> ingress_queue_;  // frames waiting for the ingress limit
  size_t ingress_queued_bytes_ = 0;
  os::Fd wake_read_;
  os::Fd wake_write_;
  std::vector<std::vector<uint8_t>> replies_;
  std::atomic<uint64_t> from_guest_{0}, to_guest_{0}, refused_{0}, paced_drops_{0};
  std::thread thread_;
};

}  // namespace msb::net
