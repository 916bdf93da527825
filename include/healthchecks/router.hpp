// The Health Checks API as a function: a method and target in, a status, content type and body
// out. No socket, no HTTP library: adapters (healthchecks/beast/...) and Server sit on top.
// Contract: health-checks-api.md, "Endpoints (v1)" and "v2 variant".
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "healthchecks/export.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/request.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/status.hpp"

namespace healthchecks {

namespace detail {
class RouterImpl;
}

struct RouterOptions {
  /// Where the API lives; requests outside `<base_path>/` are not the router's.
  std::string base_path = "/status";
  /// Opt-in HTTP status codes for aggregate and /status/{slug} by level, e.g. {{Level::crit,
  /// 503}} for Kubernetes readiness probes. Empty: always 200, as the contract says. Codes
  /// from 200 to 599 that carry a body; Router's constructor throws Error for others (204,
  /// 205, 304).
  std::map<Level, int> status_codes;
  /// How long a traversal may take in all, counted from the first hop here.
  std::chrono::milliseconds traverse_timeout{5000};
  /// Most traversals in flight at once; beyond it traverse answers 503 with Retry-After.
  std::size_t max_traversals = 32;
  /// Largest answer a traversal relays (an About of 5,000 dependencies is about 760 KB); a
  /// larger one reads CRIT. With max_traversals it bounds what traversals buffer.
  std::size_t max_traverse_body = 1024 * 1024;

  // Limits: hostile or broken requests get a clear 4xx (or a CRIT answer) and nothing more.

  /// Longest request target; longer ones answer 414.
  std::size_t max_target_length = 2048;
  /// Most query parameters; more answer 400.
  std::size_t max_query_parameters = 16;
  /// Most services a request may cross: the hops it already crossed (X-Healthchecks-Hops, set
  /// by peers) plus, for traverse, the rest of its path. Beyond it the answer is CRIT saying so,
  /// so a crafted path through a cycle of services stops.
  int max_hops = 32;

  // Access control: who sees details.

  /// Decides, per request, whether the caller sees details (for example a bearer token or a
  /// client address). When set, callers it refuses get the redacted form.
  std::function<bool(const Request&)> allow_details;
  /// Without allow_details: true shows everybody the redacted form. In the redacted form
  /// am-i-up and every level stay public, but about loses its links, owners, host, version,
  /// description and customData, statuses lose their descriptions and details, and traverse
  /// through a dependency answers 403.
  bool redact = false;

  // The dashboard.

  /// Serve `<base_path>/dashboard`: one self-contained HTML page (no external script, style or
  /// font; sent with a strict Content-Security-Policy) that shows About and the dependencies,
  /// refreshes every 5 s, walks into traversable dependencies through `traverse` and draws the
  /// graph walked so far. It reads the API as any caller does, so access control applies to it:
  /// a token typed into the page is sent as `Authorization: Bearer <token>`. Off by default
  /// (the path is then an unknown slug, 404). Router's constructor throws Error when a
  /// dependency has the slug `dashboard`, which the page would hide.
  bool dashboard = false;

  // Metrics.

  /// Serve `<base_path>/metrics`: Prometheus metrics of the dependencies and the aggregate
  /// (healthchecks/metrics.hpp; the series: docs/integrations.md, "Metrics"). A scrape reads the
  /// latest results and never runs a check. Public like the levels, redacted or not: the metrics
  /// carry no descriptions or details, only names, slugs, types (as about's redacted form
  /// shows them), levels, timings and counts. Off by default (the path is then an unknown
  /// slug, 404). Router's constructor throws Error when a dependency has the slug `metrics`.
  bool metrics = false;
};

/// Serves every endpoint of the Health Checks API for one Registry.
///
/// Thread-safe; one Router serves any number of connections. Checks run on the registry's
/// threads, never on the caller's. A Router is a handle: it keeps the registry's state alive,
/// and copies of it share one router (options, limits, counters).
class HEALTHCHECKS_EXPORT Router {
 public:
  /// Starts the registry (freezing its endpoints and making its threads).
  /// @throws Error ("options: ...") for a status code that cannot carry a body, or for
  ///         `dashboard` with a dependency whose slug is `dashboard` (or `metrics` and
  ///         `metrics`).
  explicit Router(Registry& registry, RouterOptions options = {});
  ~Router();
  Router(const Router&) = default;
  Router& operator=(const Router&) = default;

  /// True when `target` lies under the base path, i.e. this router answers it. Adapters use it
  /// to let the host server handle everything else.
  bool matches(std::string_view target) const noexcept;

  /// What every target this router answers starts with: the base path and a slash, normalised
  /// ("/status/" by default, "/" for an empty base path). For servers that route by prefix.
  std::string_view prefix() const noexcept;

  /// Answers `request` by calling `done` exactly once: at once when no check must run (am-i-up,
  /// cached results, errors), else from a registry thread when the checks have answered or hit
  /// their deadlines. Never blocks; never throws for any input (bad input is a 4xx Response).
  void async_handle(const Request& request, std::function<void(Response)> done) const;

  /// Answers `request`, blocking the calling thread until the checks are done. Do not call it
  /// from a check or a registry thread.
  Response handle(const Request& request) const;

  /// Shorthand for handle(Request{method, target}).
  Response handle(std::string_view method, std::string_view target) const;

 private:
  std::shared_ptr<detail::RouterImpl> impl_;
};

}  // namespace healthchecks
