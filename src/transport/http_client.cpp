// The client side of Beast, kept to this file: resolve, connect, the TLS handshake for https,
// write, read, and give the connection back to the pool when the server keeps it open.
#include "healthchecks/http_client.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include "healthchecks/error.hpp"
#include "runtime/runtime_impl.hpp"
#include "transport/tls_client.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {
namespace {

namespace bst = boost::beast;
namespace http = bst::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Enough idle connections per host for every traversal a router lets run at once
// (RouterOptions::max_traversals, 32 by default) plus the checks polling that host: with fewer,
// a busy front closes and reopens connections under load, and over https each reopening costs
// a handshake (measured: 16 gave a quarter of the throughput of 64 at 32 concurrent traversals).
constexpr std::size_t kMaxIdlePerHost = 64;
constexpr auto kMaxIdleTime = std::chrono::seconds(30);

// One connection: plain TCP, or TLS over TCP with the context it was made with.
struct Connection {
  std::shared_ptr<asio::ssl::context> context;  // https: outlives the stream
  std::optional<bst::tcp_stream> plain;
  std::optional<bst::ssl_stream<bst::tcp_stream>> tls;
  std::unique_ptr<VerifyNotes> notes;  // https: what the handshake's verification found

  bst::tcp_stream& lowest() { return tls ? bst::get_lowest_layer(*tls) : *plain; }
  template <class Action>
  void visit(Action&& action) {
    if (tls) {
      action(*tls);
    } else {
      action(*plain);
    }
  }
};

// Kept-alive connections, by scheme, "host:port" and TLS options. A Runtime service: it dies
// with the runtime.
class ConnectionPool {
 public:
  explicit ConnectionPool(Runtime::Impl&) {}

  std::unique_ptr<Connection> take(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& idle = idle_[key];
    const auto now = Clock::now();
    while (!idle.empty()) {
      Idle entry = std::move(idle.back());
      idle.pop_back();
      if (now - entry.since < kMaxIdleTime && entry.stream->lowest().socket().is_open()) {
        return std::move(entry.stream);
      }
    }
    return nullptr;
  }

  void give(const std::string& key, std::unique_ptr<Connection> stream) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& idle = idle_[key];
    if (idle.size() < kMaxIdlePerHost) idle.push_back(Idle{std::move(stream), Clock::now()});
  }

 private:
  struct Idle {
    std::unique_ptr<Connection> stream;
    Clock::time_point since;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

bool stale_connection_error(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Runtime::Impl& runtime, HttpRequest request, std::function<void(HttpResponse)> done)
      : runtime_(runtime),
        pool_(runtime.service<ConnectionPool>()),
        request_(std::move(request)),
        done_(std::move(done)),
        host_port_(request_.host + ":" + request_.port),
        key_(request_.tls ? "https://" + host_port_ + "\n" + tls_options_key(*request_.tls)
                          : "http://" + host_port_),
        started_(Clock::now()) {}

  void start() {
    if (Clock::now() >= request_.deadline) return fail("not sent", "no time left");
    stream_ = pool_.take(key_);
    if (stream_) {
      reused_ = true;
      return start_write();
    }
    start_resolve();
  }

