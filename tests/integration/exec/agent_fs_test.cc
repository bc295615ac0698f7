// msb-agentd in channel mode: the streaming fs requests (fs.list, fs.read, fs.write) and
// their flow control.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "agent_fs_fixture.h"
#include "os/system.h"

namespace msb::testing {
namespace {

using protocol::kFlagSessionStart;
using protocol::kFlagTerminal;

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::string bytes(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t value = generator();
    std::memcpy(bytes.data() + i, &value, 8);
  }
  return bytes;
}

size_t hash_of(std::string_view bytes) { return std::hash<std::string_view>{}(bytes); }

TEST_F(AgentFsTest, Writes64MiBInChunksAndReadsItBack) {
  constexpr size_t kSize = 64 << 20;
  std::string content = random_bytes(kSize, 42);
  std::string file = path("big");
  FsReply written = write(1, protocol::FsWrite{file, 0600, ""}, content, 1 << 20);
  expect_done(written, kSize);
  Result<std::string> on_disk = os::read_file(file);
  ASSERT_TRUE(on_disk.has_value());
  EXPECT_EQ(on_disk->size(), kSize);
  EXPECT_EQ(hash_of(*on_disk), hash_of(content));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  FsReply read = request(2, protocol::FsRead{file, 0, 0});
  ASSERT_TRUE(read.done.has_value()) << (read.error ? read.error->message : "");
  EXPECT_EQ(read.done->bytes, kSize);
  EXPECT_EQ(read.data.size(), kSize);
  EXPECT_EQ(hash_of(read.data), hash_of(content));
  EXPECT_LE(read.largest_chunk, 256u * 1024);
  EXPECT_EQ(read.order.back(), "fs.done");
  // Neither direction held the file in memory.
  if (kMemoryBoundsChecked) {
    EXPECT_LT(agent_memory_kib("VmHWM"), 48 * 1024);
  }
}

TEST_F(AgentFsTest, ReadStopsWhileTheHostDoesNotRead) {
  std::string file = path("big");
  ASSERT_TRUE(os::write_file(file, random_bytes(24 << 20, 7)).has_value());
  long before = agent_memory_kib("VmRSS");
  pid_t agent = client_->agent().pid();
  long long read_before = io_counter(agent, "rchar");
  ASSERT_TRUE(client_->send(3, kFlagSessionStart, protocol::FsRead{file, 0, 0}).has_value());
  // The agent fills the socket and its 1 MiB queue, then waits: it has read, and now sleeps
  // with its read count standing still.
  long long last = -1;
  EXPECT_TRUE(wait_until(
      [&] {
        long long now = io_counter(agent, "rchar");
        bool waits = now > read_before && now == last && sleeping(agent);
        last = now;
        return waits;
      },
      milliseconds(30'000), milliseconds(20)))
      << "the agent did not stop reading; bytes read: " << last - read_before;
  if (kMemoryBoundsChecked) {
    EXPECT_LT(agent_memory_kib("VmRSS") - before, 8 * 1024);
  }
  FsReply read = collect(3);
  ASSERT_TRUE(read.done.has_value());
  EXPECT_EQ(read.done->bytes, 24u << 20);
}

TEST_F(AgentFsTest, ReadsWithOffsetAndLength) {
  std::string file = path("digits");
  ASSERT_TRUE(os::write_file(file, "0123456789").has_value());
  struct Case {
    uint64_t offset, length;
    std::string expected;
  };
  uint32_t id = 10;
  for (const Case& c : {Case{3, 4, "3456"}, Case{8, 0, "89"}, Case{0, 0, "0123456789"},
                        Case{6, 100, "6789"}, Case{10, 0, ""}, Case{50, 5, ""}}) {
    FsReply read = request(id++, protocol::FsRead{file, c.offset, c.length});
    ASSERT_TRUE(read.done.has_value()) << c.offset;
    EXPECT_EQ(read.data, c.expected) << c.offset << "+" << c.length;
    EXPECT_EQ(read.done->bytes, c.expected.size());
  }
}

TEST_F(AgentFsTest, ReadOfADirectoryOrAFifoFails) {
  expect_error(request(1, protocol::FsRead{dir_->path(), 0, 0}), "is-a-directory");
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  protocol::FsError error = expect_error(request(2, protocol::FsRead{fifo, 0, 0}), "other");
  EXPECT_NE(error.message.find("not a regular file"), std::string::npos) << error.message;
}

TEST_F(AgentFsTest, ListsAFileADirectoryAndASymlinkSorted) {
  ASSERT_TRUE(os::write_file(path("b-file"), "hello", 0640).has_value());
  ASSERT_TRUE(os::make_dir(path("a-dir"), 0750).has_value());
  ASSERT_EQ(::chmod(path("a-dir").c_str(), 0750), 0);
  ASSERT_TRUE(os::make_symlink("b-file", path("c-link")).has_value());
  FsReply list = request(1, protocol::FsList{dir_->path()});
  ASSERT_TRUE(list.done.has_value()) << (list.error ? list.error->message : "");
  EXPECT_EQ(list.order, (std::vector<std::string>{"fs.list_entry", "fs.list_entry", "fs.list_entry",
                                                  "fs.done"}));
  ASSERT_EQ(list.entries.size(), 3u);
  EXPECT_EQ(list.entries[0].name, "a-dir");
  EXPECT_EQ(list.entries[0].type, "dir");
  EXPECT_EQ(list.entries[0].mode, 0750u);
  EXPECT_EQ(list.entries[1].name, "b-file");
  EXPECT_EQ(list.entries[1].type, "file");
  EXPECT_EQ(list.entries[1].size, 5u);
  EXPECT_GT(list.entries[1].mtime_ns, 0);
  EXPECT_EQ(list.entries[1].link_target, "");
  EXPECT_EQ(list.entries[2].name, "c-link");
  EXPECT_EQ(list.entries[2].type, "symlink");
  EXPECT_EQ(list.entries[2].link_target, "b-file");
}

TEST_F(AgentFsTest, ListsAnEmptyDirectoryWithDoneOnly) {
  FsReply list = request(1, protocol::FsList{dir_->path()});
  EXPECT_EQ(list.order, std::vector<std::string>{"fs.done"});
  EXPECT_TRUE(list.last_flags & kFlagTerminal);
}

TEST_F(AgentFsTest, Lists20000EntriesCompleteAndInOrder) {
  std::vector<std::string> names;
  for (int i = 0; i < 20000; ++i) names.push_back("entry-" + std::to_string(i * 7919 % 20000));
  // Hard links to one file: creating 20000 inodes would take ext4 seconds.
  ASSERT_TRUE(os::write_file(path("entry-0"), "").has_value());
  for (const std::string& name : names) {
    if (name == "entry-0") continue;
    ASSERT_EQ(::link(path("entry-0").c_str(), path(name).c_str()), 0);
  }
  std::sort(names.begin(), names.end());
  FsReply list = request(1, protocol::FsList{dir_->path()});
  ASSERT_TRUE(list.done.has_value());
  ASSERT_EQ(list.entries.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(list.entries[i].name, names[i]) << i;
    ASSERT_EQ(list.entries[i].type, "file") << i;
  }
}

TEST_F(AgentFsTest, PingIsAnsweredWhileAListingStreams) {
  ASSERT_TRUE(os::write_file(path("0"), "").has_value());
  for (int i = 1; i < 3000; ++i) {
    ASSERT_EQ(::link(path("0").c_str(), path(std::to_string(i)).c_str()), 0);
  }
  ASSERT_TRUE(client_->send(1, kFlagSessionStart, protocol::FsList{dir_->path()}).has_value());
  ASSERT_TRUE(client_->send(2, 0, protocol::CorePing{}).has_value());
  size_t entries = 0;
  bool pong = false, done = false;
  while (!done) {
    Result<protocol::Envelope> envelope = client_->next();
    ASSERT_TRUE(envelope.has_value()) << envelope.error().message;
    if (envelope->id == 2) pong = std::holds_alternative<protocol::CorePong>(envelope->message);
    if (std::holds_alternative<protocol::FsListEntry>(envelope->message)) ++entries;
    done = envelope->id == 1 && (envelope->flags & kFlagTerminal);
  }
  EXPECT_EQ(entries, 3000u);
  if (!pong) {
    Result<protocol::Envelope> late = client_->next();
    ASSERT_TRUE(late.has_value());
    pong = std::holds_alternative<protocol::CorePong>(late->message);
  }
  EXPECT_TRUE(pong);
}

TEST_F(AgentFsTest, WriteFlagsCreateTruncateAppendExclusive) {
  std::string file = path("f");
  expect_done(write(1, protocol::FsWrite{file, 0, "create"}, "hello"), 5);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);  // mode 0 is the default
  expect_done(write(2, protocol::FsWrite{file, 0, "append"}, " world"), 6);
  EXPECT_EQ(os::read_file(file).value_or(""), "hello world");
  expect_done(write(3, protocol::FsWrite{file, 0, "truncate"}, "bye"), 3);
  EXPECT_EQ(os::read_file(file).value_or(""), "bye");
  expect_error(write(4, protocol::FsWrite{file, 0, "exclusive"}, "x"), "already-exists");
  expect_error(write(5, protocol::FsWrite{path("missing"), 0, "truncate"}, "x"), "not-found");
  protocol::FsError bad =
      expect_error(write(6, protocol::FsWrite{file, 0, "create,sync"}, "x"), "other");
  EXPECT_NE(bad.message.find("'sync'"), std::string::npos) << bad.message;
  EXPECT_EQ(os::read_file(file).value_or(""), "bye");
}

TEST_F(AgentFsTest, WriteCreatesWithTheExactModeWhateverTheUmask) {
  std::string file = path("script");
  expect_done(write(1, protocol::FsWrite{file, 0777, ""}, "#!/bin/sh\n"), 10);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u);
}

TEST_F(AgentFsTest, WriteErrorMidWayIsTerminalAndTheRestIsIgnored) {
  // /dev/full takes the open and fails every write with ENOSPC.
  FsReply reply = write(1, protocol::FsWrite{"/dev/full", 0, ""}, std::string(3 << 20, 'x'));
  protocol::FsError error = expect_error(reply, "io");
  EXPECT_EQ(error.errno_value, ENOSPC);
  EXPECT_EQ(error.path, "/dev/full");
  // The later fs.data frames and the fs.close got no reply: the next frame is the pong.
  ASSERT_TRUE(client_->send(2, 0, protocol::CorePing{}).has_value());
  Result<protocol::Envelope> next = client_->next();
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->id, 2u);
  EXPECT_TRUE(std::holds_alternative<protocol::CorePong>(next->message))
      << protocol::message_name(next->message);
}

TEST_F(AgentFsTest, WriteToADirectoryFailsAndItsDataIsDropped) {
  expect_error(write(1, protocol::FsWrite{dir_->path(), 0, ""}, "data"), "is-a-directory");
  FsReply after = request(1, protocol::FsStat{dir_->path(), false});  // the id is free again
  ASSERT_TRUE(after.stat.has_value());
  EXPECT_EQ(after.stat->type, "dir");
}

TEST_F(AgentFsTest, WriteToAFifoWithoutAReaderFailsInsteadOfHanging) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  protocol::FsError error = expect_error(write(1, protocol::FsWrite{fifo, 0, ""}, "x"), "other");
  EXPECT_EQ(error.errno_value, ENXIO);
}

