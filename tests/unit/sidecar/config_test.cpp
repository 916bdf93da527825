#include "sidecar/config.hpp"
#include "support/config_errors.hpp"

#include <map>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/about.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/router.hpp"
#include "support/fake_peer.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::sidecar {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

using testing::error_of;

TEST(SidecarConfig, ReadsAFullConfig) {
  const auto config = parse_config(R"({
    "listen": "127.0.0.1:9090",
    "threads": 2,
    "about": {"id": "svc", "summary": "Service", "maintainers": ["a@b"]},
    "version": "2.0.1",
    "checks": [
      {"name": "DB", "slug": "db", "type": "internal", "check": "static", "result": "WARN",
       "details": "slow", "delayMs": 5},
      {"name": "Peer", "slug": "peer", "check": "http", "url": "http://127.0.0.1:9", "traversable": true}
    ]})",
                                   "svc.json", "");
  EXPECT_EQ(config.server.address, "127.0.0.1");
  EXPECT_EQ(config.server.port, 9090);
  EXPECT_EQ(config.server.threads, 2u);
  EXPECT_EQ(config.about.id, "svc");
  EXPECT_EQ(config.about.name, "Service");
  EXPECT_EQ(config.about.version, "2.0.1");
  EXPECT_EQ(config.about.description, "N/A");
  ASSERT_EQ(config.endpoints.size(), 2u);
  EXPECT_EQ(config.endpoints[0].slug, "db");
  EXPECT_FALSE(config.endpoints[0].traversable);
  EXPECT_EQ(config.endpoints[1].type, "external");
  EXPECT_TRUE(config.endpoints[1].traversable);
  EXPECT_TRUE(static_cast<bool>(config.endpoints[1].traverse));
}

TEST(SidecarConfig, ReadsResilienceKeys) {
  const auto config = parse_config(R"({
    "statusCodes": {"CRIT": 503, "WARN": 429},
    "defaultTimeoutMs": 750,
    "firstResult": "warn",
    "history": {"size": 5, "key": "changes"},
    "checks": [
      {"name": "DB", "slug": "db", "check": "static", "timeoutMs": 300, "cacheTtlMs": 2000,
       "intervalMs": 1000, "critical": false, "maxStaleMs": 5000, "failuresBeforeCrit": 3,
       "successesBeforeOk": 2, "cycle": ["OK", "CRIT"]},
      {"name": "Cache", "slug": "cache", "check": "static"}
    ]})",
                                   "svc.json", "");
  EXPECT_EQ(config.router.status_codes,
            (std::map<Level, int>{{Level::crit, 503}, {Level::warn, 429}}));
  EXPECT_EQ(config.registry.default_timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(config.registry.first_result, FirstResult::warn);
  EXPECT_EQ(config.registry.history_size, 5u);
  EXPECT_EQ(config.registry.history_key, "changes");
  const auto& db = config.endpoints[0];
  EXPECT_EQ(db.timeout, std::chrono::milliseconds(300));
  EXPECT_EQ(db.cache_ttl, std::chrono::milliseconds(2000));
  EXPECT_EQ(db.interval, std::chrono::milliseconds(1000));
  EXPECT_FALSE(db.critical);
  EXPECT_EQ(db.max_stale, std::chrono::milliseconds(5000));
  EXPECT_EQ(db.failures_before_crit, 3);
  EXPECT_EQ(db.successes_before_ok, 2);
  const auto& cache = config.endpoints[1];
  EXPECT_FALSE(cache.timeout.has_value());
  EXPECT_TRUE(cache.critical);
  EXPECT_EQ(cache.failures_before_crit, 1);
}

TEST(SidecarConfig, CycleAnswersEachLevelInTurn) {
  auto config = parse_config(
      R"({"checks": [{"name": "Flaky", "slug": "flaky", "check": "static", "cycle": ["OK", "WARN", "CRIT"]}]})",
      "svc.json", "");
  Registry registry;
  registry.add(config.endpoints[0]);
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/flaky").body, R"(["OK"])");
  EXPECT_THAT(router.handle("GET", "/status/flaky").body, ::testing::StartsWith(R"(["WARN")"));
  EXPECT_THAT(router.handle("GET", "/status/flaky").body, ::testing::StartsWith(R"(["CRIT")"));
  EXPECT_EQ(router.handle("GET", "/status/flaky").body, R"(["OK"])");
}

TEST(SidecarConfig, ResilienceKeyErrors) {
  EXPECT_THAT(error_of(R"({"statusCodes": {"DOWN": 503}})"),
              HasSubstr("key 'statusCodes.DOWN': unknown level; expected OK, WARN or CRIT"));
  EXPECT_THAT(error_of(R"({"statusCodes": {"CRIT": 99}})"),
              HasSubstr("key 'statusCodes.CRIT': expected a number from 200 to 599"));
  EXPECT_THAT(error_of(R"({"firstResult": "later"})"),
              HasSubstr("key 'firstResult': expected \"wait\" or \"warn\""));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static", "timeoutMs": 0}]})"),
      HasSubstr("key 'checks[0].timeoutMs': expected a number from 1 to"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static", "critical": "no"}]})"),
      HasSubstr("key 'checks[0].critical': expected true or false, found string \"no\""));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "static", "cycle": ["OK", "DOWN"]}]})"),
      HasSubstr("key 'checks[0].cycle[1]': expected \"OK\", \"WARN\" or \"CRIT\""));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "static", "failuresBeforeCrit": 0}]})"),
      HasSubstr("key 'checks[0].failuresBeforeCrit': expected a number from 1 to 1000"));
}

TEST(SidecarConfig, ReadsAboutAndVersionFiles) {
  TempDir dir;
  dir.write("about.json", R"({"id": "from-file", "summary": "File"})");
  dir.write("version.txt", "3.1.4\n");
  const auto path =
      dir.write("svc.json", R"({"aboutFile": "about.json", "versionFile": "version.txt"})");
  const auto config = load_config(path);
  EXPECT_EQ(config.about.id, "from-file");
  EXPECT_EQ(config.about.version, "3.1.4");
}

