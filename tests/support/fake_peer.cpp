#include "support/fake_peer.hpp"

#include <sys/socket.h>

#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace healthchecks::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Thread per connection, blocking I/O: simple, and plenty for tests.
struct FakePeer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  mutable std::mutex mutex;
  Reply reply;
  std::map<std::string, Reply> replies_for;
  std::vector<std::string> targets;
  std::map<std::string, std::string> last_headers;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::thread acceptor_thread;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<tcp::socket>> sockets;

  void serve(std::shared_ptr<tcp::socket> socket) {
    // Whatever ends the exchange closes the connection (the socket object lives on in
    // `sockets` until the destructor).
    struct Closer {
      tcp::socket& s;
      ~Closer() { ::shutdown(s.native_handle(), SHUT_RDWR); }
    } closer{*socket};
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(*socket, buffer, request, ec);
      if (ec) return;
      Reply answer;
      {
        std::lock_guard<std::mutex> lock(mutex);
        targets.emplace_back(request.target());
        last_headers.clear();
        for (const auto& field : request) {
          last_headers[std::string(field.name_string())] = std::string(field.value());
        }
        const auto it = replies_for.find(std::string(request.target()));
        answer = it != replies_for.end() ? it->second : reply;
      }
      if (answer.delay.count() > 0) std::this_thread::sleep_for(answer.delay);
      if (!answer.raw.empty()) {
        asio::write(*socket, asio::buffer(answer.raw), ec);
        if (ec || answer.close) return;
        continue;
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                 request.version()};
      response.set(http::field::content_type, answer.content_type);
      response.body() = answer.body;
      response.keep_alive(!answer.close && request.keep_alive());
      response.prepare_payload();
      http::write(*socket, response, ec);
      if (ec || !response.keep_alive() || answer.drop) return;
    }
  }
};

FakePeer::FakePeer() : impl_(std::make_unique<Impl>()) {
  impl_->acceptor_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(impl->io);
      boost::system::error_code ec;
      impl->acceptor.accept(*socket, ec);
      if (ec || impl->stopping) return;
      ++impl->connections;
      std::lock_guard<std::mutex> lock(impl->mutex);
      impl->sockets.push_back(socket);
      impl->workers.emplace_back([impl, socket] { impl->serve(socket); });
    }
  });
}

FakePeer::~FakePeer() {
  impl_->stopping = true;
  boost::system::error_code ignored;
  // Wake the acceptor with a connection of our own, then close everything.
  {
    tcp::socket poke(impl_->io);
    poke.connect(impl_->acceptor.local_endpoint(), ignored);
  }
  impl_->acceptor_thread.join();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    // A bare shutdown(2): it wakes the blocked reads without touching Asio's state.
    for (auto& socket : impl_->sockets) ::shutdown(socket->native_handle(), SHUT_RDWR);
  }
  for (auto& worker : impl_->workers) worker.join();
}

unsigned short FakePeer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void FakePeer::reply(Reply reply) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->reply = std::move(reply);
}

void FakePeer::reply_for(const std::string& target, Reply reply) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->replies_for[target] = std::move(reply);
}

std::vector<std::string> FakePeer::targets() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->targets;
}

std::string FakePeer::last_header(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const auto it = impl_->last_headers.find(name);
  return it == impl_->last_headers.end() ? std::string() : it->second;
}

int FakePeer::connections() const {
  return impl_->connections.load();
}

}  // namespace healthchecks::testing