TEST_F(AgentFsTest, DataWithoutAWriteIsAnInvalidSession) {
  ASSERT_TRUE(client_->send(7, 0, protocol::FsData{{"x"}}).has_value());
  FsReply reply = collect(7);
  ASSERT_TRUE(reply.core_error.has_value());
  EXPECT_EQ(reply.core_error->kind, "invalid-session");
}

TEST_F(AgentFsTest, FsRequestWithALiveExecSessionIdIsAnInvalidSession) {
  protocol::ExecRequest sleep = exec_request("/bin/sleep", {"30"});
  ASSERT_TRUE(client_->send(9, kFlagSessionStart, sleep).has_value());
  Result<protocol::Envelope> started = client_->next();
  ASSERT_TRUE(started.has_value());
  ASSERT_TRUE(std::holds_alternative<protocol::ExecStarted>(started->message));
  FsReply reply = request(9, protocol::FsList{dir_->path()});
  ASSERT_TRUE(reply.core_error.has_value());
  EXPECT_EQ(reply.core_error->kind, "invalid-session");
  ASSERT_TRUE(client_->send(9, 0, protocol::ExecSignal{SIGKILL}).has_value());
  Result<SessionEvents> events = client_->collect(9);
  ASSERT_TRUE(events.has_value()) << events.error().message;
  EXPECT_TRUE(events->exited.has_value());
}

}  // namespace
}  // namespace msb::testing
