// Volume servers: one virtiofsd per host directory or file volume, serving it to QEMU's
// vhost-user-fs device over a socket that QEMU inherits already connected.
#pragma once

#include <string>
#include <vector>

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

// Starts the server of share number `share`, which holds spec.volumes[i] for each i in
// `volumes` (kDirectory or kFile, all of one owner) as the entry named i: in a new user
// namespace whose ids are the owner's (volume_server_id_map), each source read-only there
// when asked. Returns once virtiofsd runs; its log is <runtime_dir>/virtiofsd-<share>.log.
// Errors: kNotFound (virtiofsd or a source missing), kInvalidConfig (the owner lies inside
// the sandbox id range; a source is not the kind of file its volume says), kBootFailed (a
// setup step failed, named in the message with its volume), kIo.
// REQUIRES: 1 to kMaxShareEntries volumes.
Result<VolumeServer> start_volume_server(const LaunchSpec& spec, const std::vector<size_t>& volumes,
                                         size_t share);

}  // namespace msb::engine::vm
