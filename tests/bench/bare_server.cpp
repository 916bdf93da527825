// bare_server: the ceiling for this stack. A Beast HTTP/1.1 server shaped like the library's
// own (one thread, tcp_stream with a time-out per request, keep-alive) that answers "OK" to
// everything and does nothing else. scripts/bench.sh measures the sidecar against it.
//
//   bare_server PORT
#include <cstdlib>
#include <iostream>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void start_read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_read();
                     });
  }

 private:
  void on_read() {
    response_ = {http::status::ok, request_.version()};
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = "OK";
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec && self->response_.keep_alive()) self->start_read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket))->start_read();
    }
    accept(acceptor);
  });
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bare_server PORT\n";
    return 2;
  }
  asio::io_context io;
  tcp::acceptor acceptor(
      io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
  accept(acceptor);
  std::cout << "bare_server: listening on " << acceptor.local_endpoint().port() << std::endl;
  io.run();
}
