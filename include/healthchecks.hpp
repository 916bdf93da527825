// Everything but the Beast adapter (healthchecks/beast/router_adapter.hpp), in one include.
#pragma once

#include "healthchecks/about.hpp"
#include "healthchecks/access.hpp"
#include "healthchecks/check.hpp"
#include "healthchecks/checks/command.hpp"
#include "healthchecks/checks/disk.hpp"
#include "healthchecks/checks/http.hpp"
#include "healthchecks/checks/memcached.hpp"
#ifdef HEALTHCHECKS_HAS_MYSQL
#include "healthchecks/checks/mysql.hpp"
#endif
#ifdef HEALTHCHECKS_HAS_POSTGRES
#include "healthchecks/checks/postgres.hpp"
#endif
#include "healthchecks/checks/process.hpp"
#include "healthchecks/checks/redis.hpp"
#include "healthchecks/checks/tcp.hpp"
#include "healthchecks/checks/tls_cert.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/http_client.hpp"
#include "healthchecks/metrics.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/request.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "healthchecks/status.hpp"
#include "healthchecks/status_endpoint.hpp"
#include "healthchecks/tls.hpp"
#include "healthchecks/tls_probe.hpp"
#include "healthchecks/version.hpp"
