// The router in a cpp-httplib server, both ways the adapter offers: mount() as a route, and
// handle() from a pre-routing handler. Only this test source includes httplib.h.
#include <chrono>
#include <stdexcept>
#include <thread>

#include "healthchecks/httplib/router_adapter.hpp"
#include "support/served_router.hpp"

namespace healthchecks::testing {
namespace {

class HttplibHost final : public ServedRouter {
 public:
  // `route` puts the router in; the host's own routes come after it.
  template <typename Route>
  explicit HttplibHost(Route route) {
    route(server_);
    server_.Get("/hello", [](const ::httplib::Request&, ::httplib::Response& res) {
      res.set_content("hello from the host", "text/plain");
    });
    // A catch-all of the host's, after the router's routes: cpp-httplib takes the first match.
    const auto not_found = [](const ::httplib::Request&, ::httplib::Response& res) {
      res.status = 404;
      res.set_content("not found by the host", "text/plain");
    };
    server_.Get(".*", not_found);
    server_.Post(".*", not_found);
    const int port = server_.bind_to_any_port("127.0.0.1");
    if (port <= 0) throw std::runtime_error("cpp-httplib: cannot listen on 127.0.0.1");
    port_ = static_cast<unsigned short>(port);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing before the server runs: wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttplibHost() override {
    server_.stop();
    thread_.join();
  }
  unsigned short port() const override { return port_; }

 private:
  ::httplib::Server server_;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ServedRouter> serve_with_httplib_mount(const Router& router) {
  return std::make_unique<HttplibHost>(
      [&router](::httplib::Server& server) { healthchecks::httplib::mount(server, router); });
}

std::unique_ptr<ServedRouter> serve_with_httplib_handle(const Router& router) {
  return std::make_unique<HttplibHost>([&router](::httplib::Server& server) {
    server.set_pre_routing_handler([&router](const auto& req, auto& res) {
      return healthchecks::httplib::handle(router, req, res)
                 ? ::httplib::Server::HandlerResponse::Handled
                 : ::httplib::Server::HandlerResponse::Unhandled;
    });
  });
}

}  // namespace healthchecks::testing
