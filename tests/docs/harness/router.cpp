// Harness "router": statements in a function of an application that has its `router` (a
// healthchecks::Router) and a `token` (a std::string).
#include <string>

#include <healthchecks.hpp>

void snippet([[maybe_unused]] healthchecks::Router& router,
             [[maybe_unused]] const std::string& token) {
  // @SNIPPET@
}