TEST(SidecarConfig, ReadsAVersionFileAsTheLibraryDoes) {
  // The contract's "version file, trimmed": the whole file, as load_about reads it.
  TempDir dir;
  const auto about = dir.write("about.json", R"({"id": "svc"})");
  const auto version = dir.write("version.txt", "\n 2.0.0-rc1\nbuilt 2026-11-29 \n\n");
  const auto config = load_config(
      dir.write("svc.json", R"({"aboutFile": "about.json", "versionFile": "version.txt"})"));
  EXPECT_EQ(config.about.version, "2.0.0-rc1\nbuilt 2026-11-29");
  EXPECT_EQ(config.about.version, load_about(about, version).version);
}

TEST(SidecarConfig, DefaultsAreSafe) {
  const auto config = parse_config("{}", "svc.json", "");
  EXPECT_EQ(config.server.address, "127.0.0.1");
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_TRUE(config.endpoints.empty());
}

TEST(SidecarConfig, NamesFileKeyAndExpectation) {
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": 5}]})"),
            "config: svc.json: key 'checks[0].url': expected a string, found number 5");
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http"}]})"),
            "config: svc.json: key 'checks[0].url': missing; expected a string");
  EXPECT_EQ(
      error_of(R"({"checks": {"name": "A"}})"),
      "config: svc.json: key 'checks': expected a list of checks, found object {\"name\":\"A\"}");
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static", "result": "BAD"}]})"),
      HasSubstr("key 'checks[0].result': expected \"OK\", \"WARN\" or \"CRIT\", found \"BAD\""));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static", "delayMs": -1}]})"),
      HasSubstr("key 'checks[0].delayMs': expected a number from 0 to"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static", "delay": 1}]})"),
      HasSubstr("key 'checks[0].delay': unknown key (known here:"));
  EXPECT_THAT(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "magic"}]})"),
              HasSubstr("key 'checks[0].check': expected one of \"static\", \"http\", \"tcp\""));
  EXPECT_THAT(error_of(R"({"listen": "8080"})"),
              HasSubstr("key 'listen': expected \"address:port\""));
  EXPECT_THAT(error_of(R"({"listen": "127.0.0.1:99999"})"),
              HasSubstr("key 'listen': expected a port"));
  EXPECT_THAT(error_of(R"({"lisen": "127.0.0.1:1"})"), HasSubstr("key 'lisen': unknown key"));
  EXPECT_THAT(error_of(R"({"about": {}, "aboutFile": "x"})"), HasSubstr("not both"));
  EXPECT_THAT(error_of(R"({"about": "me"})"), HasSubstr("key 'about': expected an object"));
}

TEST(SidecarConfig, RegistrationErrorsNameTheCheck) {
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "about", "check": "static"}]})"),
            "config: svc.json: key 'checks[0]': slug 'about' of endpoint 'A' is reserved (am-i-up, "
            "about, aggregate, traverse and v2 are paths of the API itself)");
  EXPECT_THAT(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "static"},
                                       {"name": "B", "slug": "a", "check": "static"}]})"),
              HasSubstr("key 'checks[1]': slug 'a' is registered twice"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "ftp://x"}]})"),
      HasSubstr("key 'checks[0].url': 'ftp://x': scheme 'ftp' is not supported"));
}

TEST(SidecarConfig, MalformedJsonNamesTheFile) {
  EXPECT_THAT(error_of("{\"listen\": }"), HasSubstr("config: svc.json: not valid JSON"));
  EXPECT_THAT(error_of("[]"), HasSubstr("expected a JSON object at the top level"));
  EXPECT_THAT(error_of(R"({"threads": 1e999999})"), HasSubstr("not valid JSON"))
      << "a number too large is not a parse_error in nlohmann/json (found by fuzzing)";
  EXPECT_THAT([] { (void)load_config("/nonexistent/sidecar.json"); },
              ::testing::ThrowsMessage<Error>(HasSubstr("/nonexistent/sidecar.json: cannot read")));
}

TEST(SidecarConfig, AboutFileErrorsNameTheFile) {
  TempDir dir;
  dir.write("about.json", "{ broken");
  const auto path = dir.write("svc.json", R"({"aboutFile": "about.json"})");
  EXPECT_THAT([&] { (void)load_config(path); },
              ::testing::ThrowsMessage<Error>(HasSubstr(dir.path() + "/about.json:1:")));
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

using testing::without_environment;

// The demo's configurations are valid (those in the docs are checked by tests/docs/docs_test.cpp).
// (Validated as --check does: the tokens and the TLS files come from the environment.)
TEST(SidecarConfig, DemoConfigurationsAreValid) {
  for (const char* set : {"", "tokens/", "tls/"}) {
    for (const char* name : {"demo-app", "service-1", "service-2"}) {
      const auto file =
          std::string(HEALTHCHECKS_SOURCE_DIR) + "/examples/demo/" + set + name + ".json";
      EXPECT_NO_THROW((void)load_config(file, without_environment())) << file;
    }
  }
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

TEST(SidecarConfig, ReadsEveryKindOfCheck) {
  const auto config = parse_config(R"({"checks": [
    {"name": "Port", "slug": "port", "check": "tcp", "host": "127.0.0.1", "port": 5432},
    {"name": "Site", "slug": "site", "check": "http", "url": "http://127.0.0.1:8000/health",
     "method": "HEAD", "expectStatus": [200, 204]},
    {"name": "Page", "slug": "page", "check": "http", "url": "http://127.0.0.1:8000/", "bodyContains": "ok"},
    {"name": "Cache", "slug": "cache", "check": "redis", "host": "127.0.0.1", "port": 6379,
     "password": "pw", "db": 2, "warnMs": 50},
    {"name": "Disk", "slug": "disk", "check": "disk", "path": "/var", "warnPercentFree": 15,
     "critPercentFree": 5.5},
    {"name": "Self", "slug": "self", "check": "self", "warnRssMiB": 256, "critRssMiB": 512,
     "warnCpuPercent": 80},
    {"name": "Plugin", "slug": "plugin", "check": "command", "argv": ["/usr/lib/nagios/plugins/check_load", "-w", "5"]}
  ]})",
                                   "svc.json", "");
  ASSERT_EQ(config.endpoints.size(), 7u);
  for (const auto& endpoint : config.endpoints)
    EXPECT_TRUE(static_cast<bool>(endpoint.check)) << endpoint.slug;
  EXPECT_EQ(config.endpoints[0].type, "internal");
  EXPECT_EQ(config.endpoints[1].type, "external");
  EXPECT_TRUE(config.endpoints[3].check.is_async());
  // health+json's componentType follows from the kind of check.
  const char* component_types[] = {"component", "component", "component", "datastore",
                                   "system",    "system",    "component"};
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    EXPECT_EQ(config.endpoints[i].check.component_type(), component_types[i])
        << config.endpoints[i].slug;
  }
}

