// The router in a Boost.Beast server, two ways: through healthchecks::beast::handle, as a host
// service embeds it (examples/embed_beast.cpp does the same with async_handle); and through the
// recipe of docs/integrations.md, "Any HTTP server", with Beast as the server that hands over
// method, target and fields. One I/O thread; the blocking calls keep every callback on it, so
// nothing outlives the server.
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "healthchecks/beast/router_adapter.hpp"
#include "support/served_router.hpp"

namespace healthchecks::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string address_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  return ec ? std::string() : peer.address().to_string();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Router& router, bool recipe)
      : remote_(address_of(socket)), stream_(std::move(socket)), router_(router), recipe_(recipe) {}

  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    if (recipe_) return answer_by_recipe();
    if (auto res = beast::handle(router_, request_, remote_)) return write(std::move(*res));
    answer_as_host();
  }

  // What the recipe is given: plain strings, and send() to answer.
  void answer_by_recipe() {
    const std::string method(request_.method_string());
    const std::string target(request_.target());
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : request_) headers.emplace_back(field.name_string(), field.value());
    const std::string& peer_address = remote_;
    const Router& router = router_;
    const auto send = [this](int status, const std::string& content_type,
                             const std::vector<std::pair<std::string, std::string>>& fields,
                             const std::string& body) {
      http::response<http::string_body> res{static_cast<http::status>(status), request_.version()};
      res.set(http::field::content_type, content_type);
      res.set(http::field::date, date());
      for (const auto& [name, value] : fields) res.insert(name, value);
      res.keep_alive(request_.keep_alive());
      if (request_.method() == http::verb::head) {
        res.content_length(body.size());
      } else {
        res.body() = body;
        res.prepare_payload();
      }
      write(std::move(res));
    };
    [&] {
      // docs/integrations.md, "Any HTTP server", as it stands there (DocsRecipe.IsTheCodeThatRuns).
      if (router.matches(target)) {
        healthchecks::Fields fields;
        for (const auto& [name, value] : headers) fields.add(name, value);
        const healthchecks::Response answer =
            router.handle(healthchecks::Request(method, target, fields, peer_address));
        // Status, Content-Type, the extra headers in order, the body (for HEAD only its length).
        send(answer.status, answer.content_type, answer.headers, answer.body);
        return;
      }
      answer_as_host();
    }();
  }

  static std::string date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    return std::string(buffer,
                       std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm));
  }

  void answer_as_host() {
    const bool hello = request_.target() == "/hello";
    http::response<http::string_body> res{hello ? http::status::ok : http::status::not_found,
                                          request_.version()};
    res.set(http::field::content_type, "text/plain");
    res.body() = hello ? "hello from the host" : "not found by the host";
    res.keep_alive(request_.keep_alive());
    res.prepare_payload();
    write(std::move(res));
  }

  void write(http::response<http::string_body> res) {
    response_ = std::move(res);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                        if (!ec && self->response_.keep_alive()) self->read();
                      });
  }

  std::string remote_;
  boost::beast::tcp_stream stream_;
  const Router& router_;
  bool recipe_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class BeastHost final : public ServedRouter {
 public:
  BeastHost(const Router& router, bool recipe)
      : router_(router),
        recipe_(recipe),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BeastHost() override {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const override { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), router_, recipe_)->read();
      accept();
    });
  }

  const Router& router_;
  bool recipe_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ServedRouter> serve_with_beast(const Router& router) {
  return std::make_unique<BeastHost>(router, false);
}

std::unique_ptr<ServedRouter> serve_with_recipe(const Router& router) {
  return std::make_unique<BeastHost>(router, true);
}

}  // namespace healthchecks::testing
