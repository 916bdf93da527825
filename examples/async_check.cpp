// async_check: a custom asynchronous check. It starts a probe on the service's own Asio
// io_context and completes later, so no thread waits while the dependency answers. The probe
// here is a timer standing in for a network round trip; swap in your client's async call.
//
//   build/bin/async_check 8080
//   curl -i localhost:8080/status/inventory
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "healthchecks.hpp"

namespace hc = healthchecks;
namespace asio = boost::asio;

hc::Check inventory_check(asio::io_context& io);

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  if (argc > 2 || port <= 0 || port > 65535) {
    std::cerr << "usage: async_check [PORT]\n  example: async_check 8080\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The service's own event loop, as it would already have one.
  asio::io_context io;
  auto work = asio::make_work_guard(io);

  hc::Registry registry;
  hc::StatusEndpoint inventory("Inventory API", "inventory", "external", inventory_check(io));
  inventory.timeout = std::chrono::milliseconds(500);  // this probe must answer in 500 ms
  registry.add(inventory);

  hc::Router router(registry);
  hc::ServerOptions options;
  options.port = static_cast<unsigned short>(port);
  std::optional<hc::Server> server;
  try {
    server.emplace(router, options);  // listens now: a port in use fails here
  } catch (const hc::Error& e) {
    std::cerr << argv[0] << ": " << e.what() << '\n';
    return 1;
  }
  std::thread loop([&io] { io.run(); });
  server->start();
  std::cout << "try: curl -i localhost:" << server->port() << "/status/inventory" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  server->stop();
  work.reset();
  io.stop();
  loop.join();
}

// Check::async takes a function that starts the probe and returns at once; the Completion is
// called later, from any thread.
// @note Capture what the probe needs by value: the check may finish after the request that
//       started it has been answered (at its deadline).
hc::Check inventory_check(asio::io_context& io) {
  return hc::Check::async([&io](const hc::CheckContext& context, hc::Completion done) {
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(40));
    timer->async_wait([timer, done, left = context.time_left()](boost::system::error_code ec) {
      if (ec) {
        done(hc::Status::crit("probe failed: " + ec.message()));
        return;
      }
      done(hc::Status::ok("",
                          "answered in 40 ms (" + std::to_string(left.count()) + " ms were left)"));
    });
  });
}