TEST(SidecarConfig, ComponentTypeIsTheKindsUnlessTheFileSaysOtherwise) {
  const auto config = parse_config(R"({"checks": [
    {"name": "MySQL", "slug": "mysql", "check": "command", "argv": ["/bin/true"], "componentType": "datastore"},
    {"name": "Cache", "slug": "cache", "check": "redis", "componentType": "cache"},
    {"name": "Static", "slug": "static", "check": "static"}
  ]})",
                                   "svc.json", "");
  EXPECT_EQ(config.endpoints[0].check.component_type(), "datastore");
  EXPECT_EQ(config.endpoints[1].check.component_type(), "cache");
  EXPECT_EQ(config.endpoints[2].check.component_type(), "component");
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "static", "componentType": ""}]})"),
      HasSubstr("key 'checks[0].componentType': expected a word such as \"datastore\""));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "static", "componentType": 1}]})"),
      HasSubstr("checks[0].componentType"));
}

#ifdef HEALTHCHECKS_HAS_POSTGRES
TEST(SidecarConfig, ReadsThePostgresCheck) {
  const auto config = parse_config(
      R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres", "conninfo": "host=127.0.0.1 dbname=app", "query": "SELECT 2", "warnMs": 100}]})",
      "svc.json", "");
  EXPECT_TRUE(config.endpoints[0].check.is_async());
  EXPECT_EQ(config.endpoints[0].check.component_type(), "datastore");
  EXPECT_THAT(error_of(R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres"}]})"),
              HasSubstr("key 'checks[0].conninfo': missing; expected a string"));
}
#endif

#ifdef HEALTHCHECKS_HAS_MYSQL
TEST(SidecarConfig, ReadsTheMysqlCheck) {
  const auto config = parse_config(
      R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "host": "db.internal", "port": 3307, "user": "health", "password": "s3cret-pw", "database": "app", "query": "SELECT 1", "warnMs": 100}]})",
      "svc.json", "");
  EXPECT_TRUE(config.endpoints[0].check.is_async());
  EXPECT_EQ(config.endpoints[0].check.component_type(), "datastore");
  EXPECT_EQ(config.endpoints[0].type, "internal");
  // The password is a secret: masked in the log and in every answer.
  EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string("s3cret-pw")));
}

TEST(SidecarConfig, NamesTheMysqlChecksMistakes) {
  EXPECT_THAT(error_of(R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql"}]})"),
              HasSubstr("key 'checks[0].user': missing; expected a string"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "user": "u", "port": 0}]})"),
      HasSubstr("key 'checks[0].port': expected a number from 1 to 65535, found 0"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "user": "u", "password": 7}]})"),
      HasSubstr("key 'checks[0].password': expected a string"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "user": "u", "warnMs": -1}]})"),
      HasSubstr("key 'checks[0].warnMs'"));
  // Another client's spelling is refused, naming the keys this kind knows.
  const auto unknown = error_of(
      R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "user": "u", "passwd": "x"}]})");
  EXPECT_THAT(unknown, HasSubstr("key 'checks[0].passwd': unknown key"));
  EXPECT_THAT(unknown, HasSubstr("password"));
  EXPECT_THAT(unknown, HasSubstr("database"));
}
#endif

TEST(SidecarConfig, NamesTheKeyOfEveryKindsMistakes) {
  EXPECT_THAT(error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "tcp"}]})"),
              HasSubstr("key 'checks[0].port': missing; expected a port"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "tcp", "port": 70000}]})"),
      HasSubstr("key 'checks[0].port': expected a number from 1 to 65535, found 70000"));
  EXPECT_THAT(error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "redis", "db": -1}]})"),
              HasSubstr("key 'checks[0].db': expected a number from 0 to"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "redis", "database": 1}]})"),
      HasSubstr("key 'checks[0].database': unknown key"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "http", "url": "http://x/", "expectStatus": [200, "204"]}]})"),
      HasSubstr("key 'checks[0].expectStatus[1]': expected a whole number, found string \"204\""));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "http", "url": "http://x/", "method": "POST"}]})"),
      HasSubstr("key 'checks[0]': http http://x: method 'POST': use GET or HEAD"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "disk", "warnPercentFree": 5, "critPercentFree": 10}]})"),
      HasSubstr("key 'checks[0].critPercentFree': expected at most warnPercentFree (5), found 10"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "disk", "warnPercentFree": 150}]})"),
      HasSubstr("key 'checks[0].warnPercentFree': expected a number from 0 to 100, found 150"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "command", "argv": []}]})"),
      HasSubstr("key 'checks[0].argv': expected a non-empty list of strings"));
  EXPECT_THAT(
      error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "command", "argv": ["x", 1]}]})"),
      HasSubstr("key 'checks[0].argv[1]': expected a string, found number 1"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "self", "warnRssMiB": "lots"}]})"),
      HasSubstr("key 'checks[0].warnRssMiB': expected a number, found string \"lots\""));
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