 private:
  void start_resolve() {
    reused_ = false;
    if (!resolver_) resolver_.emplace(runtime_.executor());
    resolver_->async_resolve(
        request_.host, request_.port,
        [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec.message());
    stream_ = std::make_unique<Connection>();
    if (request_.tls) {
      try {
        stream_->context = runtime_.service<TlsContexts>().get(*request_.tls);
      } catch (const std::exception& e) {
        return fail("TLS setup", e.what());
      }
      stream_->tls.emplace(runtime_.executor(), *stream_->context);
      stream_->notes = std::make_unique<VerifyNotes>();
      prepare_tls_stream(stream_->tls->native_handle(), request_.host, *request_.tls,
                         stream_->notes.get());
    } else {
      stream_->plain.emplace(runtime_.executor());
    }
    stream_->lowest().expires_at(
        std::min(request_.deadline, Clock::now() + request_.connect_timeout));
    stream_->lowest().async_connect(
        results,
        [self = shared_from_this()](error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
  }

  void on_connect(error_code ec) {
    if (ec == bst::error::timeout) {
      // Whichever ended it: the connect time-out, or the check's own.
      const Clock::duration overall = request_.timeout_shown.value_or(request_.deadline - started_);
      const bool connect_limit = started_ + request_.connect_timeout < request_.deadline;
      return fail("connect", "timed out after " +
                                 format_ms(connect_limit ? request_.connect_timeout : overall));
    }
    if (ec) return fail("connect", ec.message());
    error_code ignored;
    stream_->lowest().socket().set_option(tcp::no_delay(true), ignored);
    if (stream_->tls) return start_handshake();
    start_write();
  }

  // One handshake per connection: a pooled one skips it.
  void start_handshake() {
    stream_->lowest().expires_at(request_.deadline);
    stream_->tls->async_handshake(
        asio::ssl::stream_base::client,
        [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(error_code ec) {
    if (ec == bst::error::timeout) {
      return fail("TLS handshake failed",
                  "timed out after " +
                      format_ms(request_.timeout_shown.value_or(request_.deadline - started_)));
    }
    if (ec) return fail("TLS handshake failed", describe_handshake_error(ec, *stream_->notes));
    start_write();
  }

  // The request head is written by hand, as the server writes its answers: Beast's general
  // serializer costs more than the rest of a pooled request (docs/benchmarks.md).
  void start_write() {
    head_.assign(request_.method);
    head_ += ' ';
    head_ += request_.target;
    head_ += " HTTP/1.1\r\nHost: ";
    head_ += host_port_;
    head_ += "\r\nUser-Agent: healthchecks-cpp\r\n";
    for (const auto& [name, value] : request_.headers) {
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        continue;  // never split the head, whatever a caller passes
      }
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    head_ += "\r\n";
    // Before the inline send too: the read that follows goes by it, and a pooled stream still
    // carries its last request's deadline.
    stream_->lowest().expires_at(request_.deadline);
    std::size_t sent = 0;
    if (!stream_->tls) {
      // A request head fits the socket's buffer: sent here, it needs no write operation, timer
      // or completion through the executor (about a sixth of a traverse hop, callgrind). What
      // the socket does not take goes on asynchronously.
      auto& socket = stream_->lowest().socket();
      error_code ec;
      if (!socket.non_blocking()) socket.non_blocking(true, ec);
      if (!ec) sent = socket.send(asio::buffer(head_), 0, ec);
      if (!ec && sent == head_.size()) return on_write({});
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
        return on_write(ec);
      }
      if (ec) sent = 0;
    }
    stream_->visit([this, sent](auto& stream) {
      asio::async_write(
          stream, asio::buffer(head_) + sent,
          [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
    });
  }

  void on_write(error_code ec) {
    if (ec) return retry_or_fail("send", ec);
    buffer_.clear();
    start_read();
  }

  void start_read() {
    parser_.emplace();
    parser_->body_limit(request_.body_limit);
    if (request_.method == "HEAD") parser_->skip(true);
    stream_->visit([this](auto& stream) {
      http::async_read(
          stream, buffer_, *parser_,
          [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    });
  }

  void on_read(error_code ec) {
    if (ec) return retry_or_fail("read", ec);
    auto& message = parser_->get();
    const int status = static_cast<int>(message.result_int());
    if (status >= 100 && status < 200) {
      // An interim answer (100 Continue, 103 Early Hints) comes before the real one; 101 would
      // switch protocols, which we never asked for. The connection is not pooled after either.
      if (status == 101 || ++interim_answers_ > 4) {
        return fail("read", "unexpected interim answer " + std::to_string(status));
      }
      return start_read();
    }
    HttpResponse response;
    response.status = status;
    response.content_type = std::string(message[http::field::content_type]);
    response.body = std::move(message.body());
    // Only a connection whose answer was read to its end, with nothing after it, can carry the
    // next request: bytes left over would be read as the next caller's answer.
    if (message.keep_alive() && parser_->is_done() && buffer_.size() == 0) {
      pool_.give(key_, std::move(stream_));
    }
    finish(std::move(response));
  }

  // A pooled connection the server closed meanwhile fails at once; that is no answer from the
  // server, so try once more on a new connection.
  void retry_or_fail(const char* phase, const error_code& ec) {
    if (reused_ && stale_connection_error(ec) && Clock::now() < request_.deadline) {
      stream_.reset();
      return start_resolve();
    }
    if (ec == bst::error::timeout) {
      return fail(phase, "timed out after " + format_ms(request_.timeout_shown.value_or(
                                                  request_.deadline - started_)));
    }
    fail(phase, ec.message());
  }

  void fail(const char* phase, const std::string& what) {
    HttpResponse response;
    response.error = std::string(phase) + ": " + what;
    finish(std::move(response));
  }

  void finish(HttpResponse response) {
    auto done = std::move(done_);
    done(std::move(response));
  }

  Runtime::Impl& runtime_;
  ConnectionPool& pool_;
  HttpRequest request_;
  std::function<void(HttpResponse)> done_;
  const std::string host_port_;
  const std::string key_;  // the pool's
  const Clock::time_point started_;
  std::optional<tcp::resolver> resolver_;  // only for new connections
  std::unique_ptr<Connection> stream_;
  bool reused_ = false;
  int interim_answers_ = 0;
  std::string head_;
  bst::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace
}  // namespace healthchecks::detail

namespace healthchecks {

HttpUrl parse_http_url(std::string_view text) {
  // A password in the URL is never shown: in messages and in `text` it reads "***".
  const auto masked = [](std::string_view raw) {
    return detail::mask_url_passwords(std::string(raw));
  };
  // Without "://" (a forgotten scheme) the URL is masked as it would read with one.
  const bool schemeless = text.find("://") == std::string_view::npos;
  const std::string prefix = text.substr(0, 2) == "//" ? "http:" : "http://";
  const std::string with_scheme = masked(prefix + std::string(text));
  const std::string quoted =
      "'" + (schemeless ? with_scheme.substr(prefix.size()) : masked(text)) + "'";
  const auto parsed = boost::urls::parse_absolute_uri(text);
  const auto scheme = parsed ? parsed->scheme_id() : boost::urls::scheme::none;
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    if (text.empty()) throw Error("check", "the URL is empty; expected http://host:port[/path]");
    // "billing:8080/health" reads as the scheme "billing": the scheme was forgotten.
    if (schemeless) {
      if (text.front() == '/' && text.substr(0, 2) != "//") {
        throw Error("check", quoted + " is a path, not a URL: expected http://host:port" +
                                 std::string(text));
      }
      throw Error("check", quoted + ": the scheme is missing; write " + with_scheme);
    }
    if (!parsed) {
      throw Error("check", quoted + " is not an absolute URL: " + parsed.error().message());
    }
    throw Error("check", quoted + ": scheme '" + std::string(parsed->scheme()) +
                             "' is not supported; only http:// and https:// are");
  }
  HttpUrl url;
  url.scheme = scheme == boost::urls::scheme::https ? "https" : "http";
  url.host = std::string(parsed->encoded_host_address());
  if (url.host.empty()) throw Error("check", quoted + " has no host");
  if (url.host.front() == '[') url.host = url.host.substr(1, url.host.size() - 2);
  url.port = url.https() ? "443" : "80";
  if (parsed->has_port() && !parsed->port().empty()) {
    // Checked from its digits: port_number() keeps 16 bits, so 99999 would connect to 34463.
    const std::string digits(parsed->port());
    const auto nonzero = digits.find_first_not_of('0');
    const auto significant = nonzero == std::string::npos ? digits.size() : nonzero;
    const bool in_range = digits.size() - significant <= 5 && significant < digits.size() &&
                          std::stoul(digits.substr(significant)) <= 65535;
    if (!in_range) {
      throw Error("check", quoted + ": port " + digits + " is out of range (1-65535)");
    }
    url.port = std::to_string(std::stoul(digits.substr(significant)));
  }
  url.base_path = std::string(parsed->encoded_path());
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  url.query = std::string(parsed->encoded_query());
  url.text = url.scheme + "://";
  if (parsed->has_userinfo()) {
    url.text += std::string(parsed->encoded_user());
    if (parsed->has_password()) url.text += ":***";
    url.text += '@';
  }
  url.text += std::string(parsed->encoded_host_and_port()) + url.base_path;
  return url;
}

std::string encode_query_value(std::string_view value) {
  static constexpr auto kKept = boost::urls::unreserved_chars + ',';
  return boost::urls::encode(value, kKept);
}

void http_request(const CheckContext& context, HttpRequest request,
                  std::function<void(HttpResponse)> done) {
  if (context.runtime == nullptr) {
    HttpResponse response;
    response.error = "not sent: no runtime (the check runs outside a Registry)";
    return done(std::move(response));
  }
  if (request.deadline == detail::Clock::time_point{}) request.deadline = context.deadline;
  std::make_shared<detail::Call>(context.runtime->impl(), std::move(request), std::move(done))
      ->start();
}

}  // namespace healthchecks
