#include "cli/pull_progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace msb::cli {
namespace {

using Kind = runtime::PullEvent::Kind;
using ::testing::HasSubstr;
using ::testing::StartsWith;

runtime::PullEvent event(Kind kind, size_t layer = 0, uint64_t bytes = 0) {
  return runtime::PullEvent{.kind = kind,
                            .reference = "127.0.0.1:5000/app:latest",
                            .manifest_digest = "sha256:" + std::string(64, 'a'),
                            .layer = layer,
                            .layer_count = 2,
                            .bytes = bytes,
                            .total_bytes = kind == Kind::kResolved ? 2048u : 1024u};
}

TEST(HumanBytes, UsesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(uint64_t{3} << 30), "3.0 GiB");
}

TEST(PullProgress, LinesSayEachStepOnce) {
  PullProgress progress(ProgressStyle::kLines);
  EXPECT_EQ(progress.render(event(Kind::kResolving)), "pulling 127.0.0.1:5000/app:latest");
  EXPECT_EQ(progress.render(event(Kind::kResolved)),
            "resolved sha256:aaaaaaaaaaaa: 2 layers, 2.0 KiB");
  EXPECT_EQ(progress.render(event(Kind::kLayerBytes, 0, 100)), "");
  EXPECT_EQ(progress.render(event(Kind::kLayerCached, 1)), "layer 2/2: cached");
  EXPECT_EQ(progress.render(event(Kind::kLayerDone, 0)), "layer 1/2: done");
  EXPECT_THAT(progress.render(event(Kind::kComplete)),
              StartsWith("pulled 127.0.0.1:5000/app:latest"));
}

TEST(PullProgress, BarRedrawsOneLineWithTheBytesSoFar) {
  PullProgress progress(ProgressStyle::kBar);
  EXPECT_EQ(progress.render(event(Kind::kResolving)), "");
  progress.render(event(Kind::kResolved));
  std::string line = progress.render(event(Kind::kLayerBytes, 1, 1024));
  EXPECT_THAT(line, StartsWith("\r127.0.0.1:5000/app:latest ["));
  EXPECT_THAT(line, HasSubstr("0/2 layers 1.0 KiB/2.0 KiB"));
  EXPECT_THAT(line, HasSubstr("###############..............."));
  EXPECT_THAT(progress.render(event(Kind::kComplete)), StartsWith("\npulled "));
}

TEST(PullProgress, QuietSaysNothing) {
  PullProgress progress(ProgressStyle::kQuiet);
  for (Kind kind : {Kind::kResolving, Kind::kResolved, Kind::kLayerDone, Kind::kComplete}) {
    EXPECT_EQ(progress.render(event(kind)), "");
  }
}

}  // namespace
}  // namespace msb::cli
