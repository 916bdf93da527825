// Runs a check the way a service would (registered, through the router) and returns the
// status it reported: what an operator would see at /status/v2/<slug>.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::testing {

inline Status run_check(Check check, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  Registry registry;
  StatusEndpoint endpoint("Checked", "checked", "internal", std::move(check));
  endpoint.timeout = timeout;
  registry.add(endpoint);
  Router router(registry);
  const auto json = nlohmann::json::parse(router.handle("GET", "/status/v2/checked").body);
  return Status{*parse_level(json["result"].get<std::string>()), json["description"],
                json["details"]};
}

}  // namespace healthchecks::testing