TEST(SidecarConfig, ReadsAccessAndConnectionLimit) {
  const auto config = parse_config(
      R"({"access": {"token": "0123456789abcdef", "redact": true}, "maxConnections": 64})",
      "svc.json", "");
  EXPECT_TRUE(config.router.redact);
  EXPECT_EQ(config.server.max_connections, 64u);
  ASSERT_TRUE(static_cast<bool>(config.router.allow_details));
  const Fields right{{"Authorization", "Bearer 0123456789abcdef"}};
  const Fields wrong{{"Authorization", "Bearer 0123456789abcdeX"}};
  const Fields longer{{"Authorization", "Bearer 0123456789abcdef0"}};
  EXPECT_TRUE(config.router.allow_details(Request("GET", "/status/about", &right)));
  EXPECT_FALSE(config.router.allow_details(Request("GET", "/status/about", &wrong)));
  EXPECT_FALSE(config.router.allow_details(Request("GET", "/status/about", &longer)));
  EXPECT_FALSE(config.router.allow_details(Request("GET", "/status/about")));

  const auto redact_only = parse_config(R"({"access": {"redact": true}})", "svc.json", "");
  EXPECT_TRUE(redact_only.router.redact);
  EXPECT_FALSE(static_cast<bool>(redact_only.router.allow_details));
}

TEST(SidecarConfig, AccessKeyErrors) {
  EXPECT_THAT(error_of(R"({"access": {"token": "short"}})"),
              HasSubstr("key 'access.token': expected at least 16 characters"));
  EXPECT_THAT(error_of(R"({"access": "secret"})"),
              HasSubstr("key 'access': expected an object {\"token\": \"...\", \"redact\": true}"));
  EXPECT_THAT(error_of(R"({"access": {"tokens": "0123456789abcdef"}})"),
              HasSubstr("key 'access.tokens': unknown key"));
  EXPECT_THAT(error_of(R"({"maxConnections": -1})"),
              HasSubstr("key 'maxConnections': expected a number from 0 to"));
}

TEST(SidecarConfig, ReadsTheDashboardSwitch) {
  EXPECT_FALSE(parse_config("{}", "svc.json", "").router.dashboard);
  EXPECT_TRUE(parse_config(R"({"dashboard": true})", "svc.json", "").router.dashboard);
  EXPECT_FALSE(parse_config(R"({"dashboard": false})", "svc.json", "").router.dashboard);
  EXPECT_EQ(error_of(R"({"dashboard": "on"})"),
            "config: svc.json: key 'dashboard': expected true or false, found string \"on\"");
  EXPECT_THAT(error_of(R"({"dashboard": 1})"),
              HasSubstr("key 'dashboard': expected true or false, found number 1"));
}

// The router would refuse to start; the file says so first, so --check finds it too.
TEST(SidecarConfig, ADashboardThatWouldHideACheckIsAConfigError) {
  const std::string checks =
      R"("checks": [{"name": "Dash", "slug": "dashboard", "check": "static"}])";
  EXPECT_EQ(error_of("{\"dashboard\": true, " + checks + "}"),
            "config: svc.json: key 'dashboard': the dashboard route /status/dashboard would hide "
            "the dependency \"Dash\" (slug \"dashboard\"); rename that slug or leave the "
            "dashboard off");
  EXPECT_EQ(error_of("{" + checks + "}"), "no error");
  // The router says the same, for a config that reached it some other way.
  const auto config = parse_config("{" + checks + "}", "svc.json", "");
  Registry registry(config.about, config.registry);
  for (const auto& endpoint : config.endpoints) registry.add(endpoint);
  auto options = config.router;
  options.dashboard = true;
  EXPECT_THROW((void)Router(registry, options), Error);
}

TEST(SidecarConfig, NestingDeeperThanTheLimitIsAnErrorNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(error_of(deep),
              HasSubstr("svc.json: nested deeper than 64 levels (line 1, column 65)"));
  EXPECT_THAT(error_of(R"({"about": {"customData": )" + deep + "}}"),
              HasSubstr("svc.json: nested deeper than 64 levels"));
}

TEST(SidecarConfig, StatusCodesThatCannotCarryABodyAreRefused) {
  EXPECT_THAT(error_of(R"({"statusCodes": {"OK": 204}})"),
              HasSubstr("key 'statusCodes.OK': expected a status that carries a body (204"));
  EXPECT_THAT(error_of(R"({"statusCodes": {"CRIT": 304}})"), HasSubstr("key 'statusCodes.CRIT'"));
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

// An environment of its own for each test: nothing is read from, or written to, the process's.
LoadOptions environment(std::map<std::string, std::string> variables, bool require_env = true) {
  LoadOptions options;
  options.require_env = require_env;
  auto shared = std::make_shared<const std::map<std::string, std::string>>(std::move(variables));
  options.getenv = [shared](const char* name) -> const char* {
    const auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
  return options;
}

TEST(SidecarConfigEnvironment, ReferencesWorkInEveryStringValueAtAnyDepth) {
  const auto config = parse_config(R"({
    "listen": "127.0.0.1:${PORT}",
    "version": "v$$1 costs $5 and ${NOT_SECRET_LITERAL}",
    "about": {"id": "svc", "customData": {"region": "${REGION}", "deep": [{"x": "${REGION}-2"}]}},
    "access": {"token": "${STATUS_TOKEN}"},
    "checks": [
      {"name": "Cache", "slug": "cache", "check": "redis", "password": "${REDIS_PASSWORD}"},
      {"name": "${NAME}", "slug": "plugin", "check": "command", "argv": ["/bin/echo", "${WORD}"]}
    ]})",
                                   "svc.json", "",
                                   environment({{"PORT", "9191"},
                                                {"NOT_SECRET_LITERAL", "lit"},
                                                {"REGION", "eu-west-7"},
                                                {"STATUS_TOKEN", "0123456789abcdef"},
                                                {"REDIS_PASSWORD", "redis-pass"},
                                                {"NAME", "Plugin"},
                                                {"WORD", "swordfish"}}));
  EXPECT_EQ(config.server.port, 9191);
  EXPECT_EQ(config.about.version, "v$1 costs $5 and lit") << "$$ is a $; a lone $ stays";
  EXPECT_EQ(config.about.custom_data["region"], "eu-west-7");
  EXPECT_EQ(config.about.custom_data["deep"][0]["x"], "eu-west-7-2");
  EXPECT_EQ(config.endpoints[1].name, "Plugin");
  const Fields right{{"Authorization", "Bearer 0123456789abcdef"}};
  EXPECT_TRUE(config.router.allow_details(Request("GET", "/status/about", &right)));
  EXPECT_EQ(config.environment,
            (std::vector<std::string>{"PORT", "NOT_SECRET_LITERAL", "REGION", "STATUS_TOKEN",
                                      "REDIS_PASSWORD", "NAME", "WORD"}))
      << "in order of first reference, each once";
  EXPECT_TRUE(config.missing_environment.empty());
  // Values read from the environment are secrets, and so is the token.
  for (const char* secret : {"9191", "eu-west-7", "0123456789abcdef", "redis-pass", "swordfish"}) {
    EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string(secret))) << secret;
  }

  // The registry masks them wherever it shows text: About, and a check's details.
  Registry registry(config.about, config.registry);
  for (const auto& endpoint : config.endpoints) registry.add(endpoint);
  Router router(registry);
  const auto about = router.handle("GET", "/status/about").body;
  EXPECT_THAT(about, Not(HasSubstr("eu-west-7")));
  EXPECT_THAT(about, HasSubstr(R"("region":"***")"));
  const auto plugin = router.handle("GET", "/status/v2/plugin").body;
  EXPECT_THAT(plugin, HasSubstr("***"));
  EXPECT_THAT(plugin, Not(HasSubstr("swordfish")));
}

