// For unit tests of checks: run one check without a Registry, Router or JSON, and make a
// Completion that reports to a function of the test's own.
#pragma once

#include <chrono>
#include <functional>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"
#include "healthchecks/status.hpp"

namespace healthchecks {

/// Runs `check` once, as a Registry would, and waits for its status: a synchronous check on a
/// worker thread, an asynchronous one started on the calling thread. The context it sees has a
/// runtime of its own (one I/O thread, for healthchecks::asio::executor and
/// CheckContext::schedule) and a deadline `timeout` from now.
///
///     EXPECT_EQ(run_once(my_check(), std::chrono::seconds(1)).level, Level::ok);
///
/// @return the check's status; CRIT "check threw: <what>" when it throws, CRIT "timed out after
/// N ms" when it has not answered by the deadline, CRIT "check finished without reporting a
/// status" when an asynchronous check drops its Completion. A synchronous check that is still
/// running at the deadline keeps its thread, and its runtime, until it returns; an
/// asynchronous one must not start I/O or timers after it has been answered CRIT (the runtime
/// goes when run_once returns).
HEALTHCHECKS_EXPORT Status run_once(const Check& check,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(2));

/// A Completion that calls `sink` once: with the first status passed to it, or, when every
/// copy is destroyed without a call, with CRIT "check finished without reporting a status".
/// Lets a test call an asynchronous check's function by hand.
HEALTHCHECKS_EXPORT Completion make_completion(std::function<void(Status)> sink);

}  // namespace healthchecks
