// Volume servers: one virtiofsd per host directory or file volume, serving it to QEMU's
// vhost-user-fs device over a socket that QEMU inherits already connected.
#pragma once

#include <string>

#include "engine/engine.h"
#include "os/child_process.h"
#include "os/fd.h"

namespace msb::engine::vm {

// A running virtiofsd. Destroying it kills and reaps the daemon (os::ChildProcess).
struct VolumeServer {
  os::ChildProcess process;
  os::Fd qemu_socket;    // QEMU's end, connected to the daemon's listening socket
  std::string log_path;  // the daemon's stderr
};

// Where virtiofsd lives (Debian's qemu-system-common); $MSB_VIRTIOFSD overrides it.
std::string virtiofsd_path();

// virtiofsd's arguments for a share assembled at `staging` (pure; unit-tested).
std::vector<std::string> virtiofsd_command(const std::string& executable,
                                           const std::string& staging);

// Starts the server for volume `index` of a launch (a kDirectory or kFile VolumeSpec): in a
// new user namespace whose ids are the volume's (volume_server_id_map), with the source
// read-only there when asked. Returns once virtiofsd runs; its log is
// <runtime_dir>/virtiofsd-<index>.log. Errors: kNotFound (virtiofsd or the source missing),
// kInvalidConfig (the owner lies inside the sandbox id range; the source is not the kind
// of file the volume says), kBootFailed (a setup step failed, named in the message), kIo.
Result<VolumeServer> start_volume_server(const VolumeSpec& volume, size_t index,
                                         const LaunchSpec& spec);

}  // namespace msb::engine::vm