#ifdef HEALTHCHECKS_HAS_POSTGRES
TEST(SidecarConfigEnvironment, ReadsThePostgresConninfo) {
  EXPECT_EQ(
      error_of(
          R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres", "conninfo": "host=127.0.0.1 password=${PGPASS}"}]})",
          environment({})),
      "config: svc.json: key 'checks[0].conninfo': environment variable PGPASS is not set");
  const auto config = parse_config(
      R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres", "conninfo": "host=127.0.0.1 password=${PGPASS}"}]})",
      "svc.json", "", environment({{"PGPASS", "pg-secret"}}));
  EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string("pg-secret")));
}
#endif

#ifdef HEALTHCHECKS_HAS_MYSQL
TEST(SidecarConfigEnvironment, ReadsTheMysqlPassword) {
  const std::string text =
      R"({"checks": [{"name": "DB", "slug": "db", "check": "mysql", "user": "health", "password": "${MYSQL_PASSWORD}"}]})";
  EXPECT_EQ(error_of(text, environment({})),
            "config: svc.json: key 'checks[0].password': environment variable MYSQL_PASSWORD is "
            "not set");
  const auto config =
      parse_config(text, "svc.json", "", environment({{"MYSQL_PASSWORD", "my-secret"}}));
  EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string("my-secret")));
}
#endif

TEST(SidecarConfigEnvironment, AMissingVariableNamesItAndTheKey) {
  const std::string text = R"({"checks": [
      {"name": "A", "slug": "a", "check": "static"},
      {"name": "Billing", "slug": "billing", "check": "http", "url": "http://127.0.0.1:1",
       "headers": {"Authorization": "Bearer ${BILLING_TOKEN}"}}]})";
  EXPECT_EQ(error_of(text, environment({})),
            "config: svc.json: key 'checks[1].headers.Authorization': environment variable "
            "BILLING_TOKEN is not set");
  EXPECT_EQ(error_of(R"({"access": {"token": "${STATUS_TOKEN}"}})", environment({})),
            "config: svc.json: key 'access.token': environment variable STATUS_TOKEN is not set");
  EXPECT_EQ(error_of(R"({"about": {"customData": {"list": ["a", "${X}"]}}})", environment({})),
            "config: svc.json: key 'about.customData.list[1]': environment variable X is not set");
  // load_config reads the process's environment and requires every variable, as before.
  TempDir dir;
  const auto path = dir.write(
      "svc.json", R"({"access": {"token": "${HEALTHCHECKS_TEST_SURELY_UNSET_VARIABLE}"}})");
  EXPECT_THAT([&] { (void)load_config(path); },
              ::testing::ThrowsMessage<Error>(
                  HasSubstr("key 'access.token': environment variable "
                            "HEALTHCHECKS_TEST_SURELY_UNSET_VARIABLE is not set")));
  // An empty value is a value.
  EXPECT_EQ(
      parse_config(R"({"version": "a${EMPTY}b"})", "svc.json", "", environment({{"EMPTY", ""}}))
          .about.version,
      "ab");
}

