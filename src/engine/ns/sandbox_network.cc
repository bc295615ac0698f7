#include "engine/ns/sandbox_network.h"

#include <fcntl.h>

#include <thread>

#include "engine/network_option.h"
#include "os/file.h"
#include "os/net_interface.h"

namespace msb::engine::ns {
namespace {

Result<std::optional<NetworkEndpoint>> set_up_inside(int netns,
                                                     const std::optional<GuestNetworkSpec>& spec) {
  MSB_TRY(os::enter_network_namespace(netns));
  MSB_TRY(os::set_link_up("lo"));
  if (!spec) return std::optional<NetworkEndpoint>();
  os::InterfaceSettings settings =
      MSB_TRY(os::parse_interface_settings(agent_network_option(*spec)));
  os::Fd tap = MSB_TRY(os::open_tap("eth0"));
  // The address plan's MAC, as the vm engine gives virtio-net: captures and the neighbour
  // tables read the same on both engines.
  MSB_TRY(os::set_mac_address("eth0", spec->mac));
  MSB_TRY(os::configure_interface("eth0", settings));
  return std::optional<NetworkEndpoint>(NetworkEndpoint{std::move(tap), FrameFormat::kTap});
}

}  // namespace

Result<std::optional<NetworkEndpoint>> set_up_sandbox_network(
    const std::string& proc, const std::optional<GuestNetworkSpec>& network) {
  os::Fd netns = MSB_TRY(os::open_file(proc + "/ns/net", O_RDONLY | O_CLOEXEC));
  Result<std::optional<NetworkEndpoint>> result = std::optional<NetworkEndpoint>();
  // The thread ends inside the sandbox's namespace and takes nothing else there with it.
  std::thread worker([&] { result = set_up_inside(netns.get(), network); });
  worker.join();
  return std::move(result).context("sandbox network");
}

}  // namespace msb::engine::ns
