// The embedded server, written like Beast's http_server_async example: a listener accepting
// sessions, each reading a request, handing it to the adapter and writing the answer.
#include "healthchecks/server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>

#include "detail/transfer_encoding.hpp"
#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/error.hpp"

namespace healthchecks {
namespace detail {
namespace {

namespace asio = boost::asio;
namespace bst = boost::beast;
namespace http = bst::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto kWriteTimeout = std::chrono::seconds(10);
constexpr std::size_t kBodyLimit = 8 * 1024;
constexpr std::size_t kAlwaysWritten = 16 * 1024;  // answers this small skip the byte budget
constexpr auto kOutOfDescriptorsLogEvery = std::chrono::seconds(10);
constexpr auto kOutOfDescriptorsBackoff = std::chrono::milliseconds(50);

constexpr char kBusy[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 21\r\n\r\ntoo many connections\n";

// Ends of connections that are part of normal life are not worth a line in the log.
void fail(error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == bst::error::timeout ||
      ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::not_connected) {
    return;
  }
  std::cerr << "healthchecks: server: " << what << ": " << ec.message() << '\n';
}

}  // namespace

class Session;

// What sessions share with the server. Held by every session, so that a session finishing
// late (its answer came from a slow check after stop) still finds its io_context and peers.
struct ServerShared {
  ServerShared(const Router& r, const ServerOptions& o) : router(r), options(o) {
    if (options.max_connections == 0) options.max_connections = default_max_connections();
  }
  const Router& router;
  ServerOptions options;  // as given, with max_connections derived when 0
  asio::io_context io;
  std::atomic<std::size_t> buffered{0};  // answer bytes being written
  // Connections waiting for a check have no I/O pending; this keeps run() from returning.
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::atomic<bool> stopping{false};
  bool stopped = false;  // with mutex: the io_context runs no more
  std::mutex mutex;
  std::condition_variable sessions_gone;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<ServerShared> shared)
      : shared_(std::move(shared)), stream_(std::move(socket)) {
    error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }
  ~Session() {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->sessions.erase(this);
    if (shared_->sessions.empty()) shared_->sessions_gone.notify_all();
  }

