// MySQL and MariaDB: connect, then ping or run a query, through MariaDB Connector/C's
// non-blocking API driven by Asio. Available when the library was built with Connector/C's
// headers (HEALTHCHECKS_HAS_MYSQL is defined).
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

#ifndef HEALTHCHECKS_HAS_MYSQL
#error \
    "this healthchecks was built without MySQL/MariaDB support: install libmariadb-dev and rebuild (HEALTHCHECKS_WITH_MYSQL)"
#endif

namespace healthchecks::checks {

struct MysqlOptions {
  /// An address or a name, resolved by Asio (never a Unix socket: "localhost" is TCP too).
  std::string host = "127.0.0.1";
  unsigned short port = 3306;
  std::string user;
  /// Never shown in the check's details.
  std::string password;
  /// The default database (USE) of the connection; empty: none.
  std::string database;
  /// Run after connecting, its rows read one at a time and dropped (a row, like any packet
  /// from the server, may not exceed 1 MiB); empty: a ping (COM_PING) instead.
  std::string query;
  /// WARN when connecting and pinging or querying take longer than this (0: never).
  std::chrono::milliseconds warn_after{0};
};

/// OK when the server answers: "ping to 127.0.0.1:3306 in 0.4 ms", or "SELECT 1 on
/// 127.0.0.1:3306/app in 1.2 ms" with a query and a database. WARN when slower than
/// `warn_after`. CRIT with the server's words and error number when it refuses the login
/// ("authentication failed at ...: Access denied for user ... (1045)"), the connection or the
/// query, or at the deadline ("timed out after 2000 ms while querying 127.0.0.1:3306"). A new
/// connection per run. Asynchronous: no thread waits, and MariaDB Connector/C (libmariadb.so.3,
/// Debian libmariadb3) is loaded on its first run; without it the check reads CRIT saying so.
HEALTHCHECKS_EXPORT Check mysql(MysqlOptions options);

}  // namespace healthchecks::checks
