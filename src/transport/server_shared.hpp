// What the embedded server (server.cpp) and its connections (session.hpp) share: the state
// every session holds so that one finishing late still finds its io_context, and the interface
// stop() and the idle sweep see a connection through.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"

namespace healthchecks::detail {

namespace asio = boost::asio;

inline constexpr char kBusy[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 21\r\n\r\ntoo many connections\n";

// A connection as the server's stop() sees it, whatever it speaks.
class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful stop: an idle connection closes now, a busy one after its answer.
  virtual void shutdown() = 0;
  // After the io_context stopped, from the stopping thread: nothing else touches the socket.
  virtual void close_now() = 0;
  // The server's sweep (server.cpp): closes the connection if it has waited for a request
  // since before `now - idle_timeout`.
  virtual void close_if_idle(std::chrono::steady_clock::time_point now) = 0;
};

// What sessions share with the server. Held by every session, so that a session finishing
// late (its answer came from a slow check after stop) still finds its io_context and peers.
struct ServerShared {
  ServerShared(const Router& r, const ServerOptions& o) : router(r), options(o) {
    if (options.max_connections == 0) options.max_connections = default_max_connections();
  }
  const Router router;    // a handle: the server keeps its router alive
  ServerOptions options;  // as given, with max_connections derived when 0
  asio::io_context io;
  std::atomic<std::size_t> buffered{0};  // answer bytes being written
  // Connections waiting for a check have no I/O pending; this keeps run() from returning.
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::atomic<bool> stopping{false};
  bool stopped = false;  // with mutex: the io_context runs no more
  std::mutex mutex;
  std::condition_variable sessions_gone;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> sessions;
  // https: what new connections take, replaced by reload_tls() (with mutex); null for HTTP.
  // Each connection holds the one it took, which keeps its verify callback alive.
  std::shared_ptr<asio::ssl::context> tls;

  std::shared_ptr<asio::ssl::context> tls_context() {
    std::lock_guard<std::mutex> lock(mutex);
    return tls;
  }
};

}  // namespace healthchecks::detail