  void run() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->sessions.emplace(this, shared_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->start_read(); });
  }

  // After the io_context stopped, from the stopping thread: nothing else touches the socket.
  void close_now() { close(); }

  // Graceful stop: an idle connection closes now, a busy one after its answer.
  void shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  // Waits for the first byte with the idle time-out, then for the whole request with the
  // (shorter) read time-out, so a client that trickles its header is dropped.
  void start_read() {
    if (shared_->stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(kBodyLimit);
    if (buffer_.size() > 0) return start_read_request();
    stream_.expires_after(shared_->options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(1024),
        [self = shared_from_this()](error_code ec, std::size_t n) { self->on_first_bytes(ec, n); });
  }

  void on_first_bytes(error_code ec, std::size_t n) {
    if (ec) {
      fail(ec, "read");
      return close();
    }
    buffer_.commit(n);
    start_read_request();
  }

  void start_read_request() {
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return reject(ec);
    }
    if (ec) {
      fail(ec, "read");
      return close();
    }
    busy_ = true;
    const auto& request = parser_->get();
    auto self = shared_from_this();
    const bool mine = beast::async_handle(
        shared_->router, request,
        [self](beast::response response) {
          // Inline when the answer was ready at once, else back onto this connection; not at
          // all once the server has stopped (nobody would run it, and it would keep the
          // connection and its io_context alive).
          std::lock_guard<std::mutex> lock(self->shared_->mutex);
          if (self->shared_->stopped) return;
          asio::dispatch(self->stream_.get_executor(),
                         [self, response = std::move(response)]() mutable {
                           self->start_write(std::move(response));
                         });
        },
        remote_);
    if (!mine) {
      if (auto refused = bad_transfer_encoding(request)) {
        return start_write(beast::to_beast(std::move(*refused), request), true);
      }
      Response not_found;
      not_found.status = 404;
      not_found.content_type = "text/plain; charset=utf-8";
      not_found.body = "Not Found";
      start_write(beast::to_beast(std::move(not_found), request));
    }
  }

  // A request Beast could not parse gets a 4xx saying why, and the connection is closed: what
  // follows a malformed request on it cannot be trusted.
  void reject(error_code ec) {
    int status = 400;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) status = 431;
    if (ec == http::error::body_limit) status = 413;
    beast::response response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::to_string(status) + " " +
                      std::string(http::obsolete_reason(static_cast<http::status>(status))) + ": " +
                      ec.message() + "\n";
    response.keep_alive(false);
    response.prepare_payload();
    busy_ = true;
    start_write(std::move(response));
  }

  // Beast's serializer handles any body and buffer sequence, and that generality costs about
  // half of a small request (measured with callgrind, docs/benchmarks.md). Our answers are small
  // and complete, so the head goes into one string and leaves with the body in one gathered
  // write. Field values come from the router or from a parsed peer answer: no CR or LF.
  void start_write(beast::response response, bool close = false) {
    response_ = std::move(response);
    if (shared_->stopping || close) response_.keep_alive(false);
    // Slow readers must not pile up large answers: past the budget a large one becomes a 503.
    const std::size_t size = response_.body().size();
    if (size > kAlwaysWritten &&
        shared_->buffered.fetch_add(size) + size > shared_->options.max_buffered_bytes) {
      shared_->buffered.fetch_sub(size);
      const bool keep = response_.keep_alive();
      const unsigned version = response_.version();
      release(response_);  // the large body goes now, not when the connection does
      response_ = beast::response{http::status::service_unavailable, version};
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.set(http::field::retry_after, "1");
      response_.body() = "too many large answers are being written; try again\n";
      response_.keep_alive(keep);
      response_.prepare_payload();
      written_ = 0;
    } else {
      written_ = size > kAlwaysWritten ? size : 0;
    }
    head_.assign(response_.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    head_ += std::to_string(response_.result_int());
    head_ += ' ';
    head_.append(response_.reason().data(), response_.reason().size());
    head_ += "\r\n";
    for (const auto& field : response_) {
      head_.append(field.name_string().data(), field.name_string().size());
      head_ += ": ";
      head_.append(field.value().data(), field.value().size());
      head_ += "\r\n";
    }
    head_ += "\r\n";
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                                    asio::buffer(response_.body())};
    stream_.expires_after(kWriteTimeout);
    asio::async_write(stream_, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(error_code ec) {
    busy_ = false;
    shared_->buffered.fetch_sub(written_);
    written_ = 0;
    if (ec) {
      fail(ec, "write");
      return close();
    }
    if (!response_.keep_alive()) return close();
    release(response_);
    start_read();
  }

  // Assigning an empty message keeps the old body's capacity (a short string is copied into
  // it), so an idle kept-alive connection would hold its largest answer for ever: swap it out.
  static void release(beast::response& response) {
    beast::response empty;
    http::swap(empty, response);
  }

  void close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  std::shared_ptr<ServerShared> shared_;  // first: outlives stream_
  bst::tcp_stream stream_;
  std::string remote_;
  bst::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  beast::response response_;
  std::string head_;
  std::size_t written_ = 0;  // bytes of this answer counted in shared_->buffered
  bool busy_ = false;
};

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

 private:
  void start_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void out_of_descriptors(const error_code& ec);
  bool full() const;

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
  std::chrono::steady_clock::time_point last_logged_{};
};

ServerImpl::ServerImpl(const Router& router, ServerOptions options)
    : shared_(std::make_shared<ServerShared>(router, options)),
      options_(shared_->options),
      acceptor_(shared_->io),
      reserve_fd_(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
      backoff_(shared_->io) {
  const std::string where = options_.address + ":" + std::to_string(options_.port);
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
    // far smaller than a fresh socket's send buffer, so this write does not block.
    asio::write(socket, asio::buffer(kBusy, sizeof kBusy - 1), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(std::move(socket), shared_)->run();
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
      (void)::send(client, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(client);
    }
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  backoff_.expires_after(kOutOfDescriptorsBackoff);
  backoff_.async_wait([this](error_code wait) {
    if (!wait && !shared_->stopping) start_accept();
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
  asio::post(shared_->io, [this] { backoff_.cancel(); });
  std::vector<std::shared_ptr<Session>> live;
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
  std::vector<std::shared_ptr<Session>> left;
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

}  // namespace detail

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

}  // namespace healthchecks
