// The status of one dependency: a level (OK, WARN, CRIT) and the details shown to people.
// Contract: health-checks-api.md, "Vocabulary".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

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
/// when the status is reported, so the details are usually all a check has to say:
///
///     return Status::crit("connection refused");            // details; description: the name
///     return Status::warn("replica lag 12 s");
///     return Status::ok();
///     return Status::crit("MySQL replica", "connection refused");  // description and details
///
/// With one argument, `warn` and `crit` take the details. `ok` with one argument is deprecated:
/// it still reads its argument as the description, as it always did, and will read it as the
/// details, like `warn` and `crit`, in the next release.
struct Status {
  Level level = Level::ok;
  std::string description;
  std::string details;

  /// OK, with nothing to say.
  static Status ok() { return {Level::ok, {}, {}}; }
  /// OK with a description (empty: the endpoint's name) and details.
  static Status ok(std::string description, std::string details) {
    return {Level::ok, std::move(description), std::move(details)};
  }
  [[deprecated(
      "Status::ok(x) will read x as the details, like warn(x) and crit(x); use Status::ok(x, {}) "
      "for a description or Status::ok({}, x) for details")]] static Status
  ok(std::string description) {
    return {Level::ok, std::move(description), {}};
  }

  /// WARN with these details; the description is the endpoint's name.
  static Status warn(std::string details) { return {Level::warn, {}, std::move(details)}; }
  /// WARN with a description (empty: the endpoint's name) and details.
  static Status warn(std::string description, std::string details) {
    return {Level::warn, std::move(description), std::move(details)};
  }

  /// CRIT with these details; the description is the endpoint's name.
  static Status crit(std::string details) { return {Level::crit, {}, std::move(details)}; }
  /// CRIT with a description (empty: the endpoint's name) and details.
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
