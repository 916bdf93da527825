// The IETF health+json format (draft-inadarei-api-health-check): aggregate and About for
// clients that ask for it by Accept (api/accept.hpp). The wire shape is in docs/integrations.md.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/render.hpp"

namespace healthchecks::detail {

inline constexpr const char* kHealthJson = "application/health+json";

/// The service's own fields (`"version"`, `"serviceId"`, `"description"`), rendered once with
/// secrets masked; placeholders ("N/A") are left out.
class HealthJsonService {
 public:
  explicit HealthJsonService(const Engine& engine);
  /// Each field with its leading comma; redacted: serviceId alone, as redacted About shows
  /// only who the service is.
  const std::string& fields(bool redacted) const noexcept { return redacted ? redacted_ : full_; }

 private:
  std::string full_;
  std::string redacted_;
};

/// The health+json document: `overall` is the verdict (its details become "output" unless it
/// passes), and `checks` one entry per dependency, grouped under "<name>:responseTime".
/// Redacted: no "output" anywhere. `now` dates results that were not answered from memory.
std::string health_json_body(const std::string& service_fields, const Status& overall,
                             const std::vector<const StatusEndpoint*>& endpoints,
                             const std::vector<Outcome>& outcomes, bool redacted,
                             std::chrono::system_clock::time_point now);

/// The response: application/health+json, 503 when `overall` is CRIT, 200 otherwise.
Response health_json_response(const Status& overall, std::string body);

}  // namespace healthchecks::detail
