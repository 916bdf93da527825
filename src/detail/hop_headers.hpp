// The header fields of the hop protocol, in one place for CheckContext::forward_headers() and
// the peer client, which writes them straight into its request head.
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"

namespace healthchecks::detail {

/// Calls `field(name, value)` for each field a request to a peer carries.
template <class Field>
void for_each_hop_header(const CheckContext& context, Field&& field) {
  field(kHopsHeader, std::to_string(context.hops + 1));
  if (!context.via.empty()) field(kViaHeader, context.via);
  if (context.deadline != std::chrono::steady_clock::time_point::max()) {
    field(kDeadlineHeader, std::to_string(context.time_left().count()));
  }
}

}  // namespace healthchecks::detail
