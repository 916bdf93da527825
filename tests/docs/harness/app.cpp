// Harness "app": the snippet is the body of a function of the application, which has a
// connection pool `pool` (with `bool ping()`), its About `about`, and secrets read from its
// configuration (`db_password`, `secret`).
#include <chrono>
#include <iostream>
#include <string>

#include <healthchecks.hpp>

namespace {
struct ConnectionPool {
  bool ping() { return true; }
};
}  // namespace

void snippet([[maybe_unused]] ConnectionPool& pool,
             [[maybe_unused]] const healthchecks::About& about,
             [[maybe_unused]] const std::string& db_password,
             [[maybe_unused]] const std::string& secret) {
  // @SNIPPET@
}
