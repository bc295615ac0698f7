#include "engine/vm/upper_disk.h"

#include <fcntl.h>

#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::engine::vm {

namespace {

Result<void> format_upper_disk(const std::string& path, uint64_t size_bytes,
                               UpperDiskJournal journal) {
  MSB_TRY(os::create_sparse_file(path, size_bytes));
  Result<std::string> mkfs = os::find_host_executable("mkfs.ext4");
  if (!mkfs)
    return err(ErrorKind::kNotFound,
               "mkfs.ext4 not found; install it with: apt-get install e2fsprogs");
  os::PipePair output = MSB_TRY(os::make_pipe());
  os::SpawnOptions options;
  options.argv = {*mkfs, "-q", "-F"};
  options.argv.insert(options.argv.end(), {"-E", "lazy_itable_init=1,lazy_journal_init=1"});
  if (journal == UpperDiskJournal::kNone)
    options.argv.insert(options.argv.end(), {"-O", "^has_journal"});
  options.argv.insert(options.argv.end(), {"-L", "msb-upper", path});
  options.fds = {{output.write.get(), 1}, {output.write.get(), 2}};
  os::ChildProcess child = MSB_TRY(os::ChildProcess::spawn(options));
  output.write.reset();
  std::string messages = MSB_TRY(os::read_to_end(output.read.get()));
  os::ExitStatus status = MSB_TRY(child.wait());
  if (!status.success()) {
    return err(ErrorKind::kIo, "format upper disk {}: mkfs.ext4 exited with {}: {}", path,
               status.shell_code(), messages);
  }
  return {};
}

}  // namespace

Result<void> create_upper_disk(const std::string& path, uint64_t size_bytes,
                               UpperDiskJournal journal) {
  Result<void> created = format_upper_disk(path, size_bytes, journal);
  if (!created) (void)os::remove_file(path);  // never leave a half-made disk behind
  return created;
}

}  // namespace msb::engine::vm
