#include "checks/socket_probe.hpp"

#include <boost/asio/connect.hpp>

#include "util/text.hpp"

namespace healthchecks::detail {

SocketProbe::SocketProbe(const CheckContext& context, Completion done, std::string host,
                         unsigned short port)
    : socket_(context.runtime->impl().executor()),
      done_(std::move(done)),
      host_(std::move(host)),
      port_(std::to_string(port)),
      where_((host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" + port_),
      started_(context.started),
      budget_end_(context.deadline),
      deadline_(probe_deadline(context.deadline)),
      resolver_(socket_.get_executor()),
      timer_(socket_.get_executor()) {}

void SocketProbe::start() {
  timer_.expires_at(deadline_);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->finished_) return;
    // Cancel whatever is pending; its handler then reports the time-out.
    self->timed_out_ = true;
    self->resolver_.cancel();
    error_code ignored;
    self->socket_.cancel(ignored);
    self->socket_.close(ignored);
  });
  resolver_.async_resolve(host_, port_,
                          [self = shared_from_this()](const error_code& ec,
                                                      const tcp::resolver::results_type& results) {
                            self->on_resolve(ec, results);
                          });
}

void SocketProbe::on_resolve(const error_code& ec, const tcp::resolver::results_type& results) {
  if (ec) return fail("resolve " + host_, ec);
  phase_ = "connecting";
  asio::async_connect(socket_, results,
                      [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
                        if (ec) return self->fail("connect to " + self->where_, ec);
                        error_code ignored;
                        self->socket_.set_option(tcp::no_delay(true), ignored);
                        self->on_connected();
                      });
}

void SocketProbe::fail(const std::string& phase, const error_code& ec) {
  if (timed_out_ || ec == asio::error::operation_aborted) {
    finish(Status::crit("timed out after " + format_ms(budget_end_ - started_) + " while " +
                        phase_ + " (" + where_ + ")"));
    return;
  }
  finish(Status::crit(phase + ": " + ec.message()));
}

void SocketProbe::finish(Status status) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  error_code ignored;
  socket_.close(ignored);
  done_(std::move(status));
}

}  // namespace healthchecks::detail
