// A check that a TCP endpoint accepts connections: what "is the port open" means to a load
// balancer, for dependencies that speak no protocol the library knows.
#pragma once

#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

/// Connects to `host`:`port` (resolving `host` if it is a name) and closes again. OK: "connected
/// to db:5432 in 0.4 ms"; CRIT: the resolve or connect error, or "timed out after N ms".
/// Asynchronous: no thread waits.
HEALTHCHECKS_EXPORT Check tcp(std::string host, unsigned short port);

}  // namespace healthchecks::checks
