// Harness "beast-session": the snippet is in Session::on_read() of a connection of a Boost.Beast
// server, as in examples/embed_beast.cpp: the request just read is `request_`, the router
// `router_`, the connection's stream `stream_`, and `start_write(response)` writes an answer.
// The aliases asio, beast and http are Beast's examples'.
#include <memory>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>

#include <healthchecks.hpp>
#include <healthchecks/beast/router_adapter.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, const healthchecks::Router& router)
      : stream_(std::move(socket)), router_(router) {}

  void on_read() {
    // @SNIPPET@

    // The service's own routes.
    http::response<http::string_body> res{http::status::not_found, request_.version()};
    start_write(std::move(res));
  }

 private:
  void start_write(http::response<http::string_body> res) { response_ = std::move(res); }

  beast::tcp_stream stream_;
  const healthchecks::Router& router_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};
