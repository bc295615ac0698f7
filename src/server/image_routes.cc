#include "server/image_routes.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "server/exec_request.h"
#include "server/json_views.h"
#include "server/pull_events.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using microsandbox::Image;
using nlohmann::json;

constexpr std::chrono::seconds kKeepAlive{15};
constexpr size_t kMaxChunk = 64u << 10;

json error_data(const std::exception& error) {
  const auto* sdk_error = dynamic_cast<const Error*>(&error);
  return {{"kind", sdk_error ? microsandbox::error_kind_name(sdk_error->kind()) : "internal"},
          {"message", error.what()}};
}

// A malformed reference is a 400 before a stream starts: get() parses it first, and an
// image that is not stored yet is what a pull is for.
void check_reference(const std::string& reference) {
  try {
    Image::get(reference);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kImageNotFound) throw;
  }
}

// Pulls on a thread of its own while this one writes the events: a slow client loses byte
// counts, never the pull's pace. A client that goes away does not stop the pull (the SDK
// cannot cancel one); its image is stored all the same.
void stream_pull(const PullRequest& pull, const std::function<bool(std::string_view)>& send) {
  auto events = std::make_shared<PullEvents>();
  microsandbox::PullOptions options = pull.options;
  options.on_progress = [events](const microsandbox::PullProgress& progress) {
    std::string event = sse_event("progress", pull_progress_json(progress));
    if (progress.stage == microsandbox::PullStage::kLayerBytes)
      events->push_count(progress.layer, std::move(event));
    else
      events->push(std::move(event));
  };
  std::thread puller([events, options, reference = pull.reference] {
    try {
      events->finish(sse_event("done", image_info_json(Image::pull(reference, options))));
    } catch (const std::exception& error) {
      events->finish(sse_event("error", error_data(error)));
    }
  });
  bool client_here = true;
  while (!events->ended()) {
    std::optional<std::string> event = events->next(kKeepAlive);
    if (!client_here || (!event && events->ended())) continue;
    std::string chunk = event ? std::move(*event) : ": keep-alive\n\n";
    // What else waits goes in the same write (a layer gives a count every 16 KiB).
    while (chunk.size() < kMaxChunk) {
      std::optional<std::string> more = events->next(std::chrono::milliseconds(0));
      if (!more) break;
      chunk += *more;
    }
    client_here = send(chunk);
  }
  puller.join();
}

ApiResponse pull_image(const ApiRequest& request) {
  PullRequest pull = parse_pull_request(body_object(request));
  // Progress when asked by query or by content negotiation (Accept: text/event-stream).
  auto accept = request.headers.find("accept");
  bool wants_events = accept != request.headers.end() &&
                      accept->second.find("text/event-stream") != std::string::npos;
  if (!query_flag(request, "progress") && !wants_events)
    return json_response(200, image_info_json(Image::pull(pull.reference, pull.options)));
  check_reference(pull.reference);
  ApiResponse response{200, "text/event-stream", ""};
  response.stream = [pull](const std::function<bool(std::string_view)>& send) {
    stream_pull(pull, send);
  };
  return response;
}

ApiResponse list_images(const ApiRequest&) {
  json images = json::array();
  for (const microsandbox::ImageInfo& info : Image::list()) images.push_back(image_info_json(info));
  return json_response(200, {{"images", images}});
}

ApiResponse prune_images(const ApiRequest&) {
  microsandbox::ImagePruneReport report = Image::prune();
  return json_response(
      200, {{"manifests", report.manifests}, {"layers_removed", report.layers_removed}});
}

}  // namespace

PullRequest parse_pull_request(const json& body) {
  auto invalid = [](const std::string& key, const std::string& what) {
    return Error(ErrorKind::kInvalidArgument, "request body: " + key + ": " + what);
  };
  for (const auto& [key, value] : body.items()) {
    if (key != "reference" && key != "insecure") throw invalid(key, "unknown key");
  }
  PullRequest pull;
  if (!body.contains("reference") || !body["reference"].is_string() ||
      body["reference"].get<std::string>().empty())
    throw invalid("reference", "a non-empty string is required");
  pull.reference = body["reference"].get<std::string>();
  if (body.contains("insecure")) {
    if (!body["insecure"].is_boolean()) throw invalid("insecure", "must be true or false");
    pull.options.insecure = body["insecure"].get<bool>();
  }
  return pull;
}

void add_image_routes(Router& router, ApiState&) {
  router.add("GET", "/v1/images", "listImages", list_images);
  router.add("POST", "/v1/images/pull", "pullImage", pull_image);
  router.add("POST", "/v1/images/prune", "pruneImages", prune_images);
  router.add("GET", "/v1/images/{reference}", "inspectImage", [](const ApiRequest& request) {
    return json_response(200, image_detail_json(Image::inspect(request.params.at("reference"))));
  });
  router.add("DELETE", "/v1/images/{reference}", "removeImage", [](const ApiRequest& request) {
    bool force = query_flag(request, "force");
    Image::remove(request.params.at("reference"), force);
    return ApiResponse{204, "application/json", ""};
  });
}

}  // namespace msb::server
