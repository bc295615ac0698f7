#include <nlohmann/json.hpp>
#include <string>

#include "common/utc_time.h"
#include "mcp/tool_catalog.h"
#include "microsandbox/image.h"
#include "microsandbox/volume.h"

namespace msb::mcp {

namespace {

using microsandbox::Image;
using microsandbox::ImageInfo;
using microsandbox::Volume;
using microsandbox::VolumeInfo;
using nlohmann::json;

json volume_json(const VolumeInfo& info) {
  json view = {{"name", info.name},
               {"kind", microsandbox::volume_kind_name(info.kind)},
               {"createdAt", rfc3339_millis(info.created_at)},
               {"labels", info.labels},
               {"usedBy", info.used_by}};
  if (info.kind == microsandbox::VolumeKind::kDisk) view["sizeBytes"] = info.size_bytes;
  return view;
}

json image_json(const ImageInfo& info) {
  return {{"references", info.references},
          {"digest", info.manifest_digest},
          {"os", info.os},
          {"architecture", info.architecture},
          {"layers", info.layer_count},
          {"sizeBytes", info.size_bytes},
          {"storedAt", rfc3339_millis(info.created_at)}};
}

ToolResult create_volume(const ToolArgs& args) {
  microsandbox::VolumeOptions options;
  options.labels = args.string_map("labels");
  if (args.has("sizeMib")) {
    options.kind = microsandbox::VolumeKind::kDisk;
    options.size_bytes = static_cast<uint64_t>(args.integer("sizeMib", 0)) << 20;
  }
  return {volume_json(Volume::create(args.text("name"), options).info())};
}

ToolResult list_volumes(const ToolArgs&) {
  json volumes = json::array();
  for (const VolumeInfo& info : Volume::list()) volumes.push_back(volume_json(info));
  return {{{"volumes", volumes}}};
}

ToolResult remove_volume(const ToolArgs& args) {
  Volume::remove(args.text("name"), args.flag("force"));
  return {{{"name", args.text("name")}, {"removed", true}}};
}

ToolResult list_images(const ToolArgs&) {
  json images = json::array();
  for (const ImageInfo& info : Image::list()) images.push_back(image_json(info));
  return {{{"images", images}}};
}

ToolResult pull_image(const ToolArgs& args) {
  return {image_json(Image::pull(args.text("reference")))};
}

}  // namespace

std::vector<Tool> store_tools() {
  std::vector<Tool> tools;
  tools.push_back(
      {"volume_create",
       "Create Volume",
       "Create a named volume that outlives sandboxes; mount it with sandbox_create's volumes. "
       "A host directory, or with sizeMib a disk of that size.",
       {{"name", ParamType::kString, "Volume name", true},
        {"sizeMib",
         ParamType::kInteger,
         "Make a disk volume of this size",
         false,
         {},
         16,
         16 << 20},
        {"labels", ParamType::kStringMap, "Labels"}},
       {false, false, false, false},
       create_volume});
  tools.push_back({"volume_list",
                   "List Volumes",
                   "The named volumes and the sandboxes that mount each.",
                   {},
                   {true, false, true, false},
                   list_volumes});
  tools.push_back({"volume_remove",
                   "Remove Volume",
                   "Remove a named volume and its data; force removes one still mounted by a "
                   "stopped sandbox's config.",
                   {{"name", ParamType::kString, "Volume name", true},
                    {"force", ParamType::kBoolean, "Remove even if a sandbox's config names it"}},
                   {false, true, true, false},
                   remove_volume});
  tools.push_back({"image_list",
                   "List Images",
                   "The OCI images stored on this host.",
                   {},
                   {true, false, true, false},
                   list_images});
  tools.push_back({"image_pull",
                   "Pull Image",
                   "Fetch an OCI image from its registry into the local store.",
                   {{"reference", ParamType::kString, "Image reference, e.g. python:3.12", true}},
                   {false, false, true, true},
                   pull_image});
  return tools;
}

}  // namespace msb::mcp
