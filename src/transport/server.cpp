// The embedded server, written like Beast's http_server_async example: a listener accepting
// sessions, each reading a request, handing it to the adapter and writing the answer.
#include "healthchecks/server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/tls.hpp"
#include "transport/session.hpp"

namespace healthchecks {
namespace detail {
namespace {

constexpr auto kOutOfDescriptorsLogEvery = std::chrono::seconds(10);
constexpr auto kOutOfDescriptorsBackoff = std::chrono::milliseconds(50);
}  // namespace

class ServerImpl {
 public:
  ServerImpl(const Router& router, ServerOptions options);
  ~ServerImpl() {
    stop(std::chrono::milliseconds(0));
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
  }

  unsigned short port() const noexcept { return port_; }
  void start_threads(unsigned count);
  void run();
  void start() { start_threads(std::max(1u, options_.threads)); }
  void stop(std::chrono::milliseconds grace);
  void reload_tls();

 private:
  void start_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void out_of_descriptors(const error_code& ec);
  bool full() const;
  void start_sweeping();

  std::shared_ptr<ServerShared> shared_;
  const ServerOptions& options_;  // the sessions' copy
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  // Out of descriptors: one kept in reserve, given up to accept and turn away a client.
  int reserve_fd_ = -1;
  asio::steady_timer backoff_;
  asio::steady_timer sweeper_;
  std::chrono::steady_clock::time_point last_logged_{};
};

ServerImpl::ServerImpl(const Router& router, ServerOptions options)
    : shared_(std::make_shared<ServerShared>(router, options)),
      options_(shared_->options),
      acceptor_(shared_->io),
      reserve_fd_(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
      backoff_(shared_->io),
      sweeper_(shared_->io) {
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  if (options_.tls) shared_->tls = make_tls_context(*options_.tls);
  error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) throw Error("server", "'" + options_.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Error("server", "cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  start_accept();
  start_sweeping();
}

void ServerImpl::start_accept() {
  // One thread needs no strand; several do, one per connection.
  auto on_accept = [this](error_code ec, tcp::socket socket) {
    this->on_accept(ec, std::move(socket));
  };
  if (options_.threads > 1) {
    acceptor_.async_accept(asio::make_strand(shared_->io), std::move(on_accept));
  } else {
    acceptor_.async_accept(shared_->io.get_executor(), std::move(on_accept));
  }
}

void ServerImpl::on_accept(error_code ec, tcp::socket socket) {
  if (shared_->stopping) return;
  if (ec == asio::error::no_descriptors || ec.value() == ENFILE) return out_of_descriptors(ec);
  if (ec) {
    fail(ec, "accept");
  } else if (full()) {
    // Over the cap: say so and close, rather than leave the client to time out. The answer is
    // far smaller than a fresh socket's send buffer, so this write does not block. An https
    // client would read it as a broken handshake: it is only closed.
    if (!options_.tls) asio::write(socket, asio::buffer(kBusy, sizeof kBusy - 1), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    if (auto tls = shared_->tls_context()) {
      std::make_shared<Session<TlsStream>>(std::move(socket), shared_, std::move(tls))->run();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), shared_, nullptr)->run();
    }
  }
  start_accept();
}

// The kernel keeps the client in the accept queue and reports it again at once: retrying would
// spin a core and flood the log. Give up the reserve descriptor to accept one client, tell it
// 503, take the reserve back, and pause before accepting again.
void ServerImpl::out_of_descriptors(const error_code& ec) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_logged_ >= kOutOfDescriptorsLogEvery) {
    last_logged_ = now;
    std::size_t open = 0;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      open = shared_->sessions.size();
    }
    std::cerr << "healthchecks: server: accept: " << ec.message() << " (" << open
              << " connections open, the descriptor limit is reached);"
              << " answering 503 until descriptors are free (raise 'ulimit -n' or lower"
              << " max_connections)\n";
  }
  if (reserve_fd_ >= 0) {
    ::close(reserve_fd_);
    // Only when a client is waiting: accept(2) on a listening socket in blocking mode would
    // otherwise hold this thread.
    pollfd waiting{acceptor_.native_handle(), POLLIN, 0};
    const int client = ::poll(&waiting, 1, 0) == 1
                           ? ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC)
                           : -1;
    if (client >= 0) {
      if (!options_.tls) (void)::send(client, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(client);
    }
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  backoff_.expires_after(kOutOfDescriptorsBackoff);
  backoff_.async_wait([this](error_code wait) {
    if (!wait && !shared_->stopping) start_accept();
  });
}

// Idle kept-alive connections are closed by one sweep over them all, a few times per
// idle_timeout (at most once a second), instead of by a timer per connection re-armed for every
// request: a connection closes between idle_timeout and a quarter more after its last answer.
void ServerImpl::start_sweeping() {
  const auto period = std::clamp<std::chrono::milliseconds>(
      options_.idle_timeout / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  sweeper_.expires_after(period);
  sweeper_.async_wait([this](error_code ec) {
    if (ec || shared_->stopping) return;
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      live.reserve(shared_->sessions.size());
      for (auto& entry : shared_->sessions) {
        if (auto session = entry.second.lock()) live.push_back(std::move(session));
      }
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto& session : live) session->close_if_idle(now);
    start_sweeping();
  });
}

bool ServerImpl::full() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->sessions.size() >= options_.max_connections;
}

