#include "agent/fs_service.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "os/file.h"
#include "os/io.h"
#include "os/system.h"

namespace msb::agent {
namespace {

class FsStatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-fs-service-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  static protocol::FsStatResult stat_ok(const std::string& path) {
    protocol::Message reply = stat_path(protocol::FsStat{path});
    auto* result = std::get_if<protocol::FsStatResult>(&reply);
    EXPECT_TRUE(result) << path << ": " << protocol::message_name(reply);
    return result ? *result : protocol::FsStatResult{};
  }

  static protocol::FsError stat_error(const std::string& path) {
    protocol::Message reply = stat_path(protocol::FsStat{path});
    auto* error = std::get_if<protocol::FsError>(&reply);
    EXPECT_TRUE(error) << path << ": " << protocol::message_name(reply);
    return error ? *error : protocol::FsError{};
  }

  std::optional<os::TempDir> dir_;
};

TEST_F(FsStatTest, DescribesARegularFile) {
  std::string path = dir_->path() + "/file";
  ASSERT_TRUE(os::write_file(path, "12345", 0640).has_value());
  ASSERT_EQ(::chmod(path.c_str(), 04751), 0);
  protocol::FsStatResult result = stat_ok(path);
  EXPECT_TRUE(result.exists);
  EXPECT_EQ(result.type, "file");
  EXPECT_EQ(result.mode, 04751u);
  EXPECT_EQ(result.size, 5u);
  EXPECT_EQ(result.uid, ::geteuid());
  EXPECT_EQ(result.gid, ::getegid());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(result.mtime_ns, int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
}

TEST_F(FsStatTest, DescribesDirectoriesWithTheStickyBit) {
  std::string path = dir_->path() + "/sticky";
  ASSERT_TRUE(os::make_dir(path, 0755).has_value());
  ASSERT_EQ(::chmod(path.c_str(), 01777), 0);
  protocol::FsStatResult result = stat_ok(path);
  EXPECT_EQ(result.type, "dir");
  EXPECT_EQ(result.mode, 01777u);
}

TEST_F(FsStatTest, DoesNotFollowAFinalSymlink) {
  std::string link = dir_->path() + "/dangling";
  ASSERT_TRUE(os::make_symlink("no-such-target", link).has_value());
  protocol::FsStatResult result = stat_ok(link);
  EXPECT_TRUE(result.exists);
  EXPECT_EQ(result.type, "symlink");
  EXPECT_EQ(result.size, std::string("no-such-target").size());
}

TEST_F(FsStatTest, OtherFileTypesAreOther) { EXPECT_EQ(stat_ok("/dev/null").type, "other"); }

TEST_F(FsStatTest, MissingPathsDoNotExist) {
  std::string file = dir_->path() + "/file";
  ASSERT_TRUE(os::write_file(file, "").has_value());
  for (const std::string& path :
       {dir_->path() + "/missing", dir_->path() + "/a/b/c", file + "/x"}) {
    protocol::FsStatResult result = stat_ok(path);
    EXPECT_FALSE(result.exists) << path;
    EXPECT_EQ(result.type, "") << path;
    EXPECT_EQ(result.size, 0u) << path;
  }
}

TEST_F(FsStatTest, RejectsRelativeEmptyNulAndOverlongPaths) {
  for (const std::string& path :
       {std::string("relative"), std::string(""), std::string("./x"), std::string("/tmp\0x", 6),
        "/" + std::string(5000, 'a'), std::string(100'000, 'r')}) {
    protocol::FsError error = stat_error(path);
    EXPECT_EQ(error.kind, "invalid-path") << path.size();
    EXPECT_LT(error.message.size(), 400u);
  }
  EXPECT_EQ(stat_error("relative").errno_value, 0);
  EXPECT_EQ(stat_error("/" + std::string(5000, 'a')).errno_value, ENAMETOOLONG);
}

TEST_F(FsStatTest, SymlinkLoopOnTheWayIsOther) {
  std::string loop = dir_->path() + "/loop";
  ASSERT_TRUE(os::make_symlink(loop, loop).has_value());
  EXPECT_EQ(stat_ok(loop).type, "symlink");  // the loop itself is described
  protocol::FsError error = stat_error(loop + "/x");
  EXPECT_EQ(error.kind, "other");
  EXPECT_EQ(error.errno_value, ELOOP);
}

}  // namespace
}  // namespace msb::agent

namespace msb::agent {
namespace {

// FsService over a socketpair: frames the agent side queues are read from the peer end.
class FsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-fs-service-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    Result<os::SocketPair> sockets = os::make_socketpair(SOCK_STREAM);
    ASSERT_TRUE(sockets.has_value());
    Result<protocol::FrameConnection> connection =
        protocol::FrameConnection::create(std::move(sockets->first));
    ASSERT_TRUE(connection.has_value());
    connection_.emplace(std::move(*connection));
    peer_ = std::move(sockets->second);
    ASSERT_TRUE(os::set_nonblocking(peer_.get(), true).has_value());
  }

  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  // Writes what is queued and decodes what the peer received.
  std::vector<protocol::Envelope> drain() {
    std::vector<protocol::Envelope> out;
    for (;;) {
      EXPECT_TRUE(connection_->flush_some().has_value());
      char buffer[65536];
      Result<size_t> n = os::read_some(peer_.get(), buffer);
      if (n && *n > 0) reader_.feed(std::string_view(buffer, *n));
      while (std::optional<protocol::FrameReader::Item> item = reader_.next()) {
        tl::expected<protocol::Message, protocol::CoreError> message =
            protocol::decode_body(item->frame->body);
        EXPECT_TRUE(message.has_value());
        out.push_back({item->frame->id, item->frame->flags, std::move(*message)});
      }
      if ((!n || *n == 0) && !connection_->wants_write()) return out;
    }
  }

  void handle(uint32_t id, const protocol::Message& message, bool id_taken = false) {
    fs_.handle_frame(id, message, id_taken, *connection_);
  }

  std::optional<os::TempDir> dir_;
  std::optional<protocol::FrameConnection> connection_;
  os::Fd peer_;
  protocol::FrameReader reader_;
  FsService fs_;
};

TEST_F(FsServiceTest, ListProducesOnlyWhileTheConnectionHasRoom) {
  constexpr size_t kEntries = 5000;
  constexpr size_t kHighWater = 64 * 1024;
  ASSERT_TRUE(os::write_file(path("0"), "").has_value());
  for (size_t i = 1; i < kEntries; ++i) {
    ASSERT_EQ(::link(path("0").c_str(), path(std::to_string(i)).c_str()), 0);
  }
  handle(1, protocol::FsList{dir_->path()});
  EXPECT_EQ(connection_->queued_bytes(), 0u) << "nothing is produced before the loop asks";
  EXPECT_TRUE(fs_.wants_to_produce());
  fs_.produce(*connection_, kHighWater);
  size_t queued = connection_->queued_bytes();
  EXPECT_GT(queued, 0u);
  EXPECT_LT(queued, kHighWater + kFsChunkBytes + 1024);
  fs_.produce(*connection_, kHighWater);
  EXPECT_EQ(connection_->queued_bytes(), queued) << "a full connection stops production";

  std::vector<std::string> names;
  bool done = false;
  while (!done) {
    for (const protocol::Envelope& envelope : drain()) {
      if (auto* entry = std::get_if<protocol::FsListEntry>(&envelope.message)) {
        names.push_back(entry->name);
      }
      done = done || (envelope.flags & protocol::kFlagTerminal);
    }
    fs_.produce(*connection_, kHighWater);
  }
  EXPECT_EQ(names.size(), kEntries);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_FALSE(fs_.wants_to_produce());
  EXPECT_FALSE(fs_.is_live(1));
}

TEST_F(FsServiceTest, WriteTakesDataUntilCloseThenReportsTheBytes) {
  handle(2, protocol::FsWrite{path("out"), 0640, ""});
  EXPECT_TRUE(fs_.is_live(2));
  handle(2, protocol::FsData{{"hello "}});
  handle(2, protocol::FsData{{"world"}});
  EXPECT_TRUE(drain().empty());
  handle(2, protocol::FsClose{});
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 1u);
  auto* done = std::get_if<protocol::FsDone>(&replies[0].message);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->bytes, 11u);
  EXPECT_TRUE(replies[0].flags & protocol::kFlagTerminal);
  EXPECT_EQ(os::read_file(path("out")).value_or(""), "hello world");
  EXPECT_FALSE(fs_.is_live(2));
}

