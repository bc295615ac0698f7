// hello_sandbox: create a sandbox, run a command, read a file it wrote, remove it.
//   hello_sandbox [vm|namespace]
#include <microsandbox/sandbox.h>
#include <microsandbox/version.h>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  try {
    auto builder = microsandbox::Sandbox::builder("hello-sdk");
    builder.image("base").ephemeral();
    if (argc > 1) builder.isolation(argv[1]);
    microsandbox::Sandbox sandbox = builder.create();

    microsandbox::ExecOutput out = sandbox.shell("echo hello from $(uname -s) > /tmp/greeting");
    if (!out.success()) {
      std::cerr << "exec failed: " << out.stderr_data;
      return 1;
    }
    std::cout << sandbox.fs().read("/tmp/greeting");
    sandbox.stop_and_wait();  // ephemeral: removed as it stops
    std::cout << "microsandbox " << microsandbox::version() << "\n";
    return 0;
  } catch (const microsandbox::Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
