// PostgreSQL: connect and run a query through libpq's asynchronous API, driven by Asio.
// Available when the library was built with libpq (HEALTHCHECKS_HAS_POSTGRES is defined).
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

#ifndef HEALTHCHECKS_HAS_POSTGRES
#error \
    "this healthchecks was built without PostgreSQL support: install libpq-dev and rebuild (HEALTHCHECKS_WITH_POSTGRES)"
#endif

namespace healthchecks::checks {

struct PostgresOptions {
  /// A libpq connection string: "host=127.0.0.1 port=5432 dbname=app user=app password=...",
  /// or a postgresql:// URI. The check's deadline bounds connecting and querying together.
  std::string conninfo;
  std::string query = "SELECT 1";
  /// WARN when connecting and querying take longer than this (0: never).
  std::chrono::milliseconds warn_after{0};
};

/// OK when the query succeeds: "SELECT 1 on 127.0.0.1:5432/app in 2.1 ms". CRIT with libpq's
/// own words when it cannot connect ("connection refused"), authenticate ("password
/// authentication failed for user ...") or query, or at the deadline. Host names are resolved
/// by libpq before it goes asynchronous: give an address (hostaddr=) where DNS may hang.
HEALTHCHECKS_EXPORT Check postgres(PostgresOptions options);

}  // namespace healthchecks::checks