TEST(SidecarConfigEnvironment, MalformedReferencesAreErrorsNamingTheKey) {
  const auto env = environment({{"X", "value"}});
  EXPECT_EQ(
      error_of(R"({"version": "a ${X"})", env),
      "config: svc.json: key 'version': '${' without a closing '}' (write $$ for a literal $)");
  EXPECT_THAT(error_of(R"({"version": "${1X}"})", env),
              HasSubstr("key 'version': '${1X}' is not an environment variable name"));
  EXPECT_THAT(error_of(R"({"version": "${}"})", env),
              HasSubstr("key 'version': '${}' is not an environment variable name"));
  EXPECT_THAT(error_of(R"({"version": "${A-B}"})", env),
              HasSubstr("key 'version': '${A-B}' is not an environment variable name"));
  // $$ and a lone $ are not references.
  EXPECT_EQ(parse_config(R"({"version": "$${X} $X $ ${X}$"})", "svc.json", "", env).about.version,
            "${X} $X $ value$");
}

TEST(SidecarConfigEnvironment, WithoutRequiringThemMissingVariablesAreListed) {
  const auto config = parse_config(R"({
    "listen": "${LISTEN}",
    "access": {"token": "${STATUS_TOKEN}"},
    "history": {"size": 5, "key": "${HISTORY_KEY}"},
    "checks": [
      {"name": "Billing", "slug": "billing", "check": "http", "url": "${BILLING_URL}",
       "headers": {"Authorization": "Bearer ${BILLING_TOKEN}"}, "traversable": true},
      {"name": "Cache", "slug": "cache", "check": "redis", "password": "${REDIS_PASSWORD}"},
      {"name": "Disk", "slug": "disk", "check": "disk", "path": "${DATA_DIR}"},
      {"name": "Set", "slug": "set", "check": "static", "details": "${SET} ${STATUS_TOKEN}"}
    ]})",
                                   "svc.json", "", environment({{"SET", "is-set"}}, false));
  EXPECT_EQ(config.environment,
            (std::vector<std::string>{"LISTEN", "STATUS_TOKEN", "HISTORY_KEY", "BILLING_URL",
                                      "BILLING_TOKEN", "REDIS_PASSWORD", "DATA_DIR", "SET"}));
  EXPECT_EQ(config.missing_environment,
            (std::vector<std::string>{"LISTEN", "STATUS_TOKEN", "HISTORY_KEY", "BILLING_URL",
                                      "BILLING_TOKEN", "REDIS_PASSWORD", "DATA_DIR"}));
  // Without its token, nobody sees details; a check without its URL reads CRIT saying why.
  const Fields empty_bearer{{"Authorization", "Bearer "}};
  EXPECT_FALSE(config.router.allow_details(Request("GET", "/status/about", &empty_bearer)));
  Registry registry(config.about, config.registry);
  for (const auto& endpoint : config.endpoints) registry.add(endpoint);
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/v2/billing").body,
              HasSubstr("environment variable BILLING_URL is not set"));
  EXPECT_THAT(router.handle("GET", "/status/v2/disk").body,
              HasSubstr("environment variable DATA_DIR is not set"));
  // Other mistakes are still found, and say which variable they lack.
  EXPECT_THAT(error_of(R"({"firstResult": "${MODE}"})", environment({}, false)),
              HasSubstr("key 'firstResult': expected \"wait\" or \"warn\", found \"\" "
                        "(environment variable MODE is not set)"));
  EXPECT_THAT(error_of(R"({"threads": 0, "version": "${V}"})", environment({}, false)),
              HasSubstr("key 'threads'"));
}

TEST(SidecarConfigEnvironment, ErrorsNeverShowAValueFromTheEnvironment) {
  EXPECT_EQ(error_of(R"({"firstResult": "${MODE}"})", environment({{"MODE", "sometimes"}})),
            "config: svc.json: key 'firstResult': expected \"wait\" or \"warn\", found \"***\"");
  EXPECT_THAT(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http",
                                       "url": "${BILLING_URL}"}]})",
                       environment({{"BILLING_URL", "billing-secret.internal:8080"}})),
              ::testing::AllOf(HasSubstr("key 'checks[0].url'"),
                               Not(HasSubstr("billing-secret.internal"))));
}

// --- Headers: this service's credentials for a peer ------------------------------------------

TEST(SidecarConfigHeaders, AreSentByTheCheckAndByEveryTraversalAndNeverShown) {
  testing::FakePeer peer;
  peer.reply({200, "application/json",
              R"(["CRIT",{"description":"DB","result":"CRIT","details":"echo s3cr3t-t0ken"}])"});
  const auto config =
      parse_config(R"({"checks": [
      {"name": "Billing", "slug": "billing", "check": "http", "url": ")" +
                       peer.url() + R"(", "traversable": true,
       "headers": {"Authorization": "Bearer ${BILLING_TOKEN}", "X-Tenant": "blue-team"}}]})",
                   "svc.json", "", environment({{"BILLING_TOKEN", "s3cr3t-t0ken"}}));
  ASSERT_EQ(config.endpoints.size(), 1u);
  EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string("s3cr3t-t0ken")));
  EXPECT_THAT(config.registry.secrets, ::testing::Contains(std::string("blue-team")))
      << "header values are credentials";
  Registry registry(config.about, config.registry);
  registry.add(config.endpoints[0]);
  Router router(registry);

  const auto status = router.handle("GET", "/status/v2/billing").body;
  EXPECT_EQ(peer.targets().back(), "/status/aggregate");
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer s3cr3t-t0ken");
  EXPECT_EQ(peer.last_header("X-Tenant"), "blue-team");
  EXPECT_THAT(status, HasSubstr("echo ***"));
  EXPECT_THAT(status, Not(HasSubstr("s3cr3t-t0ken")));

  peer.reply({200, "application/json", R"({"id":"billing"})"});
  const Fields caller{{"Authorization", "Bearer callers-own-token"}};
  const auto traversed =
      router.handle(Request("GET", "/status/traverse?dependencies=billing", &caller));
  EXPECT_EQ(traversed.body, R"({"id":"billing"})");
  EXPECT_EQ(peer.targets().back().rfind("/status/traverse", 0), 0u) << peer.targets().back();
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer s3cr3t-t0ken")
      << "the traversal presents the configured credentials, not the caller's";
  EXPECT_EQ(peer.last_header("X-Tenant"), "blue-team");
}

TEST(SidecarConfigHeaders, BadNamesAndValuesAreErrorsThatNeverQuoteTheValue) {
  const auto check = [](const std::string& headers) {
    return R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "http://127.0.0.1:1", "headers": )" +
           headers + "}]}";
  };
  const auto env = environment({{"MULTI", "Bearer abc\r\nX-Injected: yes"}});
  EXPECT_EQ(error_of(check(R"({"Authorization": "Bearer ${MULTI}"})"), env),
            "config: svc.json: key 'checks[0].headers.Authorization': the value holds a line "
            "break or another control character, which a header cannot carry (the value is not "
            "shown: it may be a secret)");
  EXPECT_THAT(error_of(check(R"({"Authorization": "Bearer top\nsecret"})"), env),
              ::testing::AllOf(HasSubstr("key 'checks[0].headers.Authorization': the value holds"),
                               Not(HasSubstr("top")), Not(HasSubstr("secret\""))));
  EXPECT_EQ(error_of(check(R"({"Bad Name": "x"})"), env),
            "config: svc.json: key 'checks[0].headers.Bad Name': expected a header name: letters, "
            "digits and !#$%&'*+-.^_`|~");
  EXPECT_THAT(error_of(check(R"({"": "x"})"), env),
              HasSubstr("key 'checks[0].headers.': expected a header name"));
  EXPECT_THAT(error_of(check(R"({"Host": "evil"})"), env),
              HasSubstr("key 'checks[0].headers.Host': the sidecar writes this header itself"));
  EXPECT_THAT(error_of(check(R"({"x-healthchecks-hops": "1"})"), env),
              HasSubstr("the sidecar writes this header itself"));
  EXPECT_THAT(error_of(check(R"({"X-Key": "a", "x-key": "b"})"), env),
              HasSubstr("given twice (header names are case-insensitive)"));
  EXPECT_EQ(error_of(check(R"({"X-Key": 12345678})"), env),
            "config: svc.json: key 'checks[0].headers.X-Key': expected a string, found number");
  EXPECT_EQ(error_of(check(R"("Bearer hunter2hunter2")"), env),
            "config: svc.json: key 'checks[0].headers': expected an object such as "
            "{\"Authorization\": \"Bearer ${TOKEN}\"}, found string");
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "tcp", "port": 1, "headers": {}}]})",
          env),
      HasSubstr("key 'checks[0].headers': unknown key"))
      << "headers belong to http checks";
}

