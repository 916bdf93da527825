// MariaDB Connector/C, loaded on first use (dlopen) rather than linked, as libpq is: services
// that check no MySQL do not carry it and the TLS library it brings. For src/checks/mysql.cpp.
#pragma once

#include <mysql.h>  // Connector/C's (mariadb/), whose build adds its folder to this file's path

#include <string>

namespace healthchecks::detail {

// The Connector/C functions the check calls, looked up in libmariadb.so.3 once.
struct Connector {
  std::string error;  // why Connector/C could not be loaded; empty when it was
#define HEALTHCHECKS_MARIADB(name) decltype(&::name) name = nullptr;
#define HEALTHCHECKS_MARIADB_FUNCTIONS(X) \
  X(mysql_server_init)                    \
  X(mysql_init)                           \
  X(mysql_options)                        \
  X(mysql_real_connect_start)             \
  X(mysql_real_connect_cont)              \
  X(mysql_ping_start)                     \
  X(mysql_ping_cont)                      \
  X(mysql_real_query_start)               \
  X(mysql_real_query_cont)                \
  X(mysql_field_count)                    \
  X(mysql_use_result)                     \
  X(mysql_fetch_row_start)                \
  X(mysql_fetch_row_cont)                 \
  X(mysql_free_result)                    \
  X(mysql_more_results)                   \
  X(mysql_next_result_start)              \
  X(mysql_next_result_cont)               \
  X(mysql_get_socket)                     \
  X(mysql_get_timeout_value_ms)           \
  X(mysql_errno)                          \
  X(mysql_error)                          \
  X(mariadb_cancel)                       \
  X(mysql_close)
  HEALTHCHECKS_MARIADB_FUNCTIONS(HEALTHCHECKS_MARIADB)
#undef HEALTHCHECKS_MARIADB
};

/// The functions, loaded and the library initialised once; `error` says why not.
const Connector& connector();

}  // namespace healthchecks::detail
