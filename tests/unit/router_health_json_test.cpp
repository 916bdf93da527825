// aggregate and About in the IETF health+json format, for callers whose Accept asks for it;
// everybody else keeps the Health Checks API answer.
#include "healthchecks/router.hpp"

#include <atomic>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/access.hpp"
#include "healthchecks/checks/disk.hpp"
#include "healthchecks/checks/http.hpp"
#include "healthchecks/checks/postgres.hpp"
#include "healthchecks/checks/process.hpp"
#include "healthchecks/checks/redis.hpp"
#include "healthchecks/checks/tcp.hpp"
#include "healthchecks/registry.hpp"
#include "support/health_json_shape.hpp"

namespace healthchecks {
namespace {

using testing::expect_health_json_shape;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const Fields kHealthJson{{"Accept", "application/health+json"}};

About described() {
  About about;
  about.id = "orders";
  about.name = "Orders";
  about.description = "Takes orders";
  about.version = "1.4.2";
  return about;
}

Response get(const Router& router, std::string_view target, const Headers* headers = nullptr,
             std::string_view method = "GET") {
  return router.handle(Request(method, target, headers));
}

TEST(RouterHealthJson, AggregateInTheDraftsFormat) {
  Registry registry(described());
  registry.add({"Cache", "cache", Check([] {
                                    return Status::ok({}, "PONG in 0.2 ms");
                                  }).with_component_type("datastore")});
  registry.add({"Search", "search", "external", [] { return true; }});
  Router router(registry);
  const auto response = get(router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/health+json");
  EXPECT_EQ(response.header("Vary"), "Accept");
  EXPECT_EQ(response.header("Cache-Control"), "no-cache");
  const auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "pass");
  EXPECT_EQ(doc["serviceId"], "orders");
  EXPECT_EQ(doc["version"], "1.4.2");
  EXPECT_EQ(doc["description"], "Takes orders");
  EXPECT_FALSE(doc.contains("output")) << "the draft leaves output out when passing";
  ASSERT_EQ(doc["checks"].size(), 2u);
  const auto& cache = doc["checks"]["Cache:responseTime"];
  ASSERT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache[0]["componentId"], "cache");
  EXPECT_EQ(cache[0]["componentType"], "datastore");
  EXPECT_EQ(cache[0]["status"], "pass");
  EXPECT_EQ(cache[0]["observedUnit"], "ms");
  EXPECT_TRUE(cache[0]["observedValue"].is_number());
  EXPECT_GE(cache[0]["observedValue"].get<double>(), 0.0);
  EXPECT_FALSE(cache[0].contains("output"));
  EXPECT_EQ(doc["checks"]["Search:responseTime"][0]["componentType"], "component");
  // Keys in registration order, as About lists dependencies.
  EXPECT_THAT(response.body,
              HasSubstr(R"("checks":{"Cache:responseTime":[{"componentId":"cache")"));
}

TEST(RouterHealthJson, ACriticalFailureIs503WithItsOutput) {
  Registry registry(described());
  registry.add({"DB", "db", [] { return Status::crit("connection refused"); }});
  registry.add({"Cache", "cache", [] { return true; }});
  Router router(registry);
  const auto response = get(router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.content_type, "application/health+json");
  const auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "fail");
  EXPECT_EQ(doc["output"], "connection refused");
  EXPECT_EQ(doc["checks"]["DB:responseTime"][0]["status"], "fail");
  EXPECT_EQ(doc["checks"]["DB:responseTime"][0]["output"], "connection refused");
  EXPECT_EQ(doc["checks"]["Cache:responseTime"][0]["status"], "pass");
}

