// One connection of the embedded server (server.cpp), written like a session of Beast's
// http_server_async example: read a request, hand it to the adapter, write the answer, again.
// Only server.cpp includes it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>

#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "transport/transfer_encoding.hpp"

namespace healthchecks::detail {

namespace asio = boost::asio;
namespace bst = boost::beast;
namespace http = bst::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

inline constexpr auto kWriteTimeout = std::chrono::seconds(10);
inline constexpr std::size_t kBodyLimit = 8 * 1024;
inline constexpr std::size_t kAlwaysWritten = 16 * 1024;  // answers this small skip the budget

inline constexpr char kBusy[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 21\r\n\r\ntoo many connections\n";

// Ends of connections that are part of normal life are not worth a line in the log.
inline void fail(error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == bst::error::timeout ||
      ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::not_connected) {
    return;
  }
  std::cerr << "healthchecks: server: " << what << ": " << ec.message() << '\n';
}

class Session;

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

}  // namespace healthchecks::detail
