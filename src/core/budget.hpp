// The hop protocol: what a request may spend and where it has been, read from the hop headers
// of a request, carried to the checks, and written out again on the way to a peer.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "healthchecks/check.hpp"
#include "healthchecks/request.hpp"
#include "runtime/runtime.hpp"

namespace healthchecks::detail {

/// What a request may spend and where it has been: its deadline (the caller's, passed down
/// from hop to hop), the services it crossed, and whether it came back to this one.
struct Budget {
  Clock::time_point deadline = Clock::time_point::max();
  int hops = 0;
  std::string_view via;  // the instance ids it passed through before this one (a view)
  bool cycle = false;    // it already passed through this service

  /// True when the caller sent hop headers: executions for it are its own (see EndpointState).
  bool supplied() const noexcept { return hops != 0 || !via.empty(); }
  /// Which execution the caller may share: "" for callers without hop headers, else its hops
  /// and chain.
  std::string key() const {
    return supplied() ? std::to_string(hops) + "|" + std::string(via) : std::string();
  }
  /// The chain to send on: `via` and this service's id, the oldest ids dropped so that it stays
  /// within kMaxViaBytes (a peer must never see a chain it would refuse).
  std::string chain(const std::string& self) const;
};

/// The longest X-Healthchecks-Via accepted and sent: room for 32 hops of our ids and then some.
inline constexpr std::size_t kMaxViaBytes = 1024;

/// `via` with the oldest ids dropped until it fits in `limit` bytes (a view into `via`).
std::string_view recent_ids(std::string_view via, std::size_t limit);

/// The budget a request brings in its hop headers; `self` is this service's instance id, for
/// recognising a request that comes back. Malformed values read as absent. Holds views into
/// `request`.
Budget read_budget(const Request& request, const std::string& self);

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