TEST_F(FsServiceTest, AFailedWriteDropsItsDataUntilClose) {
  handle(3, protocol::FsWrite{path("missing-dir/out"), 0, ""});
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 1u);
  auto* error = std::get_if<protocol::FsError>(&replies[0].message);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, "not-found");
  handle(3, protocol::FsData{{"ignored"}});
  handle(3, protocol::FsClose{});
  EXPECT_TRUE(drain().empty());
  handle(3, protocol::FsData{{"late"}});  // after the close the id has no write at all
  replies = drain();
  ASSERT_EQ(replies.size(), 1u);
  auto* core_error = std::get_if<protocol::CoreError>(&replies[0].message);
  ASSERT_TRUE(core_error);
  EXPECT_EQ(core_error->kind, "invalid-session");
}

TEST_F(FsServiceTest, RejectsIdsInUseAndMessagesOnlyTheAgentSends) {
  handle(4, protocol::FsStat{dir_->path(), false}, /*id_taken=*/true);
  handle(5, protocol::FsDone{});
  handle(6, protocol::FsWrite{path("f"), 0, ""});
  handle(6, protocol::FsMkdir{path("d"), 0, false});  // the write is live
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(std::get<protocol::CoreError>(replies[0].message).kind, "invalid-session");
  EXPECT_EQ(std::get<protocol::CoreError>(replies[1].message).kind, "unsupported-type");
  EXPECT_EQ(std::get<protocol::CoreError>(replies[1].message).offending_type, "fs.done");
  EXPECT_EQ(std::get<protocol::CoreError>(replies[2].message).kind, "invalid-session");
  EXPECT_FALSE(os::path_exists(path("d")));
}

