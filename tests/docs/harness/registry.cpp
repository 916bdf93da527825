// Harness "registry": as "app", with the application's `registry` (a healthchecks::Registry)
// already made: the snippet registers checks in it. The PostgreSQL and MySQL checks are declared
// even where the library is built without them (nothing is linked here).
#include <chrono>
#include <string>

#ifndef HEALTHCHECKS_HAS_POSTGRES
#define HEALTHCHECKS_HAS_POSTGRES 1
#endif
#ifndef HEALTHCHECKS_HAS_MYSQL
#define HEALTHCHECKS_HAS_MYSQL 1
#endif
#include <healthchecks.hpp>

namespace {
struct ConnectionPool {
  bool ping() { return true; }
};
}  // namespace

void snippet([[maybe_unused]] healthchecks::Registry& registry,
             [[maybe_unused]] ConnectionPool& pool, [[maybe_unused]] const std::string& secret) {
  // @SNIPPET@
}