TEST(RouterHealthJson, WarningsAndNonCriticalFailuresAre200Warn) {
  Registry registry;
  StatusEndpoint search("Search", "search", "external",
                        [] { return Status::crit("index unavailable"); });
  search.critical = false;
  registry.add(search);
  Router router(registry);
  auto response = get(router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 200);
  auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "warn");
  EXPECT_THAT(doc["output"].get<std::string>(), HasSubstr("not critical for this service"));
  EXPECT_EQ(doc["checks"]["Search:responseTime"][0]["status"], "fail")
      << "the check tells the truth; the service is degraded, not down";
  // An empty About has no fields worth showing: placeholders are left out.
  EXPECT_FALSE(doc.contains("serviceId"));
  EXPECT_FALSE(doc.contains("version"));

  Registry warned;
  warned.add({"Disk", "disk", [] { return Status::warn("9% free"); }});
  Router warned_router(warned);
  response = get(warned_router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 200);
  doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "warn");
  EXPECT_EQ(doc["checks"]["Disk:responseTime"][0]["output"], "9% free");
}

TEST(RouterHealthJson, StatusCodesAreTheDraftsWhateverTheRouterOptions) {
  std::atomic<Level> level{Level::warn};
  Registry registry;
  registry.add({"DB", "db", [&] { return Status{level.load(), "", ""}; }});
  RouterOptions options;
  options.status_codes = {{Level::warn, 429}, {Level::crit, 500}};
  Router router(registry, options);
  EXPECT_EQ(get(router, "/status/aggregate").status, 429);
  EXPECT_EQ(get(router, "/status/aggregate", &kHealthJson).status, 200);
  level = Level::crit;
  EXPECT_EQ(get(router, "/status/aggregate").status, 500);
  EXPECT_EQ(get(router, "/status/aggregate", &kHealthJson).status, 503);
}

TEST(RouterHealthJson, OtherAcceptsKeepTheHealthChecksApiAnswerWithVary) {
  Registry registry(described());
  registry.add({"DB", "db", [] { return Status::crit("down"); }});
  Router router(registry);
  for (const char* target :
       {"/status/aggregate", "/status/v2/aggregate", "/status/about", "/status/v2/about"}) {
    const auto plain = get(router, target);
    EXPECT_EQ(plain.header("Vary"), "Accept") << target;
    EXPECT_EQ(plain.content_type, "application/json; charset=utf-8") << target;
    for (const char* accept :
         {"*/*", "application/json", "application/health+json, application/json",
          "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "application/health+json;q=2"}) {
      const Fields fields{{"Accept", accept}};
      const auto answer = get(router, target, &fields);
      EXPECT_EQ(answer.status, plain.status) << target << " " << accept;
      EXPECT_EQ(answer.content_type, plain.content_type) << target << " " << accept;
      EXPECT_EQ(answer.headers, plain.headers) << target << " " << accept;
      if (std::string_view(target).find("about") == std::string_view::npos) {
        EXPECT_EQ(answer.body, plain.body) << target << " " << accept;
      } else {
        EXPECT_THAT(answer.body, StartsWith(R"({"id":"orders")")) << target << " " << accept;
      }
    }
    const auto negotiated = get(router, target, &kHealthJson);
    EXPECT_EQ(negotiated.content_type, "application/health+json") << target;
    EXPECT_EQ(negotiated.status, 503) << target;
    EXPECT_EQ(negotiated.header("Vary"), "Accept") << target;
  }
  // Requests that never answer by Accept stay as they were.
  for (const char* target : {"/status/db", "/status/am-i-up", "/status/v2/db", "/status/nope"}) {
    const auto answer = get(router, target, &kHealthJson);
    EXPECT_EQ(answer.header("Vary"), "") << target;
    EXPECT_THAT(answer.content_type, Not(HasSubstr("health"))) << target;
  }
}

TEST(RouterHealthJson, AboutIsTheSameDocumentAndAlwaysChecks) {
  std::atomic<int> runs{0};
  Registry registry(described());
  registry.add({"DB", "db", [&] {
                  ++runs;
                  return true;
                }});
  Router router(registry);
  const auto about = get(router, "/status/about", &kHealthJson);
  EXPECT_EQ(about.status, 200);
  auto doc = expect_health_json_shape(about.body);
  EXPECT_EQ(doc["serviceId"], "orders");
  EXPECT_EQ(doc["checks"]["DB:responseTime"][0]["status"], "pass");
  const int before = runs.load();
  const auto unchecked = get(router, "/status/v2/about?checkStatus=false", &kHealthJson);
  doc = expect_health_json_shape(unchecked.body);
  EXPECT_EQ(doc["status"], "pass") << "health+json requires a status";
  EXPECT_EQ(runs.load(), before + 1);
}

TEST(RouterHealthJson, TypeStillFiltersAggregate) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  registry.add({"Billing", "billing", "external", [] { return Status::crit("down"); }});
  Router router(registry);
  auto response = get(router, "/status/aggregate?type=internal", &kHealthJson);
  EXPECT_EQ(response.status, 200);
  auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["checks"].size(), 1u);
  EXPECT_TRUE(doc["checks"].contains("DB:responseTime"));
  response = get(router, "/status/v2/aggregate?type=external", &kHealthJson);
  EXPECT_EQ(response.status, 503);
  doc = expect_health_json_shape(response.body);
  EXPECT_TRUE(doc["checks"].contains("Billing:responseTime"));
  EXPECT_EQ(doc["checks"].size(), 1u);
  // A caller's typo keeps the Health Checks API's answer to it.
  response = get(router, "/status/aggregate?type=both", &kHealthJson);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_THAT(response.body, HasSubstr("Invalid type"));
  EXPECT_EQ(response.header("Vary"), "Accept");
}

