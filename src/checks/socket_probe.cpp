#include "checks/socket_probe.hpp"

#include <boost/asio/connect.hpp>

namespace healthchecks::detail {

SocketProbe::SocketProbe(const CheckContext& context, Completion done, std::string host,
                         unsigned short port)
    : Probe(context, std::move(done)),
      socket_(executor_),
      host_(std::move(host)),
      port_(std::to_string(port)),
      where_((host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" + port_),
      resolver_(executor_) {}

void SocketProbe::start() {
  arm_deadline();
  resolver_.async_resolve(host_, port_,
                          [self = self_as<SocketProbe>()](
                              const error_code& ec, const tcp::resolver::results_type& results) {
                            self->on_resolve(ec, results);
                          });
}

// Cancel whatever is pending; its handler then reports the time-out.
void SocketProbe::on_deadline() {
  timed_out_ = true;
  resolver_.cancel();
  error_code ignored;
  socket_.cancel(ignored);
  socket_.close(ignored);
}

void SocketProbe::on_resolve(const error_code& ec, const tcp::resolver::results_type& results) {
  if (ec) return fail("resolve " + host_, ec);
  phase_ = "connecting";
  asio::async_connect(socket_, results,
                      [self = self_as<SocketProbe>()](const error_code& ec, const tcp::endpoint&) {
                        if (ec) return self->fail("connect to " + self->where_, ec);
                        error_code ignored;
                        self->socket_.set_option(tcp::no_delay(true), ignored);
                        self->on_connected();
                      });
}

void SocketProbe::fail(const std::string& phase, const error_code& ec) {
  if (timed_out_ || ec == asio::error::operation_aborted) {
    finish(Status::crit(timed_out_while(phase_) + " (" + where_ + ")"));
    return;
  }
  finish(Status::crit(phase + ": " + ec.message()));
}

void SocketProbe::on_finish() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace healthchecks::detail
