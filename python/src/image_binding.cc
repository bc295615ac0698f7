// _microsandbox image calls: the local image store (microsandbox::Image).
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "create_spec.h"
#include "microsandbox/image.h"

namespace msb_python {

void register_images(py::module_& m) {
  using microsandbox::Image;
  m.def(
      "image_pull",
      [](const std::string& reference, bool insecure, py::object on_progress) {
        microsandbox::PullOptions options;
        options.insecure = insecure;
        options.on_progress = progress_callback(std::move(on_progress));
        microsandbox::ImageInfo info;
        {
          py::gil_scoped_release release;
          info = Image::pull(reference, options);
        }
        return image_info_dict(info);
      },
      py::arg("reference"), py::arg("insecure") = false, py::arg("on_progress") = py::none());
  m.def("image_get", [](const std::string& reference) {
    microsandbox::ImageInfo info;
    {
      py::gil_scoped_release release;
      info = Image::get(reference);
    }
    return image_info_dict(info);
  });
  m.def("image_list", [] {
    std::vector<microsandbox::ImageInfo> images;
    {
      py::gil_scoped_release release;
      images = Image::list();
    }
    py::list out;
    for (const auto& info : images) out.append(image_info_dict(info));
    return out;
  });
  m.def("image_inspect", [](const std::string& reference) {
    microsandbox::ImageDetail detail;
    {
      py::gil_scoped_release release;
      detail = Image::inspect(reference);
    }
    return image_detail_dict(detail);
  });
  m.def("image_remove", &Image::remove, py::arg("reference"), py::arg("force") = false,
        py::call_guard<py::gil_scoped_release>());
  m.def("image_prune", [] {
    microsandbox::ImagePruneReport report;
    {
      py::gil_scoped_release release;
      report = Image::prune();
    }
    return py::make_tuple(report.manifests, report.layers_removed);
  });
  m.def("image_load", [](const std::string& path, std::optional<std::string> tag) {
    std::vector<microsandbox::ImageInfo> images;
    {
      py::gil_scoped_release release;
      images = Image::load(path, tag);
    }
    py::list out;
    for (const auto& info : images) out.append(image_info_dict(info));
    return out;
  });
  m.def("image_save",
        [](const std::vector<std::string>& references, const std::string& path, bool oci) {
          py::gil_scoped_release release;
          Image::save(references, path,
                      oci ? microsandbox::ImageArchiveFormat::kOci
                          : microsandbox::ImageArchiveFormat::kDocker);
        });
}

}  // namespace msb_python
