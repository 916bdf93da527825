#include "healthchecks/checks/tcp.hpp"

#include "checks/network_check.hpp"
#include "checks/socket_probe.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

class TcpProbe final : public detail::SocketProbe {
 public:
  using SocketProbe::SocketProbe;

 private:
  void on_connected() override {
    finish(Status::ok({}, "connected to " + where() + " in " + detail::format_elapsed(elapsed())));
  }
};

}  // namespace

Check tcp(std::string host, unsigned short port) {
  return detail::network_check(
      "tcp", [host = std::move(host), port](const CheckContext& context, Completion done) {
        std::make_shared<TcpProbe>(context, std::move(done), host, port)->start();
      });
}

}  // namespace healthchecks::checks
