#include "checks/probe.hpp"

#include <utility>

#include "util/text.hpp"

namespace healthchecks::detail {

Probe::Probe(const CheckContext& context, Completion done)
    : executor_(healthchecks::asio::executor(context)),
      started_(context.started),
      done_(std::move(done)),
      budget_end_(context.deadline),
      deadline_(executor_) {}

void Probe::arm_deadline() {
  deadline_.expires_at(probe_deadline(budget_end_));
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    self->on_deadline();
  });
}

void Probe::finish(Status status) {
  if (finished_) return;
  finished_ = true;
  deadline_.cancel();
  on_finish();
  done_(std::move(status));
}

std::string Probe::timed_out() const {
  return "timed out after " + format_ms(budget_end_ - started_);
}

}  // namespace healthchecks::detail
