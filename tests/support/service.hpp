// A whole service on a loopback port: registry, router and embedded server, for tests of real
// service graphs (A calls B, B calls A, diamonds).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "support/servers.hpp"

namespace healthchecks::testing {

struct Service {
  explicit Service(RouterOptions options = {}, RegistryOptions registry_options = {})
      : router_options(std::move(options)), registry(About{}, std::move(registry_options)) {}
  void serve(std::vector<StatusEndpoint> endpoints) {
    for (auto& endpoint : endpoints) registry.add(std::move(endpoint));
    router = std::make_unique<Router>(registry, router_options);
    server = std::make_unique<Server>(*router, ServerOptions{"127.0.0.1", port, 2});
    server->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  unsigned short port = free_port();
  RouterOptions router_options;
  Registry registry;
  std::unique_ptr<Router> router;
  std::unique_ptr<Server> server;
};

}  // namespace healthchecks::testing
