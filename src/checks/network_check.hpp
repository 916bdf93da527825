// The built-in checks that do I/O run on the registry's runtime (its I/O threads and timers).
#pragma once

#include <string>
#include <utility>

#include "healthchecks/check.hpp"

namespace healthchecks::detail {

/// Check::async(start), where `start(context, done)` may rely on `context.runtime`: run
/// anywhere else (a Check called by hand, outside a Registry) it reads CRIT saying so.
template <class Start>
Check network_check(const char* kind, Start start) {
  return Check::async(
      [kind, start = std::move(start)](const CheckContext& context, Completion done) {
        if (context.runtime == nullptr) {
          return done(Status::crit(std::string(kind) + " check run outside a Registry"));
        }
        start(context, std::move(done));
      });
}

}  // namespace healthchecks::detail
