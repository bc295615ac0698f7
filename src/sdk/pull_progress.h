// The SDK's pull-progress channel: runtime pull events delivered to a user's callback.
#pragma once

#include "microsandbox/image.h"
#include "runtime/image_service.h"

namespace msb::sdk {

// The runtime options for a pull the SDK starts: `insecure` and the user's `callback`
// (may be empty) fed with each event as a microsandbox::PullProgress. An exception the
// callback throws is dropped there: it must not unwind through the pull's threads.
runtime::PullOptions runtime_pull_options(bool insecure,
                                          microsandbox::PullProgressCallback callback);

// The public form of a runtime event.
microsandbox::PullProgress public_progress(const runtime::PullEvent& event);

}  // namespace msb::sdk