// --- Config edges -------------------------------------------------------------------------------

TEST(SidecarConfigEdges, AnErrorIsAlwaysOneLine) {
  const auto unknown = error_of("{\"lis\\nten\\r\": 1}");
  EXPECT_EQ(unknown.find('\n'), std::string::npos) << unknown;
  EXPECT_THAT(unknown, HasSubstr("key 'lis\\nten\\r': unknown key"));
  const auto value =
      error_of(R"({"firstResult": "later\n2024-01-01T00:00:00Z healthchecks-sidecar: ok\u0007"})");
  EXPECT_EQ(value.find('\n'), std::string::npos) << value;
  EXPECT_THAT(value,
              HasSubstr(R"(found "later\n2024-01-01T00:00:00Z healthchecks-sidecar: ok\x07")"));
  const auto slug = error_of(R"({"checks": [{"name": "A", "slug": "a\nb", "check": "static"}]})");
  EXPECT_EQ(slug.find('\n'), std::string::npos) << slug;
}

TEST(SidecarConfigEdges, ListenTakesAnIpAddressNotAHostName) {
  EXPECT_EQ(error_of(R"({"listen": "localhost:0"})"),
            "config: svc.json: key 'listen': expected an IP address such as 127.0.0.1 or [::1] "
            "before the port (host names are not resolved), found \"localhost\"");
  EXPECT_THAT(error_of(R"({"listen": "[localhost]:80"})"), HasSubstr("expected an IP address"));
  EXPECT_THAT(error_of(R"({"listen": "::1:80"})"), HasSubstr("expected an IP address"));
  EXPECT_THAT(error_of(R"({"listen": "127.1:80"})"), HasSubstr("expected an IP address"));
  const auto v6 = parse_config(R"({"listen": "[::1]:0"})", "svc.json", "");
  EXPECT_EQ(v6.server.address, "::1");
  EXPECT_EQ(parse_config(R"({"listen": "0.0.0.0:80"})", "svc.json", "").server.address, "0.0.0.0");
  EXPECT_EQ(parse_config(R"({"listen": ":80"})", "svc.json", "").server.address, "127.0.0.1");
}

TEST(SidecarConfigEdges, AnEmptyHistoryKeyIsAConfigError) {
  EXPECT_EQ(error_of(R"({"history": {"size": 5, "key": ""}})"),
            "config: svc.json: key 'history.key': expected the name of a customData field such "
            "as \"statusChanges\", found \"\"");
}

TEST(SidecarConfigEdges, AnHttpPortOutOfRangeIsRejected) {
  EXPECT_EQ(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "http://127.0.0.1:99999/health"}]})"),
      "config: svc.json: key 'checks[0].url': 'http://127.0.0.1:99999/health': port 99999 is out "
      "of range (1-65535)");
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "http://127.0.0.1:0"}]})"),
      HasSubstr("port 0 is out of range (1-65535)"));
}

TEST(SidecarConfigEdges, NumbersBeyondSixtyFourBitsAreQuotedAsWritten) {
  EXPECT_EQ(error_of(R"({"threads": 18446744073709551616})"),
            "config: svc.json: key 'threads': expected a number from 1 to 64, found "
            "18446744073709551616");
  EXPECT_EQ(error_of(R"({"threads": 18446744073709551615})"),
            "config: svc.json: key 'threads': expected a number from 1 to 64, found "
            "18446744073709551615");
  EXPECT_THAT(error_of(R"({"maxConnections": 9223372036854775808})"),
              HasSubstr("found 9223372036854775808"));
  EXPECT_THAT(error_of(R"({"threads": -99999999999999999999})"),
              HasSubstr("found -99999999999999999999"));
  EXPECT_THAT(error_of(R"({"statusCodes": {"CRIT": 100000000000000000000000}})"),
              HasSubstr("key 'statusCodes.CRIT': expected a number from 200 to 599, found "
                        "100000000000000000000000"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "http", "url": "http://x/", "expectStatus": [200, 18446744073709551616]}]})"),
      HasSubstr("key 'checks[0].expectStatus[1]': expected a number from 100 to 599, found "
                "18446744073709551616"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "disk", "warnPercentFree": 18446744073709551616}]})"),
      HasSubstr("expected a number from 0 to 100, found 18446744073709551616"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "static", "details": 18446744073709551616}]})"),
      HasSubstr("expected a string, found number 18446744073709551616"));
  EXPECT_THAT(error_of(R"({"threads": 1.5})"),
              HasSubstr("key 'threads': expected a whole number, found number 1.5"));
}