void ServerImpl::start_threads(unsigned count) {
  std::lock_guard<std::mutex> lock(threads_mutex_);
  for (unsigned i = 0; i < count; ++i)
    threads_.emplace_back([shared = shared_] { shared->io.run(); });
}

void ServerImpl::run() {
  start_threads(options_.threads > 1 ? options_.threads - 1 : 0);
  shared_->io.run();
}

void ServerImpl::stop(std::chrono::milliseconds grace) {
  if (stopped_.exchange(true)) return;
  shared_->stopping = true;
  asio::post(shared_->io, [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
  asio::post(shared_->io, [this] {
    backoff_.cancel();
    sweeper_.cancel();
  });
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    for (auto& entry : shared_->sessions) {
      if (auto session = entry.second.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->shutdown();
  live.clear();
  {
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->sessions_gone.wait_for(lock, grace, [this] { return shared_->sessions.empty(); });
  }
  shared_->work.reset();
  shared_->io.stop();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(threads_mutex_);
    threads.swap(threads_);
  }
  for (auto& thread : threads) {
    if (thread.get_id() != std::this_thread::get_id()) {
      thread.join();
    } else {
      thread.detach();
    }
  }
  // Pending operations hold their connections, which hold the io_context: close what is
  // left and run the aborted handlers here, so that nothing keeps the other alive.
  std::vector<std::shared_ptr<Connection>> left;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stopped = true;
    for (auto& entry : shared_->sessions) {
      if (auto session = entry.second.lock()) left.push_back(std::move(session));
    }
  }
  for (auto& session : left) session->close_now();
  left.clear();
  error_code ignored;
  acceptor_.close(ignored);
  shared_->io.restart();
  while (shared_->io.poll() > 0) {
  }
}

// Read and checked before it replaces anything: a bad file leaves the old context in place.
void ServerImpl::reload_tls() {
  if (!options_.tls) throw Error("server", "tls: reload_tls() on a server that serves plain HTTP");
  auto context = make_tls_context(*options_.tls);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->tls = std::move(context);
}

}  // namespace detail

void check_tls_files(const TlsServerOptions& options) {
  (void)detail::make_tls_context(options);
}

std::size_t default_max_connections() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 16384;
  constexpr rlim_t kReserved = 32;  // the registry's own: pool, timers, checks' sockets, files
  if (limit.rlim_cur <= kReserved + 2) return 1;
  return static_cast<std::size_t>(std::min<rlim_t>((limit.rlim_cur - kReserved) / 2, 16384));
}

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<detail::ServerImpl>(router, std::move(options))) {}

Server::~Server() = default;

unsigned short Server::port() const noexcept {
  return impl_->port();
}

void Server::start() {
  impl_->start();
}

void Server::run() {
  impl_->run();
}

void Server::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}

void Server::reload_tls() {
  impl_->reload_tls();
}

}  // namespace healthchecks
