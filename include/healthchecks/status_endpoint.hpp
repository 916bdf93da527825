// One dependency of the service as registered: its name, slug, type and checks.
// Contract: health-checks-api.md, "Vocabulary" (dependency / status endpoint).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthchecks/check.hpp"

namespace healthchecks {

/// A dependency of the service (its database, cache, a service it calls).
///
///     StatusEndpoint db("MySQL", "db", [] { return pool.ping(); });        // internal
///     StatusEndpoint billing("Billing", "billing", StatusEndpoint::Type::external, check);
///     StatusEndpoint search("Search", "search", "service", check);  // shown as "service"
///
/// Registration (Registry::add) validates it and throws Error when it is unusable.
struct StatusEndpoint {
  /// What `?type=internal|external` selects: what the service owns (its database, cache) is
  /// internal, the rest (services it calls) external.
  enum class Type { internal, external };

  /// The type as registered: a Type, and the word About shows as the dependency's "type".
  ///
  /// Built from a Type (shown "internal" or "external") or from any word, as the contract
  /// allows and other implementations send: "internal" is internal, anything else (e.g.
  /// "service", "db") external, and About shows the word as given.
  class TypeName {
   public:
    TypeName(Type type = Type::internal);  // NOLINT(google-explicit-constructor)
    TypeName(std::string name);            // NOLINT(google-explicit-constructor)
    TypeName(const char* name);            // NOLINT(google-explicit-constructor)
    TypeName(std::string_view name);       // NOLINT(google-explicit-constructor)

    /// Internal or external, for `?type=` and aggregate.
    Type value() const noexcept { return value_; }
    bool is_internal() const noexcept { return value_ == Type::internal; }
    /// The word About shows: as registered, or "internal"/"external" for a Type.
    const std::string& name() const noexcept { return name_; }

    [[deprecated("StatusEndpoint::type is no longer a string: use type.name()")]]
    operator const std::string&() const noexcept {  // NOLINT(google-explicit-constructor)
      return name_;
    }

    /// Compares the classification: a type registered as "service" equals Type::external.
    friend bool operator==(const TypeName& a, Type b) noexcept { return a.value_ == b; }
    friend bool operator!=(const TypeName& a, Type b) noexcept { return a.value_ != b; }
    /// Compares the word shown, as comparing the string used to.
    friend bool operator==(const TypeName& a, std::string_view b) noexcept { return a.name_ == b; }
    friend bool operator!=(const TypeName& a, std::string_view b) noexcept { return a.name_ != b; }

   private:
    Type value_;
    std::string name_;
  };

  /// Display name, e.g. "MySQL".
  std::string name;
  /// The URL segment, `/status/<slug>`; characters [A-Za-z0-9._-], not a reserved path.
  std::string slug;
  /// Internal (the default) or external, and the word About shows (see TypeName).
  TypeName type;
  /// The dependency speaks the Health Checks API itself, so traversal may continue through it;
  /// requires `traverse`.
  bool traversable = false;
  /// The status check (required).
  Check check;
  /// The traverse check (required when `traversable`).
  TraverseCheck traverse;
  /// Groups the dependency belongs to, for `aggregate?tag=<tag>`, which judges only the
  /// dependencies carrying any of the tags asked for (e.g. {"readiness", "startup"}, for probes
  /// that must not depend on everything). Each tag is 1 to 64 characters from [A-Za-z0-9._-];
  /// at most 16. Not shown in About (the contract's Dependency has no such field).
  std::vector<std::string> tags;

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
  /// An internal dependency.
  StatusEndpoint(std::string name, std::string slug, Check check);
  /// A dependency of the given type: a Type, or a word shown as given (see TypeName).
  StatusEndpoint(std::string name, std::string slug, TypeName type, Check check);
};

// Defined here rather than in the class so that the parameters above can carry the members'
// names without shadowing them.

inline StatusEndpoint::TypeName::TypeName(Type type_in)
    : value_(type_in), name_(type_in == Type::internal ? "internal" : "external") {}
inline StatusEndpoint::TypeName::TypeName(std::string name_in)
    : value_(name_in == "internal" ? Type::internal : Type::external), name_(std::move(name_in)) {}
inline StatusEndpoint::TypeName::TypeName(const char* name_in) : TypeName(std::string(name_in)) {}
inline StatusEndpoint::TypeName::TypeName(std::string_view name_in)
    : TypeName(std::string(name_in)) {}

inline StatusEndpoint::StatusEndpoint(std::string name_in, std::string slug_in, Check check_in)
    : name(std::move(name_in)), slug(std::move(slug_in)), check(std::move(check_in)) {}
inline StatusEndpoint::StatusEndpoint(std::string name_in, std::string slug_in, TypeName type_in,
                                      Check check_in)
    : name(std::move(name_in)),
      slug(std::move(slug_in)),
      type(std::move(type_in)),
      check(std::move(check_in)) {}

}  // namespace healthchecks
