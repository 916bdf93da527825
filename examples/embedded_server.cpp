// embedded_server: a service with no HTTP server of its own serves the Health Checks API with
// healthchecks::Server. It registers two dependencies (one healthy, one that fails now and
// then) and a peer service, then serves until Ctrl-C.
//
//   build/bin/embedded_server 8080
//   curl -i localhost:8080/status/about
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <string>

#include "healthchecks.hpp"

namespace hc = healthchecks;

hc::About describe_service();
hc::Status check_queue();

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  if (argc > 2 || port <= 0 || port > 65535) {
    std::cerr << "usage: embedded_server [PORT]\n  example: embedded_server 8080\n";
    return 2;
  }

  // Block Ctrl-C and SIGTERM in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // 1. Describe the service and register what it depends on, in the order About lists them.
  hc::Registry registry(describe_service());
  registry.add({"Config store", "config", "internal", [] { return true; }});
  registry.add({"Work queue", "queue", "internal", check_queue});
  // A peer that speaks the API too; nothing listens on 8099 unless you start one.
  registry.add(hc::checks::peer("Billing", "billing", "http://127.0.0.1:8099"));

  // 2. Route /status/... and serve it. Checks run on the registry's threads, not the server's.
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
  server->start();
  std::cout << "serving on http://127.0.0.1:" << server->port() << "/status/\n"
            << "try: curl -i localhost:" << server->port() << "/status/aggregate" << std::endl;

  // 3. Stop cleanly on Ctrl-C: answers in flight are finished first.
  int signal = 0;
  sigwait(&signals, &signal);
  server->stop();
}

hc::About describe_service() {
  hc::About about;
  about.id = "embedded-example";
  about.name = "Embedded server example";
  about.description = "Shows healthchecks::Server serving a registry.";
  about.owners = {"you@example.com"};
  about.version = "0.1.0";
  about.custom_data["region"] = "local";
  return about;
}

// A synchronous check may block: it runs on a worker thread, bounded by its deadline (2 s).
hc::Status check_queue() {
  static std::atomic<unsigned> calls{0};
  if (++calls % 5 == 0) return hc::Status::warn("consumer lag above 1000 messages");
  return hc::Status::ok();
}
