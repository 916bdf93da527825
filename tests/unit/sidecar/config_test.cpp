#include "sidecar/config.hpp"

#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/router.hpp"
#include "support/fields.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::sidecar {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::string error_of(const std::string& text) {
  try {
    (void)parse_config(text, "svc.json", "");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "config");
    return e.what();
  }
  return "no error";
}

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
      error_of(R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": "https://x"}]})"),
      HasSubstr("key 'checks[0].url': 'https://x': only http:// is supported"));
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

// Every JSON example in the docs is a configuration the sidecar accepts, so docs cannot drift.
// The examples of docs/checks.md are single checks.
TEST(SidecarConfig, ExamplesInTheDocsAreValid) {
  int examples = 0;
  for (const char* doc : {"docs/sidecar.md", "README.md", "docs/checks.md"}) {
    std::ifstream in(std::string(HEALTHCHECKS_SOURCE_DIR) + "/" + doc);
    ASSERT_TRUE(in) << doc;
    std::string line, block;
    bool inside = false;
    while (std::getline(in, line)) {
      if (!inside && line == "```json") {
        inside = true;
        block.clear();
      } else if (inside && line == "```") {
        inside = false;
        ++examples;
        if (block.find("\"check\":") != std::string::npos &&
            block.find("\"checks\"") == std::string::npos) {
#ifndef HEALTHCHECKS_HAS_POSTGRES
          if (block.find("\"postgres\"") != std::string::npos) continue;
#endif
          block = "{\"checks\": [" + block + "]}";
        }
        EXPECT_NO_THROW((void)parse_config(block, doc, "")) << block;
      } else if (inside) {
        block += line + "\n";
      }
    }
  }
  EXPECT_GE(examples, 9);
}

TEST(SidecarConfig, DemoConfigurationsAreValid) {
  for (const char* name : {"demo-app", "service-1", "service-2"}) {
    EXPECT_NO_THROW((void)load_config(std::string(HEALTHCHECKS_SOURCE_DIR) + "/examples/demo/" +
                                      name + ".json"))
        << name;
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
}

#ifdef HEALTHCHECKS_HAS_POSTGRES
TEST(SidecarConfig, ReadsThePostgresCheck) {
  const auto config = parse_config(
      R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres", "conninfo": "host=127.0.0.1 dbname=app", "query": "SELECT 2", "warnMs": 100}]})",
      "svc.json", "");
  EXPECT_TRUE(config.endpoints[0].check.is_async());
  EXPECT_THAT(error_of(R"({"checks": [{"name": "DB", "slug": "db", "check": "postgres"}]})"),
              HasSubstr("key 'checks[0].conninfo': missing; expected a string"));
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
      HasSubstr(
          "key 'checks[0]': disk /: expected 0 <= critPercentFree <= warnPercentFree <= 100"));
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
  const testing::Fields right{{"Authorization", "Bearer 0123456789abcdef"}};
  const testing::Fields wrong{{"Authorization", "Bearer 0123456789abcdeX"}};
  const testing::Fields longer{{"Authorization", "Bearer 0123456789abcdef0"}};
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

// Every key the docs' tables list is one the reader knows (a key missing from the reader's list
// once made a documented option an "unknown key" error). The tables of docs/sidecar.md give the
// top-level keys, the keys of every check and those of static and http; docs/checks.md, under
// "## <kind> — ...", the keys of each kind.
TEST(SidecarConfig, EveryDocumentedKeyIsKnown) {
  int keys = 0;
  for (const std::string doc : {"docs/sidecar.md", "docs/checks.md"}) {
    std::ifstream in(std::string(HEALTHCHECKS_SOURCE_DIR) + "/" + doc);
    ASSERT_TRUE(in) << doc;
    std::string line, kind;  // kind: "" for the top level, "-" for none
    while (std::getline(in, line)) {
      if (line.rfind("#", 0) == 0) {
        kind = "-";
        if (line == "## Top level") kind.clear();
        if (line == "## Checks" || line.find("\"check\": \"static\"") != std::string::npos)
          kind = "static";
        if (line.find("\"check\": \"http\"") != std::string::npos) kind = "http";
        if (doc == "docs/checks.md" && line.rfind("## ", 0) == 0 &&
            line.find(" — ") != std::string::npos) {
          kind = line.substr(3, line.find(' ', 3) - 3);
        }
#ifndef HEALTHCHECKS_HAS_POSTGRES
        if (kind == "postgres") kind = "-";
#endif
        continue;
      }
      if (kind == "-" || line.rfind("| `", 0) != 0) continue;
      // The first cell: "`key`" or "`key`, `other`".
      const std::string cell = line.substr(2, line.find(" |", 2) - 2);
      for (std::size_t at = cell.find('`'); at != std::string::npos;
           at = cell.find('`', cell.find('`', at + 1) + 1)) {
        const std::string key = cell.substr(at + 1, cell.find('`', at + 1) - at - 1);
        // The kind's required keys, so that their absence does not hide an unknown key.
        static const std::map<std::string, std::pair<std::string, std::string>> kRequired = {
            {"tcp", {"port", R"("port": 1)"}},
            {"http", {"url", R"("url": "http://127.0.0.1:1")"}},
            {"postgres", {"conninfo", R"("conninfo": "host=127.0.0.1")"}},
            {"command", {"argv", R"("argv": ["true"])"}}};
        std::string check = R"({"name": "A", "slug": "a", "check": ")" + kind + "\"";
        const auto required = kRequired.find(kind);
        if (required != kRequired.end()) check += ", " + required->second.second;
        if (required == kRequired.end() || required->second.first != key) {
          check += ", \"" + key + "\": null";
        }
        const std::string config =
            kind.empty() ? "{\"" + key + "\": null}" : "{\"checks\": [" + check + "}]}";
        ++keys;
        EXPECT_THAT(error_of(config), ::testing::Not(HasSubstr("unknown key")))
            << doc << ": " << kind << " " << key;
      }
    }
  }
  EXPECT_GE(keys, 45);
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