TEST(RouterHealthJson, TagsSelectAsTheyDoForTheHealthChecksApi) {
  Registry registry;
  StatusEndpoint db("DB", "db", [] { return true; });
  db.tags = {"readiness"};
  registry.add(db);
  registry.add({"Billing", "billing", [] { return Status::crit("down"); }});
  Router router(registry);
  auto response = get(router, "/status/aggregate?tag=readiness", &kHealthJson);
  EXPECT_EQ(response.status, 200);
  const auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["checks"].size(), 1u);
  EXPECT_TRUE(doc["checks"].contains("DB:responseTime"));
  response = get(router, "/status/aggregate?tag=nope", &kHealthJson);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("Unknown tag"));
  EXPECT_EQ(response.header("Vary"), "Accept");
}

TEST(RouterHealthJson, ADrainingInstanceFailsInTheFormatAskedFor) {
  Registry registry(described());
  registry.add({"DB", "db", [] { return true; }});
  Router router(registry);
  registry.set_ready(false);
  auto response = get(router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.content_type, "application/health+json");
  EXPECT_EQ(response.header("Vary"), "Accept");
  const auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "fail");
  EXPECT_EQ(doc["serviceId"], "orders");
  EXPECT_THAT(doc["output"].get<std::string>(), HasSubstr("shutting down"));
  response = get(router, "/status/aggregate");  // and everybody else in the API's own
  EXPECT_EQ(response.status, 503);
  EXPECT_THAT(response.body, StartsWith(R"(["CRIT",{"description":"Draining")"));
  EXPECT_EQ(response.header("Vary"), "Accept");
}

TEST(RouterHealthJson, HeadAnswersLikeGet) {
  Registry registry;
  registry.add({"DB", "db", [] { return false; }});
  Router router(registry);
  const auto head = get(router, "/status/aggregate", &kHealthJson, "HEAD");
  EXPECT_EQ(head.status, 503);
  EXPECT_EQ(head.content_type, "application/health+json");
  EXPECT_EQ(head.header("Vary"), "Accept");
}

