// A small embedded HTTP server for services that have none: serves one Router on a port.
// Built on the Beast adapter; its Asio internals stay in the source file.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "healthchecks/export.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/tls.hpp"

namespace healthchecks {

namespace detail {
class ServerImpl;
}

struct ServerOptions {
  ServerOptions() = default;
  ServerOptions(std::string address_, unsigned short port_, unsigned threads_ = 1)
      : address(std::move(address_)), port(port_), threads(threads_) {}

  /// Address to listen on. The default serves this machine only; use "0.0.0.0" to expose it.
  std::string address = "127.0.0.1";
  /// 0 picks a free port (see Server::port()).
  unsigned short port = 8080;
  /// Threads that run the connections. Checks never run on them.
  unsigned threads = 1;

  // Limits: a client cannot hold the server with slow or endless input.

  /// From a request's first byte to its last: a client that trickles its header (one byte a
  /// second) is dropped when this runs out.
  std::chrono::milliseconds read_timeout{10000};
  /// How long a kept-alive connection may wait for its next request. Checked by a sweep over
  /// the connections every quarter of it (at most every second), so one closes up to a
  /// quarter later.
  std::chrono::milliseconds idle_timeout{60000};
  /// Largest request header; a larger one is answered 431.
  std::size_t max_header_bytes = 8 * 1024;
  /// Most connections open at once; beyond it new ones are answered 503 and closed. 0 derives
  /// it from the process's descriptor limit (RLIMIT_NOFILE): (limit - 32) / 2, as a connection
  /// that traverses holds a second descriptor to the peer; 496 under the common limit of 1024.
  /// Should descriptors run out all the same, the server answers 503 to what it can accept and
  /// logs once every 10 s; it never spins.
  std::size_t max_connections = 0;
  /// Most bytes of answers waiting to be written to slow readers. An answer over 16 KiB that
  /// would pass it is replaced by a 503 with Retry-After; small answers (levels, am-i-up, a
  /// small About) always go out.
  std::size_t max_buffered_bytes = 32 * 1024 * 1024;

  /// Serve https with these files instead of plain HTTP (the same limits apply; a handshake
  /// counts against read_timeout). The constructor reads them and throws Error when one is
  /// missing or unusable; Server::reload_tls() reads them again.
  std::optional<TlsServerOptions> tls;
};

/// The connection cap that ServerOptions::max_connections = 0 stands for in this process.
HEALTHCHECKS_EXPORT std::size_t default_max_connections();

/// Serves a Router over HTTP/1.1 (or https, with ServerOptions::tls) with keep-alive; anything
/// outside the router's base path is answered 404.
///
///     healthchecks::Server server(router, {"127.0.0.1", 8080});
///     server.run();  // until server.stop() from another thread or a signal handler
///
/// The Server keeps a copy of the Router (a handle on the same router), so either may be
/// destroyed first.
class HEALTHCHECKS_EXPORT Server {
 public:
  /// Binds and listens at once, so a taken port fails here.
  /// @throws Error ("server: ...") naming the address when it cannot listen, or the file when
  ///         a TLS file is missing or unusable.
  Server(const Router& router, ServerOptions options = {});
  /// Stops (see stop()).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The port it listens on (the chosen one when options.port was 0).
  unsigned short port() const noexcept;

  /// Serves on `options.threads` background threads and returns at once.
  void start();
  /// Serves on the calling thread (plus threads - 1 more) until stop().
  void run();
  /// Stops accepting, lets answers in flight finish (for up to `grace`), closes every
  /// connection and joins the threads. Idempotent; safe from any thread but a server thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  /// Reads the certificate, key and client CA files of options.tls again, for rotated
  /// certificates: connections accepted from now on use them, those open keep theirs. Safe
  /// from any thread, while serving.
  /// @throws Error ("server: tls: ...") naming the file, when the server serves plain HTTP or
  ///         a file is missing or unusable; the server then keeps the files it had.
  void reload_tls();

 private:
  std::unique_ptr<detail::ServerImpl> impl_;
};

}  // namespace healthchecks
