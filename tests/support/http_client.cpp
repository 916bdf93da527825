#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <poll.h>

namespace healthchecks::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpConnection::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(unsigned short port) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

HttpConnection::~HttpConnection() = default;

HttpReply HttpConnection::get(const std::string& target, const std::string& method,
                              const std::map<std::string, std::string>& headers) {
  http::request<http::empty_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  http::write(impl_->socket, request);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  http::read(impl_->socket, impl_->buffer, parser);
  auto& response = parser.get();
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = response.body();
  return reply;
}

std::string HttpConnection::raw(const std::string& bytes, int timeout_ms) {
  boost::system::error_code write_error;  // the server may have closed: read what it said
  asio::write(impl_->socket, asio::buffer(bytes), write_error);
  std::string received;
  char chunk[4096];
  pollfd fd{impl_->socket.native_handle(), POLLIN, 0};
  while (::poll(&fd, 1, timeout_ms) > 0) {
    boost::system::error_code ec;
    const auto n = impl_->socket.read_some(asio::buffer(chunk), ec);
    if (ec || n == 0) break;
    received.append(chunk, n);
  }
  return received;
}

HttpReply http_get(unsigned short port, const std::string& target, const std::string& method,
                   const std::map<std::string, std::string>& headers) {
  HttpConnection connection(port);
  return connection.get(target, method, headers);
}

}  // namespace healthchecks::testing
