// What every built-in probe shares (socket probes, libpq, command): the start time, a deadline
// timer a little before the execution's, reporting once, and the "timed out after N ms while
// <phase>" message. Asio through the public door only (healthchecks/asio/executor.hpp).
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "healthchecks/asio/executor.hpp"
#include "healthchecks/check.hpp"

namespace healthchecks::detail {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

/// The deadline a network check sets on its own I/O: a little before the execution's, so that
/// the check reports what it was doing ("timed out ... while connecting to db:5432") rather than
/// the registry's bare "timed out after N ms".
inline Clock::time_point probe_deadline(Clock::time_point deadline) {
  const auto now = Clock::now();
  if (deadline <= now || deadline == Clock::time_point::max()) return deadline;
  const Clock::duration margin =
      std::min<Clock::duration>(std::chrono::milliseconds(20), (deadline - now) / 10);
  return deadline - margin;
}

/// A probe reports through its Completion exactly once. Made with std::make_shared; its
/// handlers keep it alive. Needs a runtime in the context (see network_check.hpp).
class Probe : public std::enable_shared_from_this<Probe> {
 public:
  virtual ~Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

 protected:
  Probe(const CheckContext& context, Completion done);

  /// Starts the deadline timer: at probe_deadline(context.deadline), on_deadline() runs unless
  /// the probe has finished.
  void arm_deadline();
  /// What the probe does at its deadline: report the time-out, or stop what it waits for.
  virtual void on_deadline() = 0;

  /// Reports `status`, once: stops the deadline timer, calls on_finish(), then the Completion.
  void finish(Status status);
  /// Releases what the probe holds (sockets, connections) before it reports.
  virtual void on_finish() {}
  bool finished() const noexcept { return finished_; }

  /// "timed out after N ms", N being the execution's time-out.
  std::string timed_out() const;
  /// "timed out after N ms while <phase>"
  std::string timed_out_while(const std::string& phase) const {
    return timed_out() + " while " + phase;
  }
  Clock::duration elapsed() const { return Clock::now() - started_; }

  template <class Derived>
  std::shared_ptr<Derived> self_as() {
    return std::static_pointer_cast<Derived>(shared_from_this());
  }

  /// One executor for all of the probe's I/O objects (a strand of its own, when it matters).
  asio::any_io_executor executor_;
  const Clock::time_point started_;

 private:
  Completion done_;
  const Clock::time_point budget_end_;  // the execution's deadline, for messages
  asio::steady_timer deadline_;         // a little before it (probe_deadline)
  bool finished_ = false;
};

/// For probes that wait on a client library's socket (libpq, Connector/C): stops Asio watching
/// it and lets go of it without closing it, as the library closes its own descriptor.
template <class Descriptor>
void let_go(std::optional<Descriptor>& socket) {
  if (!socket) return;
  boost::system::error_code ignored;
  socket->cancel(ignored);
  socket->release();
  socket.reset();
}

}  // namespace healthchecks::detail
