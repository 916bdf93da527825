// Harness "check": the snippet is an expression statement making a healthchecks::Check (with
// `using namespace healthchecks`), which may use the Asio door and Asio's timers.
#include <chrono>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include <healthchecks.hpp>
#include <healthchecks/asio/executor.hpp>

using namespace healthchecks;

void snippet() {
  // @SNIPPET@
}
