// _microsandbox volume and snapshot calls (microsandbox::Volume, microsandbox::Snapshot).
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "microsandbox/snapshot.h"
#include "microsandbox/volume.h"

namespace msb_python {

void register_store(py::module_& m) {
  using microsandbox::Snapshot;
  using microsandbox::Volume;
  m.def("volume_create", [](const std::string& name, const std::string& kind, uint64_t size_bytes,
                            uint64_t quota_mib, const std::map<std::string, std::string>& labels) {
    microsandbox::VolumeOptions options;
    if (kind == "disk")
      options.kind = microsandbox::VolumeKind::kDisk;
    else if (kind != "dir")
      throw py::value_error("unknown volume kind: " + kind);
    options.size_bytes = size_bytes;
    options.quota_mib = quota_mib;
    options.labels = labels;
    microsandbox::VolumeInfo info;
    {
      py::gil_scoped_release release;
      info = Volume::create(name, options).info();
    }
    return volume_info_dict(info);
  });
  m.def("volume_get", [](const std::string& name) {
    microsandbox::VolumeInfo info;
    {
      py::gil_scoped_release release;
      info = Volume::get(name).info();
    }
    return volume_info_dict(info);
  });
  m.def("volume_list", [] {
    std::vector<microsandbox::VolumeInfo> volumes;
    {
      py::gil_scoped_release release;
      volumes = Volume::list();
    }
    py::list out;
    for (const auto& info : volumes) out.append(volume_info_dict(info));
    return out;
  });
  m.def("volume_remove", &Volume::remove, py::arg("name"), py::arg("force") = false,
        py::call_guard<py::gil_scoped_release>());

  m.def("snapshot_create", [](const std::string& name, const std::string& from_sandbox) {
    microsandbox::SnapshotInfo info;
    {
      py::gil_scoped_release release;
      info = Snapshot::create(name, from_sandbox).info();
    }
    return snapshot_info_dict(info);
  });
  m.def("snapshot_get", [](const std::string& name) {
    microsandbox::SnapshotInfo info;
    {
      py::gil_scoped_release release;
      info = Snapshot::get(name).info();
    }
    return snapshot_info_dict(info);
  });
  m.def("snapshot_list", [] {
    std::vector<microsandbox::SnapshotInfo> snapshots;
    {
      py::gil_scoped_release release;
      snapshots = Snapshot::list();
    }
    py::list out;
    for (const auto& info : snapshots) out.append(snapshot_info_dict(info));
    return out;
  });
  m.def("snapshot_remove", &Snapshot::remove, py::call_guard<py::gil_scoped_release>());
  m.def("snapshot_load", [](const std::string& archive) {
    microsandbox::SnapshotInfo info;
    {
      py::gil_scoped_release release;
      info = Snapshot::load(archive).info();
    }
    return snapshot_info_dict(info);
  });
  m.def("snapshot_verify", [](const std::string& name) {
    microsandbox::SnapshotVerification result;
    {
      py::gil_scoped_release release;
      result = Snapshot::get(name).verify();
    }
    return py::make_tuple(result.expected, result.actual, result.ok());
  });
  m.def("snapshot_save", [](const std::string& name, const std::string& out, bool with_image) {
    py::gil_scoped_release release;
    Snapshot::get(name).save(out, with_image);
  });
}

}  // namespace msb_python
