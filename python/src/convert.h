// C++ SDK values as plain Python objects (dicts with the C++ field names; times as float
// milliseconds since the epoch, the reference's unit).
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>

#include "microsandbox/fs.h"
#include "microsandbox/image.h"
#include "microsandbox/sandbox.h"
#include "microsandbox/snapshot.h"
#include "microsandbox/volume.h"

namespace msb_python {

namespace py = pybind11;

double epoch_ms(std::chrono::system_clock::time_point time);
py::dict sandbox_info_dict(const microsandbox::SandboxInfo& info);
py::dict image_info_dict(const microsandbox::ImageInfo& info);
py::dict image_detail_dict(const microsandbox::ImageDetail& detail);
py::dict volume_info_dict(const microsandbox::VolumeInfo& info);
py::dict snapshot_info_dict(const microsandbox::SnapshotInfo& info);
py::dict file_stat_dict(const microsandbox::FileStat& stat);
py::dict dir_entry_dict(const microsandbox::DirEntry& entry);

}  // namespace msb_python
