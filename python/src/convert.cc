#include "convert.h"

#include <pybind11/stl.h>

namespace msb_python {

double epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double, std::milli>(time.time_since_epoch()).count();
}

py::dict sandbox_info_dict(const microsandbox::SandboxInfo& info) {
  py::dict dict;
  dict["name"] = info.name;
  dict["status"] = microsandbox::status_name(info.status);
  dict["ephemeral"] = info.ephemeral;
  dict["image"] = info.image;
  dict["cpus"] = info.cpus;
  dict["memory_mib"] = info.memory_mib;
  dict["isolation"] = info.isolation;
  dict["labels"] = info.labels;
  dict["created_at"] = epoch_ms(info.created_at);
  dict["updated_at"] = epoch_ms(info.updated_at);
  dict["last_error"] = info.last_error;
  dict["config_json"] = info.config_json;
  return dict;
}

py::dict image_info_dict(const microsandbox::ImageInfo& info) {
  py::dict dict;
  dict["references"] = info.references;
  dict["manifest_digest"] = info.manifest_digest;
  dict["os"] = info.os;
  dict["architecture"] = info.architecture;
  dict["layer_count"] = info.layer_count;
  dict["size_bytes"] = info.size_bytes;
  dict["created_at"] = epoch_ms(info.created_at);
  return dict;
}

py::dict image_detail_dict(const microsandbox::ImageDetail& detail) {
  py::dict dict;
  dict["info"] = image_info_dict(detail.info);
  py::list layers;
  for (const auto& layer : detail.layers) {
    py::dict entry;
    entry["digest"] = layer.digest;
    entry["diff_id"] = layer.diff_id;
    entry["media_type"] = layer.media_type;
    entry["size"] = layer.size;
    layers.append(entry);
  }
  dict["layers"] = layers;
  dict["env"] = detail.env;
  dict["entrypoint"] = detail.entrypoint;
  dict["cmd"] = detail.cmd;
  dict["working_dir"] = detail.working_dir;
  dict["user"] = detail.user;
  dict["labels"] = detail.labels;
  dict["exposed_ports"] = detail.exposed_ports;
  dict["config_json"] = detail.config_json;
  dict["manifest_json"] = detail.manifest_json;
  return dict;
}

py::dict volume_info_dict(const microsandbox::VolumeInfo& info) {
  py::dict dict;
  dict["name"] = info.name;
  dict["kind"] = microsandbox::volume_kind_name(info.kind);
  dict["path"] = info.path;
  dict["quota_mib"] = info.quota_mib;
  dict["size_bytes"] = info.size_bytes;
  dict["created_at"] = epoch_ms(info.created_at);
  dict["labels"] = info.labels;
  dict["used_by"] = info.used_by;
  return dict;
}

py::dict snapshot_info_dict(const microsandbox::SnapshotInfo& info) {
  py::dict dict;
  dict["name"] = info.name;
  dict["source_sandbox"] = info.source_sandbox;
  dict["engine"] = info.engine;
  dict["image"] = info.image;
  dict["manifest_digest"] = info.manifest_digest;
  dict["digest"] = info.digest;
  dict["size_bytes"] = info.size_bytes;
  dict["path"] = info.path;
  dict["created_at"] = epoch_ms(info.created_at);
  return dict;
}

py::dict file_stat_dict(const microsandbox::FileStat& stat) {
  py::dict dict;
  dict["exists"] = stat.exists;
  dict["kind"] = file_type_name(stat.type);
  dict["mode"] = stat.mode;
  dict["size"] = stat.size;
  dict["mtime"] = epoch_ms(stat.mtime);
  dict["uid"] = stat.uid;
  dict["gid"] = stat.gid;
  return dict;
}

py::dict dir_entry_dict(const microsandbox::DirEntry& entry) {
  py::dict dict;
  dict["name"] = entry.name;
  dict["kind"] = file_type_name(entry.type);
  dict["mode"] = entry.mode;
  dict["size"] = entry.size;
  dict["mtime"] = epoch_ms(entry.mtime);
  dict["link_target"] = entry.link_target;
  return dict;
}

}  // namespace msb_python
