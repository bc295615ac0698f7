#include "os/run_command.h"

#include "os/child_process.h"
#include "os/io.h"

namespace msb::os {

Result<std::string> run_command(const std::vector<std::string>& argv) {
  MSB_CHECK(!argv.empty());
  SpawnOptions options;
  options.argv = argv;
  PipePair output = MSB_TRY(make_pipe());
  options.fds = {{output.write.get(), 1}, {output.write.get(), 2}};
  ChildProcess child = MSB_TRY(ChildProcess::spawn(options));
  output.write.reset();  // the child holds the only write end: EOF once it exits
  std::string printed = MSB_TRY(read_to_end(output.read.get()));
  ExitStatus status = MSB_TRY(child.wait());
  if (!status.success())
    return err(ErrorKind::kIo, "{} exited with {}: {}", argv[0], status.shell_code(), printed);
  return printed;
}

}  // namespace msb::os
