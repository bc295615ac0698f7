#include "server/json_views.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::server {
namespace {

// What nlohmann-json's dump() accepts, which valid_utf8() must agree with.
bool dump_accepts(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

TEST(ValidUtf8Test, AgreesWithTheJsonSerialiser) {
  const std::string cases[] = {
      "",
      "plain ascii\n",
      std::string("nul\0inside", 10),
      "\xc3\xa9t\xc3\xa9",     // é
      "\xe2\x82\xac",          // €
      "\xf0\x9f\x98\x80",      // an emoji
      "\xff",                  // never valid
      "\x80",                  // continuation without a lead
      "\xc3",                  // truncated
      "\xe2\x82",              // truncated
      "\xc0\xaf",              // overlong '/'
      "\xe0\x80\xaf",          // overlong
      "\xed\xa0\x80",          // a surrogate
      "\xf4\x90\x80\x80",      // past U+10FFFF
      "\xf8\x88\x80\x80\x80",  // a 5-byte form
      "ok \xe2\x82\xac then \xff bad",
  };
  for (const std::string& text : cases) EXPECT_EQ(valid_utf8(text), dump_accepts(text)) << text;
}

TEST(PullProgressJsonTest, EachStageCarriesItsFields) {
  microsandbox::PullProgress progress;
  progress.stage = microsandbox::PullStage::kLayerBytes;
  progress.reference = "127.0.0.1:5000/app:1";
  progress.layer = 2;
  progress.bytes = 10;
  progress.total_bytes = 40;
  EXPECT_EQ(pull_progress_json(progress), (nlohmann::json{{"stage", "layer-bytes"},
                                                          {"reference", "127.0.0.1:5000/app:1"},
                                                          {"layer", 2},
                                                          {"bytes", 10},
                                                          {"total_bytes", 40}}));
  progress.stage = microsandbox::PullStage::kComplete;
  progress.manifest_digest = "sha256:ab";
  EXPECT_EQ(pull_progress_json(progress), (nlohmann::json{{"stage", "complete"},
                                                          {"reference", "127.0.0.1:5000/app:1"},
                                                          {"manifest_digest", "sha256:ab"}}));
}

TEST(SseEventTest, IsOneEventFrame) {
  EXPECT_EQ(sse_event("done", {{"a", 1}}), "event: done\ndata: {\"a\":1}\n\n");
}

TEST(LogEntryJsonTest, TextThatIsNotUtf8IsBase64) {
  microsandbox::LogEntry entry;
  entry.stream = "stdout";
  entry.text = "\xff";
  nlohmann::json line = log_entry_json(entry);
  EXPECT_EQ(line["source"], "exec");
  EXPECT_EQ(line["text_base64"], "/w==");
  EXPECT_FALSE(line.contains("text"));
}

}  // namespace
}  // namespace msb::server
