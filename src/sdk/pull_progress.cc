#include "sdk/pull_progress.h"

#include "common/log.h"

namespace msb::sdk {

microsandbox::PullProgress public_progress(const runtime::PullEvent& event) {
  using Kind = runtime::PullEvent::Kind;
  using Stage = microsandbox::PullStage;
  Stage stage = Stage::kResolving;
  switch (event.kind) {
    case Kind::kResolving:
      stage = Stage::kResolving;
      break;
    case Kind::kResolved:
      stage = Stage::kResolved;
      break;
    case Kind::kLayerBytes:
      stage = Stage::kLayerBytes;
      break;
    case Kind::kLayerCached:
      stage = Stage::kLayerCached;
      break;
    case Kind::kExtracting:
      stage = Stage::kExtracting;
      break;
    case Kind::kLayerDone:
      stage = Stage::kLayerDone;
      break;
    case Kind::kComplete:
      stage = Stage::kComplete;
      break;
  }
  return microsandbox::PullProgress{.stage = stage,
                                    .reference = event.reference,
                                    .manifest_digest = event.manifest_digest,
                                    .layer = event.layer,
                                    .layer_count = event.layer_count,
                                    .bytes = event.bytes,
                                    .total_bytes = event.total_bytes};
}

runtime::PullOptions runtime_pull_options(bool insecure,
                                          microsandbox::PullProgressCallback callback) {
  runtime::PullOptions options;
  options.insecure = insecure;
  if (callback) {
    options.on_event = [callback = std::move(callback)](const runtime::PullEvent& event) {
      try {
        callback(public_progress(event));
      } catch (...) {
        // Unwinding through a layer thread would end the process; the pull goes on.
        logger("sdk")->warn("pull progress callback threw; ignored");
      }
    };
  }
  return options;
}

}  // namespace msb::sdk
