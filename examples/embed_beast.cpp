// embed_beast: a service that already has a Boost.Beast server adds the Health Checks API to
// it. The service's own routes stay as they are; /status/... goes to the router. The server is
// Beast's asynchronous example cut to the bone; the lines that embed the router are marked.
//
//   build/bin/embed_beast 8080
//   curl -i localhost:8080/hello              # the service's own route
//   curl -i localhost:8080/status/aggregate   # the Health Checks API
#include <cstdlib>
#include <iostream>
#include <memory>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "healthchecks.hpp"
#include "healthchecks/beast/router_adapter.hpp"  // (1) the adapter

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void accept(tcp::acceptor& acceptor, const healthchecks::Router& router);

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  if (argc > 2 || port <= 0 || port > 65535) {
    std::cerr << "usage: embed_beast [PORT]\n  example: embed_beast 8080\n";
    return 2;
  }

  // (2) Register the service's dependencies and make a router for them.
  healthchecks::Registry registry;
  registry.add({"Session store", "sessions", "internal", [] { return true; }});
  healthchecks::Router router(registry);

  asio::io_context io;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(port));
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << argv[0] << ": cannot listen on 127.0.0.1:" << port << ": " << ec.message() << '\n';
    return 1;
  }
  accept(acceptor, router);
  std::cout << "try: curl -i localhost:" << port << "/status/about" << std::endl;
  io.run();
}

// One connection: read a request, answer it, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const healthchecks::Router& router)
      : stream_(std::move(socket)), router_(router) {}

  void start_read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_read();
                     });
  }

 private:
  void on_read() {
    // (3) Offer the request to the router first. It answers /status/... without blocking this
    //     thread (checks run elsewhere) and calls back, maybe from another thread; anything
    //     else is left to the service. The blocking form is one line too:
    //     if (auto res = healthchecks::beast::handle(router_, request_)) { ... }
    auto self = shared_from_this();
    const bool handled = healthchecks::beast::async_handle(
        router_, request_, [self](healthchecks::beast::response res) {
          asio::dispatch(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
            self->start_write(std::move(res));
          });
        });
    if (handled) return;

    // The service's own routes.
    http::response<http::string_body> res{http::status::ok, request_.version()};
    res.set(http::field::content_type, "text/plain");
    res.body() = request_.target() == "/hello" ? "hello\n" : "the service's own answer\n";
    res.keep_alive(request_.keep_alive());
    res.prepare_payload();
    start_write(std::move(res));
  }

  void start_write(http::response<http::string_body> res) {
    response_ = std::move(res);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) return;
                        self->start_read();
                      });
  }

  beast::tcp_stream stream_;
  const healthchecks::Router& router_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, const healthchecks::Router& router) {
  acceptor.async_accept([&acceptor, &router](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), router)->start_read();
    accept(acceptor, router);
  });
}
