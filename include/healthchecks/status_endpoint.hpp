// One dependency of the service as registered: its name, slug, type and checks.
// Contract: health-checks-api.md, "Vocabulary" (dependency / status endpoint).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "healthchecks/check.hpp"

namespace healthchecks {

/// A dependency of the service (its database, cache, a service it calls).
///
///     StatusEndpoint db("MySQL", "db", "internal", [] { return pool.ping(); });
///
/// Registration (Registry::add) validates it and throws Error when it is unusable.
struct StatusEndpoint {
  /// Display name, e.g. "MySQL".
  std::string name;
  /// The URL segment, `/status/<slug>`; characters [A-Za-z0-9._-], not a reserved path.
  std::string slug;
  /// "internal" for what the service owns (its database, cache); anything else is external.
  std::string type = "internal";
  /// The dependency speaks the Health Checks API itself, so traversal may continue through it;
  /// requires `traverse`.
  bool traversable = false;
  /// The status check (required).
  Check check;
  /// The traverse check (required when `traversable`).
  TraverseCheck traverse;

  // Resilience: how often the check may run and how long answers wait for it.
  // See docs/api.md, "Deadlines, caching and freshness".

  /// Deadline of one execution of `check`; unset means RegistryOptions::default_timeout (2 s).
  /// At the deadline the check reads CRIT "timed out after N ms" and waiting requests answer.
  std::optional<std::chrono::milliseconds> timeout;
  /// Within this time of the last result, answers come from memory (0: no caching).
  std::chrono::milliseconds cache_ttl{0};
  /// Run the check in the background at this period; requests answer from memory and never
  /// wait on the dependency (0: no background refresh).
  std::chrono::milliseconds interval{0};
  /// A non-critical dependency's CRIT counts as WARN for aggregate: degraded, not down.
  bool critical = true;
  /// A remembered result older than this reads at least WARN, saying how old it is. Unset means
  /// 2 x interval + timeout for background checks and no limit otherwise.
  std::optional<std::chrono::milliseconds> max_stale;
  /// Flap dampening: consecutive failed executions before the level leaves OK ...
  int failures_before_crit = 1;
  /// ... and consecutive OK executions before it returns to OK.
  int successes_before_ok = 1;

  StatusEndpoint() = default;
  StatusEndpoint(std::string name, std::string slug, std::string type, Check check)
      : name(std::move(name)),
        slug(std::move(slug)),
        type(std::move(type)),
        check(std::move(check)) {}
};

}  // namespace healthchecks
