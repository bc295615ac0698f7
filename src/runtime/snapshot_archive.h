// Snapshot archives (`msb snapshot save|load`, Snapshot::save/load): one tar holding
// snapshot.json, the layer artifact (holes kept), and with --with-image the image the layer
// sits on (an OCI layout tar, runtime/image_archive.h), so another machine (or a fresh
// MSB_HOME) can start sandboxes from it.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "store/database.h"
#include "store/snapshot_records.h"

namespace msb::runtime {

// Writes snapshot `name` to `out` (replaced atomically), after checking its digest
// (kIntegrity when the artifact is damaged: a broken snapshot is not passed on). With
// `with_image`, the image goes in too (none for the built-in base image). Errors:
// kNotFound (the snapshot), kImageNotFound (with_image and the image is gone), kIo.
Result<void> save_snapshot_archive(store::Database& db, std::string_view msb_home,
                                   std::string_view name, const std::string& out, bool with_image);

// Loads a snapshot archive: entries checked (only snapshot.json, the artifact its engine
// names and image.tar; regular files; bounded sizes), the descriptor parsed, the
// artifact's digest checked against it (kIntegrity), the image loaded when the archive
// holds it and the store does not, then the snapshot published under its own name.
// Errors: kInvalidArgument (a malformed archive or descriptor), kAlreadyExists (the name
// is taken, or the image's reference names another image here), kIntegrity, kIo. On any
// error no snapshot is recorded and its files are gone.
Result<store::SnapshotRecord> load_snapshot_archive(store::Database& db, std::string_view msb_home,
                                                    const std::string& archive);

}  // namespace msb::runtime
