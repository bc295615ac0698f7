#include "sdk/detach_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::sdk {
namespace {

std::string parsed(std::string_view spec) {
  Result<std::string> sequence = parse_detach_keys(spec);
  EXPECT_TRUE(sequence.has_value()) << spec << ": " << sequence.error().message;
  return sequence.value_or("?");
}

TEST(DetachKeys, ParsesDockerSpellings) {
  EXPECT_EQ(parsed("ctrl-]"), "\x1d");
  EXPECT_EQ(parsed(kDefaultDetachKeys), "\x1d");
  EXPECT_EQ(parsed("ctrl-p,ctrl-q"), "\x10\x11");
  EXPECT_EQ(parsed("CTRL-A"), "\x01");
  EXPECT_EQ(parsed("ctrl-@"), std::string(1, '\0'));
  EXPECT_EQ(parsed("ctrl-[,ctrl-\\,ctrl-^,ctrl-_"), "\x1b\x1c\x1e\x1f");
  EXPECT_EQ(parsed("q"), "q");
  EXPECT_EQ(parsed("ctrl-x,q,Q"), "\x18qQ");
  EXPECT_EQ(parsed(""), "") << "no detach keys";
}

TEST(DetachKeys, RejectsBadSpecsNamingTheKeyAndTheForms) {
  for (const char* spec : {"ctrl-", "ctrl-1", "ctrl-pq", "alt-p", "ctrl-p,", ",q", "ctrl-p,,q",
                           "ctrl p", " ctrl-p", "qq", "\xc3\xa9"}) {
    Result<std::string> sequence = parse_detach_keys(spec);
    ASSERT_FALSE(sequence.has_value()) << spec;
    EXPECT_EQ(sequence.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_NE(sequence.error().message.find("unknown key"), std::string::npos);
    EXPECT_NE(sequence.error().message.find("ctrl-<key>"), std::string::npos);
  }
  EXPECT_NE(parse_detach_keys("ctrl-p,ctrl-1").error().message.find("'ctrl-1'"), std::string::npos);
}

// Feeds `pieces` in turn; returns what was forwarded and whether it detached.
std::pair<std::string, bool> run(DetachMatcher& matcher, const std::vector<std::string>& pieces) {
  std::string forwarded;
  for (const std::string& piece : pieces) {
    DetachMatcher::Step step = matcher.feed(piece);
    forwarded += step.forward;
    if (step.detach) return {forwarded, true};
  }
  return {forwarded, false};
}

TEST(DetachMatcher, SingleKeyDetachesAndForwardsWhatCameBefore) {
  DetachMatcher matcher("\x1d");
  EXPECT_EQ(run(matcher, {"ls -l\r", "ab\x1d", "never sent"}),
            std::make_pair(std::string("ls -l\rab"), true));
}

TEST(DetachMatcher, InputWithoutTheKeysPassesUnchanged) {
  DetachMatcher matcher("\x10\x11");
  std::string all;
  for (int byte = 0; byte < 256; ++byte)
    if (byte != 0x10) all.push_back(static_cast<char>(byte));
  EXPECT_EQ(run(matcher, {all, all}), std::make_pair(all + all, false));
}

TEST(DetachMatcher, SequenceSplitAcrossReadsDetaches) {
  DetachMatcher matcher("\x10\x11");
  DetachMatcher::Step first = matcher.feed("echo\x10");
  EXPECT_EQ(first.forward, "echo") << "the possible start is held back";
  EXPECT_FALSE(first.detach);
  DetachMatcher::Step second = matcher.feed("\x11 ignored");
  EXPECT_EQ(second.forward, "");
  EXPECT_TRUE(second.detach);
}

TEST(DetachMatcher, ThreeKeySequenceOneByteAtATime) {
  DetachMatcher matcher(*parse_detach_keys("ctrl-a,b,ctrl-c"));
  EXPECT_EQ(run(matcher, {"\x01", "b", "\x03"}), std::make_pair(std::string(), true));
}

TEST(DetachMatcher, PartialMatchThatIsNotADetachIsForwardedIntact) {
  DetachMatcher matcher("\x10\x11");
  DetachMatcher::Step first = matcher.feed("a\x10");
  EXPECT_EQ(first.forward, "a");
  DetachMatcher::Step second = matcher.feed("x");
  EXPECT_EQ(second.forward, "\x10x") << "ctrl-p then x: both reach the process, in order";
  EXPECT_FALSE(second.detach);
  EXPECT_EQ(run(matcher, {"\x10", "\x10", "\x11"}), std::make_pair(std::string("\x10"), true))
      << "ctrl-p ctrl-p ctrl-q: the first ctrl-p is input, the rest detaches";
}

TEST(DetachMatcher, HeldBytesAreInputAtEndOfStream) {
  DetachMatcher matcher("\x10\x11");
  EXPECT_EQ(matcher.feed("z\x10").forward, "z");
  EXPECT_EQ(matcher.take_held(), "\x10");
  EXPECT_EQ(matcher.take_held(), "");
}

TEST(DetachMatcher, EmptySequenceNeverDetaches) {
  DetachMatcher matcher("");
  EXPECT_EQ(run(matcher, {"\x1d\x10\x11", std::string(1, '\0')}),
            std::make_pair(std::string("\x1d\x10\x11") + std::string(1, '\0'), false));
}

}  // namespace
}  // namespace msb::sdk
