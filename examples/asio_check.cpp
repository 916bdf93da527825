// asio_check: a check written the way the built-in ones are. It does its own I/O with Asio on
// the registry's I/O thread (healthchecks::asio::executor), under a deadline of its own, so no
// thread waits while the dependency answers and the service brings no event loop of its own.
// The check here connects to a TCP port; by default its own, so that it has something to reach.
//
//   build/bin/asio_check 8080 127.0.0.1 5432
//   curl -i 127.0.0.1:8080/status/v2/database
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "healthchecks.hpp"
#include "healthchecks/asio/executor.hpp"

namespace hc = healthchecks;
namespace asio = boost::asio;

hc::Check tcp_connect_check(std::string host, std::string port);

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  if (argc == 3 || argc > 4 || port <= 0 || port > 65535) {
    std::cerr << "usage: asio_check [PORT [HOST TARGET_PORT]]\n"
                 "  example: asio_check 8080 127.0.0.1 5432\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The dependency: the one named on the command line, or this service's own port.
  const std::string host = argc == 4 ? argv[2] : "127.0.0.1";
  const std::string target_port = argc == 4 ? argv[3] : std::to_string(port);

  hc::Registry registry;
  hc::StatusEndpoint database("Database", "database", "internal",
                              tcp_connect_check(host, target_port));
  database.timeout = std::chrono::milliseconds(500);  // the check's deadline
  registry.add(database);

  hc::Router router(registry);
  hc::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = static_cast<unsigned short>(port);
  std::optional<hc::Server> server;
  try {
    server.emplace(router, options);  // listens now: a port in use fails here
  } catch (const hc::Error& e) {
    std::cerr << argv[0] << ": " << e.what() << '\n';
    return 1;
  }
  server->start();
  std::cout << "try: curl -i 127.0.0.1:" << server->port() << "/status/v2/database" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  server->stop();
}

// One probe: resolve, connect, and a timer that gives up at the check's deadline. Its handlers
// keep it alive (shared_ptr), and the Completion is called once, whichever ends first.
// @note Make every I/O object from one executor(context): when the registry runs more than one
//       I/O thread, it is a strand, so the probe's handlers never run at the same time.
struct Probe : std::enable_shared_from_this<Probe> {
  Probe(const hc::CheckContext& context, hc::Completion completion)
      : executor(hc::asio::executor(context)),
        resolver(executor),
        socket(executor),
        timer(executor, context.deadline),
        done(std::move(completion)),
        started(std::chrono::steady_clock::now()) {}

  void start(const std::string& host, const std::string& port) {
    // The deadline: cancel whatever is pending; its handler then reports.
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the probe finished first
      self->resolver.cancel();
      self->socket.close(ec);
    });
    resolver.async_resolve(
        host, port,
        [self = shared_from_this()](boost::system::error_code ec,
                                    asio::ip::tcp::resolver::results_type results) {
          if (ec) return self->finish(hc::Status::crit("resolve: " + ec.message()));
          asio::async_connect(self->socket, results,
                              [self](boost::system::error_code ec, const asio::ip::tcp::endpoint&) {
                                self->on_connect(ec);
                              });
        });
  }

  void on_connect(boost::system::error_code ec) {
    if (ec) return finish(hc::Status::crit("connect: " + ec.message()));
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    finish(hc::Status::ok("", "connected in " + std::to_string(took.count()) + " us"));
  }

  void finish(hc::Status status) {
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    done(std::move(status));  // calls after the first are ignored
  }

  asio::any_io_executor executor;
  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  hc::Completion done;
  std::chrono::steady_clock::time_point started;
};

// Check::async: the start function returns at once; the probe completes later.
hc::Check tcp_connect_check(std::string host, std::string port) {
  return hc::Check::async([host, port](const hc::CheckContext& context, hc::Completion done) {
    std::make_shared<Probe>(context, std::move(done))->start(host, port);
  });
}
