#include "sidecar/check_config.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include "healthchecks/checks/command.hpp"
#include "healthchecks/checks/disk.hpp"
#include "healthchecks/checks/http.hpp"
#include "healthchecks/checks/memcached.hpp"
#include "healthchecks/http_client.hpp"
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
#include "sidecar/peer_options.hpp"

namespace healthchecks::sidecar {
namespace {

// "static": a fixed answer, optionally late or thrown, to try the API or stand in for a check.
Check static_check(const Reader& r, const json& spec, const std::string& where) {
  const Level fixed = r.level(spec, where, "result");
  const std::string details = r.string(spec, where, "details", std::string());
  // "cycle": ["OK", "CRIT"] answers each level in turn, to watch flapping and dampening.
  auto cycle = std::make_shared<std::vector<Level>>();
  if (const json* list = r.find(spec, "cycle")) {
    if (!list->is_array() || list->empty()) {
      r.expected(Reader::key(where, "cycle"), "a non-empty list of \"OK\", \"WARN\", \"CRIT\"",
                 *list);
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto level =
          (*list)[i].is_string() ? parse_level((*list)[i].get<std::string>()) : std::nullopt;
      if (!level) {
        r.expected(Reader::key(where, "cycle[" + std::to_string(i) + "]"),
                   "\"OK\", \"WARN\" or \"CRIT\"", (*list)[i]);
      }
      cycle->push_back(*level);
    }
  }
  auto turn = std::make_shared<std::atomic<std::size_t>>(0);
  const auto level_now = [fixed, cycle, turn] {
    return cycle->empty() ? fixed : (*cycle)[turn->fetch_add(1) % cycle->size()];
  };
  const auto delay = r.duration(spec, where, "delayMs").value_or(milliseconds(0));
  const json* throws = r.find(spec, "throws");
  const bool blocking = r.boolean(spec, where, "blocking", false);
  std::optional<std::string> message;
  if (throws != nullptr) message = r.string(spec, where, "throws");

  if (message || blocking) {
    // Like a real blocking check: it holds a worker thread for its delay.
    return Check([level_now, details, delay, message](const CheckContext&) -> Status {
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      if (message) throw std::runtime_error(*message);
      return Status{level_now(), {}, details};
    });
  }
  return Check::async([level_now, details, delay](const CheckContext& context, Completion done) {
    const Status status{level_now(), {}, details};
    if (delay.count() == 0 || !context.schedule(std::chrono::steady_clock::now() + delay,
                                                [done, status] { done(status); })) {
      done(status);
    }
  });
}

// "tags": ["readiness"]: the groups aggregate?tag= selects. Checked here as well as by the
// registry, so that the message names the item.
std::vector<std::string> read_tags(const Reader& r, const json& spec, const std::string& where) {
  std::vector<std::string> tags;
  const json* list = r.find(spec, "tags");
  if (list == nullptr) return tags;
  const std::string at = Reader::key(where, "tags");
  if (!list->is_array() || list->size() > 16) {
    r.expected(at, "a list of at most 16 tags such as [\"readiness\"]", *list);
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    const std::string item_key = at + "[" + std::to_string(i) + "]";
    const bool valid = item.is_string() && !item.get<std::string>().empty() &&
                       item.get<std::string>().size() <= 64 &&
                       item.get<std::string>().find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                           std::string::npos;
    if (!valid) r.expected(item_key, "a tag of 1 to 64 characters from [A-Za-z0-9._-]", item);
    tags.push_back(item.get<std::string>());
  }
  return tags;
}

// Keys every kind of check takes: how often it may run and how long answers wait for it.
void read_resilience(const Reader& r, const json& spec, const std::string& where,
                     StatusEndpoint& endpoint) {
  endpoint.timeout = r.duration(spec, where, "timeoutMs", 1);
  endpoint.cache_ttl = r.duration(spec, where, "cacheTtlMs").value_or(milliseconds(0));
  endpoint.interval = r.duration(spec, where, "intervalMs").value_or(milliseconds(0));
  endpoint.critical = r.boolean(spec, where, "critical", true);
  endpoint.max_stale = r.duration(spec, where, "maxStaleMs");
  endpoint.failures_before_crit =
      static_cast<int>(r.integer(spec, where, "failuresBeforeCrit", 1, 1, 1000));
  endpoint.successes_before_ok =
      static_cast<int>(r.integer(spec, where, "successesBeforeOk", 1, 1, 1000));
  endpoint.tags = read_tags(r, spec, where);
}

// What a check reads when a variable its keys need is not set (LoadOptions::require_env false:
// the file is being validated, not served).
Check missing_variable(const std::string& variable) {
  return Check([message = "environment variable " + variable + " is not set"](
                   const CheckContext&) -> Status { return Status::crit(message); });
}

}  // namespace

StatusEndpoint read_check(const Reader& r, const json& spec, const std::string& where,
                          std::vector<std::string>& secrets, const std::string& base_dir) {
  if (!spec.is_object()) r.expected(where, "an object describing a check", spec);
  const std::string kind = r.string(spec, where, "check");
  StatusEndpoint endpoint;
  endpoint.name = r.string(spec, where, "name");
  endpoint.slug = r.string(spec, where, "slug");
  read_resilience(r, spec, where, endpoint);
  // Each kind: its own keys, its default type, and how to build its check.
  const auto milliseconds_of = [&](const char* name) {
    return r.duration(spec, where, name).value_or(milliseconds(0));
  };
  try {
    if (kind == "static") {
      endpoint.check = static_check(r, spec, where);
    } else if (kind == "http") {
      const std::string url = r.string(spec, where, "url");
      const std::string* url_variable = r.unresolved(Reader::key(where, "url"));
      bool https = false;
      if (url_variable == nullptr) {
        try {
          https = parse_http_url(url).https();
        } catch (const Error& e) {
          r.fail(Reader::key(where, "url"), e.message());
        }
      }
      checks::HttpOptions options;
      options.method = r.string(spec, where, "method", std::string("GET"));
      options.expect_status = r.integers(spec, where, "expectStatus", 100, 599);
      options.body_contains = r.string(spec, where, "bodyContains", std::string());
      read_json_levels(r, spec, where, options);
      options.headers = read_headers(r, spec, where, secrets);
      options.tls = read_tls_client(r, spec, where, base_dir);
      if (!https && url_variable == nullptr && r.find(spec, "tls") != nullptr) {
        r.fail(Reader::key(where, "tls"), "the url is http://; tls applies to https:// URLs");
      }
      endpoint.traversable = r.boolean(spec, where, "traversable", false);
      if (url_variable != nullptr) {
        endpoint.check = missing_variable(*url_variable);
        if (endpoint.traversable) {
          endpoint.traverse = [message = "environment variable " + *url_variable + " is not set"](
                                  const TraverseRequest&,
                                  std::function<void(TraverseResult)> done) {
            done(TraverseResult{message, {}});
          };
        }
      } else {
        endpoint.check = checks::http(url, options);
        // The same credentials for every traversal through this dependency.
        if (endpoint.traversable) endpoint.traverse = checks::peer_traverse(url, options);
      }
    } else if (kind == "grpc") {
      endpoint.check = grpc_check(r, spec, where, base_dir);
    } else if (kind == "tcp") {
      endpoint.check = checks::tcp(r.string(spec, where, "host", std::string("127.0.0.1")),
                                   r.port(spec, where, "port"));
    } else if (kind == "redis") {
      checks::RedisOptions options;
      options.host = r.string(spec, where, "host", options.host);
      options.port = r.port(spec, where, "port", options.port);
      options.username = r.string(spec, where, "username", std::string());
      options.password = r.string(spec, where, "password", std::string());
      options.db = static_cast<int>(r.integer(spec, where, "db", 0, 0, 1 << 20));
      options.warn_after = milliseconds_of("warnMs");
      endpoint.check = checks::redis(options);
    } else if (kind == "memcached") {
      checks::MemcachedOptions options;
      options.host = r.string(spec, where, "host", options.host);
      options.port = r.port(spec, where, "port", options.port);
      options.warn_evictions_per_sec = r.number(spec, where, "warnEvictionsPerSec", 0, 0, 1e12);
      options.warn_fill_percent = r.number(spec, where, "warnFillPercent", 0, 0, 100);
      options.warn_after = milliseconds_of("warnMs");
      endpoint.check = checks::memcached(options);
    } else if (kind == "postgres") {
#ifdef HEALTHCHECKS_HAS_POSTGRES
      checks::PostgresOptions options;
      options.conninfo = r.string(spec, where, "conninfo");
      options.query = r.string(spec, where, "query", options.query);
      options.warn_after = milliseconds_of("warnMs");
      endpoint.check = checks::postgres(options);
#else
      r.fail(Reader::key(where, "check"),
             "this sidecar was built without PostgreSQL support; install libpq-dev and rebuild");
#endif
    } else if (kind == "mysql") {
#ifdef HEALTHCHECKS_HAS_MYSQL
      checks::MysqlOptions options;
      options.host = r.string(spec, where, "host", options.host);
      options.port = r.port(spec, where, "port", options.port);
      options.user = r.string(spec, where, "user");
      options.password = r.string(spec, where, "password", std::string());
      options.database = r.string(spec, where, "database", std::string());
      options.query = r.string(spec, where, "query", std::string());
      options.warn_after = milliseconds_of("warnMs");
      // A credential, as header values are: never shown, wherever it might appear.
      if (!options.password.empty()) add_once(secrets, options.password);
      endpoint.check = checks::mysql(options);
#else
      r.fail(Reader::key(where, "check"),
             "this sidecar was built without MySQL/MariaDB support; install libmariadb-dev and "
             "rebuild");
#endif
    } else if (kind == "disk") {
      checks::DiskOptions options;
      options.path = r.string(spec, where, "path", options.path);
      if (options.path.empty() && r.unresolved(Reader::key(where, "path")) == nullptr) {
        r.fail(Reader::key(where, "path"), "expected a path such as \"/var/lib\", found \"\"");
      }
      options.warn_percent_free = r.number(spec, where, "warnPercentFree", 10, 0, 100);
      options.crit_percent_free = r.number(spec, where, "critPercentFree", 5, 0, 100);
      // checks::disk names its C++ fields; the file's keys are named here.
      if (options.crit_percent_free > options.warn_percent_free) {
        r.fail(Reader::key(where, "critPercentFree"),
               "expected at most warnPercentFree (" + Reader::describe(options.warn_percent_free) +
                   "), found " + Reader::describe(options.crit_percent_free));
      }
      endpoint.check = checks::disk(options);
    } else if (kind == "self") {
      checks::ProcessOptions options;
      options.warn_rss_mib = r.number(spec, where, "warnRssMiB", 0, 0, 1e9);
      options.crit_rss_mib = r.number(spec, where, "critRssMiB", 0, 0, 1e9);
      options.warn_cpu_percent = r.number(spec, where, "warnCpuPercent", 0, 0, 1e6);
      options.crit_cpu_percent = r.number(spec, where, "critCpuPercent", 0, 0, 1e6);
      endpoint.check = checks::process(options);
    } else if (kind == "command") {
      endpoint.check = checks::command(r.strings(spec, where, "argv"));
    } else if (kind == "tlsCert") {
      checks::TlsCertOptions options;
      options.host = r.string(spec, where, "host", options.host);
      options.port = r.port(spec, where, "port", options.port);
      options.server_name = r.string(spec, where, "serverName", std::string());
      options.ca_file = existing_file(r, Reader::key(where, "caFile"),
                                      r.string(spec, where, "caFile", std::string()), base_dir);
      options.warn_days = static_cast<int>(r.integer(spec, where, "warnDays", 14, 0, 3650));
      options.crit_days = static_cast<int>(r.integer(spec, where, "critDays", 3, 0, 3650));
      if (options.crit_days > options.warn_days) {
        r.fail(Reader::key(where, "critDays"), "expected at most warnDays (" +
                                                   std::to_string(options.warn_days) + "), found " +
                                                   std::to_string(options.crit_days));
      }
      endpoint.check = checks::tls_cert(options);
    } else {
      r.fail(Reader::key(where, "check"),
             "expected one of \"static\", \"http\", \"tcp\", \"redis\", \"memcached\", "
             "\"postgres\", \"mysql\", \"disk\", \"self\", \"command\", \"tlsCert\", "
             "\"grpc\"; found \"" +
                 kind + "\"");
    }
  } catch (const Error& e) {
    if (e.category() == "config") throw;
    // Without its variables (validating only), a check is not judged by its own objections.
    if (const std::string* variable = r.unresolved_under(where)) {
      endpoint.check = missing_variable(*variable);
    } else {
      r.fail(where, e.message());  // a check's own objection, such as a URL it cannot use
    }
  }
  endpoint.type = r.string(spec, where, "type",
                           std::string(kind == "http" || kind == "grpc" ? "external" : "internal"));
  // health+json's componentType: the kind's own (redis, memcached, postgres and mysql
  // "datastore", disk and self "system", the others "component") unless the file says what,
  // e.g., a command checks.
  if (r.find(spec, "componentType") != nullptr) {
    std::string component = r.string(spec, where, "componentType");
    if (component.empty()) {
      r.fail(Reader::key(where, "componentType"),
             "expected a word such as \"datastore\", \"system\" or \"component\", found \"\"");
    }
    endpoint.check.with_component_type(std::move(component));
  }
  r.only(spec, where);
  return endpoint;
}

}  // namespace healthchecks::sidecar