TEST(RouterHealthJson, CallersWithoutPermissionSeeNoOutput) {
  Registry registry(described());
  registry.add({"MySQL", "db", [] { return Status::crit("password for user orders is wrong"); }});
  RouterOptions options;
  options.allow_details = bearer_token("letmein");
  Router router(registry, options);
  auto response = get(router, "/status/aggregate", &kHealthJson);
  EXPECT_EQ(response.status, 503);
  auto doc = expect_health_json_shape(response.body);
  EXPECT_EQ(doc["status"], "fail");
  EXPECT_EQ(doc["serviceId"], "orders") << "who the service is, as redacted About says";
  EXPECT_FALSE(doc.contains("version"));
  EXPECT_FALSE(doc.contains("description"));
  EXPECT_FALSE(doc.contains("output"));
  EXPECT_FALSE(doc["checks"]["MySQL:responseTime"][0].contains("output"));
  EXPECT_THAT(response.body, Not(HasSubstr("password")));
  EXPECT_THAT(get(router, "/status/about", &kHealthJson).body, Not(HasSubstr("password")));

  const Fields token{{"Accept", "application/health+json"}, {"Authorization", "Bearer letmein"}};
  doc = expect_health_json_shape(get(router, "/status/aggregate", &token).body);
  EXPECT_EQ(doc["version"], "1.4.2");
  EXPECT_EQ(doc["output"], "password for user orders is wrong");
  EXPECT_EQ(doc["checks"]["MySQL:responseTime"][0]["output"], "password for user orders is wrong");
}

TEST(RouterHealthJson, SecretsAreMaskedAndTextIsEscaped) {
  About about = described();
  about.description = "uses s3cr3t-value \"quoted\" </script>";
  RegistryOptions registry_options;
  registry_options.secrets = {"s3cr3t-value"};
  Registry registry(about, registry_options);
  registry.add({"Q\"ueue", "queue", [] { return Status::crit("login s3cr3t-value refused\n"); }});
  Router router(registry);
  const auto response = get(router, "/status/aggregate", &kHealthJson);
  const auto doc = expect_health_json_shape(response.body);
  EXPECT_THAT(response.body, Not(HasSubstr("s3cr3t")));
  EXPECT_EQ(doc["description"], "uses *** \"quoted\" </script>");
  EXPECT_EQ(doc["checks"]["Q\"ueue:responseTime"][0]["output"], "login *** refused\n");
}

TEST(RouterHealthJson, DependenciesThatShareANameShareItsArray) {
  Registry registry;
  registry.add({"Replica", "replica-a", [] { return true; }});
  registry.add({"Primary", "primary", [] { return true; }});
  registry.add({"Replica", "replica-b", [] { return Status::warn("lagging"); }});
  Router router(registry);
  const auto doc = expect_health_json_shape(get(router, "/status/about", &kHealthJson).body);
  ASSERT_EQ(doc["checks"].size(), 2u);
  const auto& replicas = doc["checks"]["Replica:responseTime"];
  ASSERT_EQ(replicas.size(), 2u);
  EXPECT_EQ(replicas[0]["componentId"], "replica-a");
  EXPECT_EQ(replicas[1]["componentId"], "replica-b");
  EXPECT_EQ(replicas[1]["status"], "warn");
  EXPECT_EQ(doc["status"], "warn");
}

TEST(RouterHealthJson, BuiltInChecksSayWhatTheyCheck) {
  EXPECT_EQ(checks::redis({}).component_type(), "datastore");
#ifdef HEALTHCHECKS_HAS_POSTGRES
  EXPECT_EQ(checks::postgres({}).component_type(), "datastore");
#endif
  checks::DiskOptions disk;
  disk.path = "/";
  EXPECT_EQ(checks::disk(disk).component_type(), "system");
  EXPECT_EQ(checks::process({}).component_type(), "system");
  EXPECT_EQ(checks::tcp("127.0.0.1", 1).component_type(), "component");
  EXPECT_EQ(checks::http("http://127.0.0.1:1/").component_type(), "component");
}

}  // namespace
}  // namespace healthchecks
