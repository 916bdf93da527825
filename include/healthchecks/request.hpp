// What the router reads of a request: method, target and a view of the header fields.
// Adapters fill it from their own request type without copying.
#pragma once

#include <optional>
#include <string_view>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// Read access to the header fields of a request; adapters implement it over their own type.
class HEALTHCHECKS_EXPORT Headers {
 public:
  virtual ~Headers() = default;
  /// The value of the first field named `name` (case-insensitive), or nullopt.
  virtual std::optional<std::string_view> find(std::string_view name) const = 0;
};

/// A request as the router sees it. Everything is a view: it must outlive the call that takes
/// it, but not the answer (the router copies what it keeps).
struct Request {
  Request() = default;
  Request(std::string_view method_, std::string_view target_, const Headers* headers_ = nullptr,
          std::string_view remote_address_ = {})
      : method(method_), target(target_), headers(headers_), remote_address(remote_address_) {}

  std::string_view method = "GET";
  /// Origin-form target: path and optional query, e.g. "/status/aggregate?type=internal".
  std::string_view target;
  /// Header fields, or nullptr when the caller has none to offer.
  const Headers* headers = nullptr;
  /// The client's address as text, for access rules; may be empty.
  std::string_view remote_address;

  /// Convenience for `headers->find(name)` that tolerates a null `headers`.
  std::optional<std::string_view> header(std::string_view name) const {
    return headers != nullptr ? headers->find(name) : std::nullopt;
  }
};

}  // namespace healthchecks
