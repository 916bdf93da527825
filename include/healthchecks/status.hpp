// The status of one dependency: a level (OK, WARN, CRIT) and the details shown to people.
// Contract: health-checks-api.md, "Vocabulary".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// Severity of a status, ordered: ok < warn < crit.
enum class Level { ok = 0, warn = 1, crit = 2 };

/// "OK", "WARN" or "CRIT", as on the wire.
HEALTHCHECKS_EXPORT std::string_view to_string(Level level) noexcept;

/// Reads "OK", "WARN" or "CRIT" (exactly, as the wire spells them); anything else is nullopt.
HEALTHCHECKS_EXPORT std::optional<Level> parse_level(std::string_view text) noexcept;

/// The more severe of two levels.
constexpr Level worst(Level a, Level b) noexcept {
  return a < b ? b : a;
}

/// A status details object: `{"description", "result", "details"}`.
///
/// A check returns one of these. An empty `description` is filled with the endpoint's name
/// when the status is reported, so `Status::crit("", "connection refused")` is enough.
struct Status {
  Level level = Level::ok;
  std::string description;
  std::string details;

  static Status ok(std::string description = {}, std::string details = {}) {
    return {Level::ok, std::move(description), std::move(details)};
  }
  static Status warn(std::string description, std::string details) {
    return {Level::warn, std::move(description), std::move(details)};
  }
  static Status crit(std::string description, std::string details) {
    return {Level::crit, std::move(description), std::move(details)};
  }
};

inline bool operator==(const Status& a, const Status& b) {
  return a.level == b.level && a.description == b.description && a.details == b.details;
}
inline bool operator!=(const Status& a, const Status& b) {
  return !(a == b);
}

}  // namespace healthchecks
