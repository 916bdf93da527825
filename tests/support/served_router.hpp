// A Router served over loopback by a host HTTP server through one of the adapters, for the
// endpoint tests every adapter shares (tests/unit/adapters/endpoint_cases.cpp). Each host has
// routes of its own beside the router's: GET /hello answers 200 "hello from the host", and any
// other path the router leaves alone answers 404 "not found by the host".
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "healthchecks/router.hpp"

namespace healthchecks::testing {

/// A host server running on a loopback port until destroyed; the router must outlive it.
class ServedRouter {
 public:
  virtual ~ServedRouter() = default;
  virtual unsigned short port() const = 0;
};

/// One way of serving a router.
struct Adapter {
  std::string name;
  std::function<std::unique_ptr<ServedRouter>(const Router&)> serve;
};

inline void PrintTo(const Adapter& adapter, std::ostream* out) {
  *out << adapter.name;
}

/// Every adapter this build has: Beast (healthchecks::beast::handle in a Beast server) and the
/// docs' recipe for any server always;
/// with the cpp-httplib component, httplib::mount and httplib::handle from a pre-routing handler.
std::vector<Adapter> adapters();

/// True when this build has the cpp-httplib component (HEALTHCHECKS_WITH_HTTPLIB).
bool built_with_httplib();

std::unique_ptr<ServedRouter> serve_with_beast(const Router& router);
/// Beast handing method, target and fields to the recipe of docs/integrations.md ("Any HTTP
/// server").
std::unique_ptr<ServedRouter> serve_with_recipe(const Router& router);
std::unique_ptr<ServedRouter> serve_with_httplib_mount(const Router& router);
std::unique_ptr<ServedRouter> serve_with_httplib_handle(const Router& router);

}  // namespace healthchecks::testing