TEST(SidecarConfigEdges, AUrlPasswordIsNeverShown) {
  EXPECT_EQ(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "ftp://user:hunter22@x"}]})"),
      "config: svc.json: key 'checks[0].url': 'ftp://user:***@x': scheme 'ftp' is not "
      "supported; only http:// and https:// are");
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "http://user:hunter22@x/", "method": "POST"}]})"),
      HasSubstr("key 'checks[0]': http http://user:***@x: method 'POST': use GET or HEAD"));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": ["http://user:hunter22@x/"]}]})"),
      ::testing::AllOf(HasSubstr("user:***@x"), Not(HasSubstr("hunter22"))));
  EXPECT_THAT(
      error_of(
          R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "user:hunter22@x:80/"}]})"),
      ::testing::AllOf(HasSubstr("the scheme is missing; write http://user:***@x:80/"),
                       Not(HasSubstr("hunter22"))));
}

TEST(SidecarConfigEdges, DiskErrorsNameTheFilesKeys) {
  EXPECT_EQ(
      error_of(
          R"({"checks": [{"name": "P", "slug": "p", "check": "disk", "warnPercentFree": 5, "critPercentFree": 10}]})"),
      "config: svc.json: key 'checks[0].critPercentFree': expected at most warnPercentFree (5), "
      "found 10");
  EXPECT_EQ(error_of(R"({"checks": [{"name": "P", "slug": "p", "check": "disk", "path": ""}]})"),
            "config: svc.json: key 'checks[0].path': expected a path such as \"/var/lib\", found "
            "\"\"");
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::TempDir;

std::string https_check(const std::string& tls) {
  return R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "https://127.0.0.1:1",
             "tls": )" +
         tls + "}]}";
}

TEST(SidecarConfigTls, AnHttpsCheckTakesItsTlsFilesRelativeToTheConfig) {
  TempDir dir;
  dir.write("ca.pem", "x");
  dir.write("client.pem", "x");
  dir.write("client.key", "x");
  const auto config = parse_config(
      https_check(R"({"caFile": "ca.pem", "certFile": "client.pem", "keyFile": "client.key",
                      "minVersion": "1.3", "insecureSkipVerify": false})"),
      "svc.json", dir.path());
  ASSERT_EQ(config.endpoints.size(), 1u);
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http",
                                     "url": "https://127.0.0.1:1"}]})"),
            "no error");
  EXPECT_EQ(error_of(https_check(R"({"insecureSkipVerify": true})")), "no error");
}

TEST(SidecarConfigTls, ErrorsNameTheKeyAndWhatWasExpected) {
  EXPECT_EQ(error_of(https_check(R"({"caFile": "/no/such/ca.pem"})")),
            "config: svc.json: key 'checks[0].tls.caFile': expected an existing file, found "
            "\"/no/such/ca.pem\" (no such file)");
  EXPECT_EQ(error_of(https_check(R"({"caFile": "/tmp"})")),
            "config: svc.json: key 'checks[0].tls.caFile': expected an existing file, found "
            "\"/tmp\" (not a file)");
  EXPECT_EQ(error_of(https_check(R"({"minVersion": "1.1"})")),
            "config: svc.json: key 'checks[0].tls.minVersion': expected \"1.2\" or \"1.3\", "
            "found string \"1.1\"");
  EXPECT_EQ(error_of(https_check(R"({"minVersion": 1.2})")),
            "config: svc.json: key 'checks[0].tls.minVersion': expected \"1.2\" or \"1.3\", "
            "found number 1.2");
  EXPECT_EQ(error_of(https_check(R"({"insecureSkipVerify": "yes"})")),
            "config: svc.json: key 'checks[0].tls.insecureSkipVerify': expected true or false, "
            "found string \"yes\"");
  EXPECT_EQ(error_of(https_check(R"("ca.pem")")),
            "config: svc.json: key 'checks[0].tls': expected an object such as {\"caFile\": "
            "\"ca.pem\"}, found string \"ca.pem\"");
  EXPECT_THAT(error_of(https_check(R"({"cafile": "x"})")),
              HasSubstr("key 'checks[0].tls.cafile': unknown key (known here: caFile, certFile, "
                        "insecureSkipVerify, keyFile, minVersion)"));
  TempDir dir;
  const auto cert = dir.write("client.pem", "x");
  EXPECT_EQ(error_of(https_check(R"({"certFile": ")" + cert + R"("})")),
            "config: svc.json: key 'checks[0].tls.keyFile': missing; certFile and keyFile go "
            "together");
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http",
                                     "url": "http://127.0.0.1:1", "tls": {}}]})"),
            "config: svc.json: key 'checks[0].tls': the url is http://; tls applies to https:// "
            "URLs");
}

}  // namespace
}  // namespace healthchecks::sidecar

namespace healthchecks::sidecar {
namespace {

using testing::error_of;

TEST(SidecarConfigTls, TlsCertTakesItsKeysAndNamesWhatIsWrong) {
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "tlsCert", "port": 8443,
                                     "serverName": "api.example", "warnDays": 30,
                                     "critDays": 7}]})"),
            "no error");
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "tlsCert",
                                     "warnDays": 5, "critDays": 7}]})"),
            "config: svc.json: key 'checks[0].critDays': expected at most warnDays (5), found 7");
  EXPECT_EQ(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "tlsCert",
                                     "caFile": "/no/such/ca.pem"}]})"),
            "config: svc.json: key 'checks[0].caFile': expected an existing file, found "
            "\"/no/such/ca.pem\" (no such file)");
  EXPECT_THAT(error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "tlsCert",
                                       "warnDays": -1}]})"),
              ::testing::HasSubstr("key 'checks[0].warnDays': expected a number from 0 to 3650"));
}

// The "grpc" key is read in tests/grpc/health_service_test.cpp; without the component it is an
// error that says so, not an unknown key.
#ifndef HEALTHCHECKS_HAS_GRPC
TEST(SidecarConfig, GrpcKeyWithoutTheComponentSaysHowToGetIt) {
  EXPECT_EQ(
      error_of(R"({"grpc": {"listen": "127.0.0.1:9090"}})"),
      "config: svc.json: key 'grpc': this sidecar was built without gRPC; build it with "
      "-DHEALTHCHECKS_WITH_GRPC=ON (libgrpc++-dev, protobuf-compiler-grpc) or remove the key");
}
#endif

}  // namespace
}  // namespace healthchecks::sidecar