TEST_F(FsServiceTest, QuickRequestsAnswerAtOnceWithATerminalFrame) {
  handle(7, protocol::FsMkdir{path("d"), 0700, false});
  handle(8, protocol::FsRealPath{"relative"});
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<protocol::FsDone>(replies[0].message));
  EXPECT_EQ(std::get<protocol::FsError>(replies[1].message).kind, "invalid-path");
  for (const protocol::Envelope& reply : replies)
    EXPECT_TRUE(reply.flags & protocol::kFlagTerminal);
}

TEST_F(FsServiceTest, ReadStopsAtTheOutputWindowUntilAcknowledged) {
  constexpr size_t kBytes = 3u << 20;
  ASSERT_TRUE(os::write_file(path("big"), std::string(kBytes, 'b')).has_value());
  handle(9, protocol::FsRead{path("big"), 0, 0});
  constexpr size_t kUnbounded = 64u << 20;  // the connection never stops it here
  size_t bytes = 0;
  bool done = false;
  for (int window = 0; window < 10 && !done; ++window) {
    uint64_t cost = 0;
    while (fs_.wants_to_produce()) {
      fs_.produce(*connection_, kUnbounded);
      for (const protocol::Envelope& envelope : drain()) {
        cost += protocol::flow_cost(envelope.message);
        if (auto* data = std::get_if<protocol::FsData>(&envelope.message))
          bytes += data->data.data.size();
        done = done || (envelope.flags & protocol::kFlagTerminal);
      }
    }
    EXPECT_LE(cost, protocol::kOutputWindowBytes) << "window " << window;
    if (!done) {
      EXPECT_TRUE(fs_.is_live(9));
      EXPECT_GT(cost, protocol::kOutputWindowBytes / 2) << "window " << window;
    }
    fs_.acknowledge(9, cost);
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(bytes, kBytes);
}

TEST_F(FsServiceTest, CancelEndsAReadAndAWriteWithCancelled) {
  ASSERT_TRUE(os::write_file(path("in"), std::string(100'000, 'i')).has_value());
  handle(10, protocol::FsRead{path("in"), 0, 0});
  handle(11, protocol::FsWrite{path("out"), 0, ""});
  handle(11, protocol::FsData{{"kept"}});
  fs_.cancel(10, *connection_);
  fs_.cancel(11, *connection_);
  EXPECT_FALSE(fs_.is_live(10));
  EXPECT_FALSE(fs_.is_live(11));
  EXPECT_FALSE(fs_.wants_to_produce());
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 2u);
  for (const protocol::Envelope& reply : replies) {
    EXPECT_TRUE(reply.flags & protocol::kFlagTerminal);
    auto* error = std::get_if<protocol::FsError>(&reply.message);
    ASSERT_TRUE(error) << protocol::message_name(reply.message);
    EXPECT_EQ(error->kind, "cancelled");
    EXPECT_EQ(error->errno_value, ECANCELED);
  }
  EXPECT_EQ(os::read_file(path("out")).value_or(""), "kept");
}

TEST_F(FsServiceTest, CancelOfAFailedWriteStandsInForItsClose) {
  handle(12, protocol::FsWrite{path("missing-dir/out"), 0, ""});
  ASSERT_EQ(drain().size(), 1u);  // its fs.error
  fs_.cancel(12, *connection_);
  EXPECT_TRUE(drain().empty()) << "the write had its terminal frame already";
  handle(12, protocol::FsData{{"late"}});  // no longer dropped quietly
  std::vector<protocol::Envelope> replies = drain();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(std::get<protocol::CoreError>(replies[0].message).kind, "invalid-session");
}

TEST_F(FsServiceTest, AckAndCancelOfOtherIdsAreIgnored) {
  fs_.acknowledge(13, 1 << 20);
  fs_.cancel(13, *connection_);
  EXPECT_TRUE(drain().empty());
}

}  // namespace
}  // namespace msb::agent
