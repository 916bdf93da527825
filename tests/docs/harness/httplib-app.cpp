// Harness "httplib-app": statements in a function of an application that has its `router` (a
// healthchecks::Router) and serves with cpp-httplib (compiled with cpp-httplib's pkg-config
// flags; fails without the component).
#include <healthchecks.hpp>
#include <healthchecks/httplib/router_adapter.hpp>

void snippet([[maybe_unused]] healthchecks::Router& router) {
  // @SNIPPET@
}
