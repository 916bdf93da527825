// One connection of the embedded server (server.cpp), written like a session of Beast's
// http_server_async example: read a request, hand it to the adapter, write the answer, again.
// The same session speaks plain HTTP over a tcp_stream or https over an ssl_stream (after a
// handshake), as Beast's advanced_server_flex does. Only server.cpp includes it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "transport/framing.hpp"
#include "transport/server_shared.hpp"
#include "transport/tls_session.hpp"
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
inline constexpr int kInlineWrites = 8;  // pipelined answers sent inline before one is posted

// Ends of connections that are part of normal life are not worth a line in the log.
inline void fail(error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == bst::error::timeout ||
      ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::not_connected || ec == asio::ssl::error::stream_truncated) {
    return;
  }
  std::cerr << "healthchecks: server: " << what << ": " << ec.message() << '\n';
}

using PlainStream = bst::tcp_stream;
using TlsStream = bst::ssl_stream<bst::tcp_stream>;

template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `tls`: the context of an https connection; null for plain HTTP.
  Session(tcp::socket&& socket, std::shared_ptr<ServerShared> shared,
          std::shared_ptr<asio::ssl::context> tls)
      : listed_{shared, this},
        shared_(std::move(shared)),
        tls_(std::move(tls)),
        stream_(open(std::move(socket), tls_.get())) {
    error_code ec;
    const auto endpoint = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    // For the inline send in start_write: a full send buffer must answer would_block, not wait.
    if constexpr (!kTls) lowest().socket().non_blocking(true, ec);
  }
  void run() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->sessions.emplace(this, this->shared_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->start_handshake();
      } else {
        self->start_read();
      }
    });
  }

  void close_now() override { close(); }

  void close_if_idle(std::chrono::steady_clock::time_point now) override {
    asio::post(stream_.get_executor(), [weak = this->weak_from_this(), now] {
      auto self = weak.lock();
      if (self && self->idle_ && now - self->idle_since_ >= self->shared_->options.idle_timeout) {
        self->close();
      }
    });
  }

  void shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  static Stream open(tcp::socket&& socket, asio::ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }

  bst::tcp_stream& lowest() { return bst::get_lowest_layer(stream_); }

  // A handshake is part of reading the first request: a client that connects and says nothing
  // (or trickles its ClientHello) is dropped when the read time-out runs out.
  void start_handshake() {
    lowest().expires_after(shared_->options.read_timeout);
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        [self = this->shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  // A failed handshake is the client's business (no certificate, a CA we do not trust, a
  // scanner): not logged, or anybody could fill the log.
  void on_handshake(error_code ec) {
    if (plain_http(ec)) {
      lowest().expires_after(kWriteTimeout);
      return asio::async_write(
          lowest(), asio::buffer(kPlainHttp, sizeof kPlainHttp - 1),
          [self = this->shared_from_this()](error_code, std::size_t) { self->close(); });
    }
    if (ec) return close();
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
      X509* certificate = SSL_get0_peer_certificate(ssl);
#else
      X509* certificate = SSL_get_peer_certificate(ssl);
#endif
      if (certificate != nullptr && SSL_get_verify_result(ssl) == X509_V_OK) {
        certificate_verified_ = true;
        certificate_subject_ = subject_of(certificate);
      }
#if OPENSSL_VERSION_NUMBER < 0x30000000L
      if (certificate != nullptr) X509_free(certificate);
#endif
    }
    start_read();
  }

  // Waits for the first byte with the idle time-out, then for the whole request with the
  // (shorter) read time-out, so a client that trickles its header is dropped.
  void start_read() {
    if (shared_->stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(kBodyLimit);
    if (buffer_.size() > 0) return continue_request();
    // No timer of its own: the server's sweep closes it once idle_timeout has passed. Arming
    // and cancelling one for every request cost about a tenth of an am-i-up, and a
    // timerfd_settime every other request (docs/benchmarks.md).
    lowest().expires_never();
    idle_since_ = std::chrono::steady_clock::now();
    idle_ = true;
    stream_.async_read_some(buffer_.prepare(1024),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                              self->on_first_bytes(ec, n);
                            });
  }

  void on_first_bytes(error_code ec, std::size_t n) {
    idle_ = false;
    if (ec) {
      fail(ec, "read");
      return close();
    }
    buffer_.commit(n);
    continue_request();
  }

  // A whole request usually comes in the first read (or was pipelined behind the last one):
  // parsed here at once, it skips a second read, its timer and a completion through the
  // executor, which cost about a tenth of an am-i-up (callgrind, docs/benchmarks.md). A request
  // still incomplete goes on with the read time-out.
  void continue_request() {
    parser_->eager(true);
    error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec || used == 0) break;
    }
    if (ec == http::error::need_more || (!ec && !parser_->is_done())) return start_read_request();
    on_read(ec);
  }

  void start_read_request() {
    lowest().expires_after(shared_->options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
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
    auto self = this->shared_from_this();
    ClientInfo client;
    client.address = remote_;
    client.certificate_verified = certificate_verified_;
    client.certificate_subject = certificate_subject_;
    const bool mine =
        async_answer(shared_->router, request, client, [self](Response response, Framing framing) {
          // Inline when the answer was ready at once, else back onto this connection; not at
          // all once the server has stopped (nobody would run it, and it would keep the
          // connection and its io_context alive).
          std::lock_guard<std::mutex> lock(self->shared_->mutex);
          if (self->shared_->stopped) return;
          asio::dispatch(self->stream_.get_executor(),
                         [self, response = std::move(response), framing]() mutable {
                           self->start_write(std::move(response), framing);
                         });
        });
    if (!mine) {
      Framing framing = framing_of(request);
      if (auto refused = bad_transfer_encoding(request)) {
        return start_write(std::move(*refused), {framing.version, false, false});
      }
      Response not_found;
      not_found.status = 404;
      not_found.content_type = "text/plain; charset=utf-8";
      not_found.body = "Not Found";
      start_write(std::move(not_found), framing);
    }
  }

  // A request Beast could not parse gets a 4xx saying why, and the connection is closed: what
  // follows a malformed request on it cannot be trusted.
  void reject(error_code ec) {
    int status = 400;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) status = 431;
    if (ec == http::error::body_limit) status = 413;
    Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::to_string(status) + " " +
                    std::string(http::obsolete_reason(static_cast<http::status>(status))) + ": " +
                    ec.message() + "\n";
    busy_ = true;
    start_write(std::move(response), {11, false, false});
  }

  // Written straight from the Response (framing.hpp): Beast's message and serializer handle
  // any body and buffer sequence, and that generality cost about half of a small request
  // (callgrind, docs/benchmarks.md). Our answers are small and complete: the head goes into one
  // string and leaves with the body in one gathered write.
  void start_write(Response response, Framing framing) {
    response_ = std::move(response);
    keep_alive_ = framing.keep_alive && !shared_->stopping;
    framing.keep_alive = keep_alive_;
    // Slow readers must not pile up large answers: past the budget a large one becomes a 503.
    const std::size_t size = framing.head ? 0 : response_.body.size();
    if (size > kAlwaysWritten &&
        shared_->buffered.fetch_add(size) + size > shared_->options.max_buffered_bytes) {
      shared_->buffered.fetch_sub(size);
      release(response_);  // the large body goes now, not when the connection does
      response_.status = 503;
      response_.content_type = "text/plain; charset=utf-8";
      response_.headers = {{"Retry-After", "1"}};
      response_.body = "too many large answers are being written; try again\n";
      written_ = 0;
    } else {
      written_ = size > kAlwaysWritten ? size : 0;
    }
    const bool body = write_head(head_, response_, framing);
    std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_), asio::buffer(response_.body.data(), body ? response_.body.size() : 0)};
    if constexpr (!kTls) {
      // A small answer nearly always fits the socket's send buffer: sent here, it needs no write
      // operation, timer or completion through the executor, which together cost about a fifth
      // of an am-i-up (callgrind, docs/benchmarks.md). What the socket does not take goes on
      // asynchronously, with the write time-out. Inline completions are bounded, so that
      // pipelined requests do not nest calls without limit.
      if (inline_writes_ < kInlineWrites) {
        error_code ec;
        std::size_t sent = lowest().socket().send(buffers, 0, ec);
        if (!ec && sent == asio::buffer_size(buffers)) {
          ++inline_writes_;
          on_write({});
          --inline_writes_;
          return;
        }
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
          return on_write(ec);
        }
        if (ec) sent = 0;
        for (auto& buffer : buffers) {
          const std::size_t used = std::min(sent, buffer.size());
          buffer += used;
          sent -= used;
        }
      }
    }
    lowest().expires_after(kWriteTimeout);
    asio::async_write(
        stream_, buffers,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    busy_ = false;
    shared_->buffered.fetch_sub(written_);
    written_ = 0;
    if (ec) {
      fail(ec, "write");
      return close();
    }
    if (!keep_alive_) return close();
    release(response_);
    start_read();
  }

  // Assigning a short body keeps the old body's capacity, so an idle kept-alive connection
  // would hold its largest answer for ever: swap it out.
  static void release(Response& response) {
    std::string().swap(response.body);
  }

  // Over https without a close_notify: our answers carry their length, so the client knows it
  // has them whole, and waiting for the client's close_notify would let it hold us.
  void close() {
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().close();
  }

  // The last ref to a session can go on any thread (a check's, with the answer's callback):
  // it leaves the server's list only once its stream and TLS context are gone, so that stop()
  // returns after them (a process exiting under a session still freeing OpenSSL state raced).
  struct Listed {
    std::shared_ptr<ServerShared> shared;
    Connection* self;
    ~Listed() {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->sessions.erase(self);
      if (shared->sessions.empty()) shared->sessions_gone.notify_all();
    }
  };
  Listed listed_;                            // first: destroyed last
  std::shared_ptr<ServerShared> shared_;     // outlives stream_
  std::shared_ptr<asio::ssl::context> tls_;  // before stream_, which refers to it
  Stream stream_;
  std::string remote_;
  bool certificate_verified_ = false;
  std::string certificate_subject_;
  bst::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  bool keep_alive_ = true;
  std::string head_;
  std::size_t written_ = 0;  // bytes of this answer counted in shared_->buffered
  int inline_writes_ = 0;    // answers sent inline on the current call stack
  bool idle_ = false;        // waiting for a request's first byte, since idle_since_
  std::chrono::steady_clock::time_point idle_since_;
  bool busy_ = false;
};

}  // namespace healthchecks::detail
