// msb-server: the API server (`msb server` runs it). All logic is in server_main.cc.
#include <csignal>

#include "server/server_main.h"

int main(int argc, char** argv) {
  // A client that goes away must surface as a write error on its connection.
  std::signal(SIGPIPE, SIG_IGN);
  return msb::server::server_main(std::vector<std::string>(argv + 1, argv + argc));
}
