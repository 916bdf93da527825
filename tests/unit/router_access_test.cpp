// Access control: who sees details, and what traversal needs and never passes on.
#include "healthchecks/router.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/server.hpp"
#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/router_get.hpp"
#include "support/servers.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using testing::Service;

using testing::get;

About described() {
  About about;
  about.id = "orders";
  about.name = "Orders";
  about.description = "Takes orders";
  about.owners = {"ops@example.com"};
  about.version = "4.2.0";
  about.project_repo = "https://git.example.com/orders";
  about.logs_links = {"https://logs.example.com/orders"};
  about.custom_data["secret"] = "internal detail";
  return about;
}

RouterOptions token_required() {
  RouterOptions options;
  options.allow_details = [](const Request& request) {
    return request.header("Authorization") == std::optional<std::string_view>("Bearer letmein");
  };
  return options;
}

TEST(RouterAccess, WithoutPermissionLevelsOnly) {
  Registry registry(described());
  registry.add({"MySQL", "db", "internal",
                [] { return Status::crit("password for user orders is wrong"); }});
  Router router(registry, token_required());

  EXPECT_EQ(get(router, "/status/am-i-up").body, "OK") << "am-i-up stays public";
  EXPECT_EQ(get(router, "/status/aggregate").body,
            R"(["CRIT",{"description":"","result":"CRIT","details":""}])")
      << "the level stays public, the details do not";
  EXPECT_EQ(get(router, "/status/v2/db").body,
            R"({"description":"","result":"CRIT","details":""})");
  const auto about = get(router, "/status/about").body;
  EXPECT_THAT(
      about,
      StartsWith(
          R"({"id":"orders","name":"Orders","description":"N/A","protocol":"http","owners":[],"version":"N/A","host":"N/A","projectRepo":"N/A","projectHome":"N/A","logsLinks":[],"statsLinks":[],"dependencies":[{"name":"MySQL","status":["CRIT",{"description":"","result":"CRIT","details":""}])"));
  EXPECT_THAT(about, HasSubstr(R"("customData":{}})"));
  EXPECT_THAT(about, Not(HasSubstr("password")));
  EXPECT_THAT(about, Not(HasSubstr("ops@example.com")));
}

TEST(RouterAccess, AVerifiedClientCertificateSeesDetails) {
  Registry registry(described());
  registry.add({"MySQL", "db", "internal",
                [] { return Status::crit("password for user orders is wrong"); }});
  Router router(registry, token_required());
  Request request("GET", "/status/v2/db");
  request.client_certificate_subject = "CN=prober";
  EXPECT_EQ(router.handle(request).body, R"({"description":"","result":"CRIT","details":""})")
      << "a certificate that did not verify is no permission";
  request.client_certificate_verified = true;
  EXPECT_THAT(router.handle(request).body, HasSubstr("password for user orders is wrong"));

  RouterOptions redact;
  redact.redact = true;
  Router redacting(registry, redact);
  EXPECT_THAT(redacting.handle(request).body, HasSubstr("password for user orders is wrong"));
}

TEST(RouterAccess, WithPermissionEverything) {
  Registry registry(described());
  registry.add({"MySQL", "db", "internal",
                [] { return Status::crit("password for user orders is wrong"); }});
  Router router(registry, token_required());
  const Fields token{{"Authorization", "Bearer letmein"}};
  EXPECT_THAT(get(router, "/status/aggregate", &token).body, HasSubstr("password for user orders"));
  const auto about = get(router, "/status/about", &token).body;
  EXPECT_THAT(about, HasSubstr("ops@example.com"));
  EXPECT_THAT(about, HasSubstr(R"("customData":{"secret":"internal detail"})"));
  const Fields wrong{{"Authorization", "Bearer guess"}};
  EXPECT_THAT(get(router, "/status/aggregate", &wrong).body, Not(HasSubstr("password")));
}

TEST(RouterAccess, TraversalNeedsPermissionAndNeverPassesTheCallersCredentialsOn) {
  testing::FakePeer peer;
  peer.reply({200, "application/json", R"({"id":"downstream"})"});
  Registry registry(described());
  checks::HttpOptions credentials;
  credentials.headers = {{"Authorization", "Bearer for-the-peer"}};
  registry.add(checks::peer("Peer", "peer", peer.url(), credentials));
  Router router(registry, token_required());
  const auto refused = get(router, "/status/traverse?dependencies=peer");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("traversing through this service needs permission"));
  EXPECT_TRUE(peer.targets().empty()) << "no request was made on the caller's behalf";
  EXPECT_THAT(get(router, "/status/traverse").body, HasSubstr(R"("owners":[])"))
      << "redacted About";

  const Fields caller{{"Authorization", "Bearer letmein"},
                      {"Cookie", "session=caller"},
                      {"X-Custom", "caller"},
                      {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                      {"tracestate", "congo=t61rcWkgMzE"}};
  EXPECT_EQ(get(router, "/status/traverse?dependencies=peer", &caller).body,
            R"({"id":"downstream"})");
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer for-the-peer")
      << "the service's own credentials, never the caller's";
  EXPECT_EQ(peer.last_header("Cookie"), "");
  EXPECT_EQ(peer.last_header("X-Custom"), "");
  EXPECT_EQ(peer.last_header("traceparent"),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(peer.last_header("tracestate"), "congo=t61rcWkgMzE");
  EXPECT_EQ(peer.last_header("X-Healthchecks-Hops"), "1");
  EXPECT_FALSE(peer.last_header("X-Healthchecks-Deadline-Ms").empty());

  // A malformed trace context is dropped, not passed on.
  const Fields bad_trace{{"Authorization", "Bearer letmein"}, {"traceparent", "00-zz-\r-01"}};
  (void)get(router, "/status/traverse?dependencies=peer", &bad_trace);
  EXPECT_EQ(peer.last_header("traceparent"), "");
  // The check sends the configured credentials too.
  (void)get(router, "/status/peer");
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer for-the-peer");
  EXPECT_EQ(peer.targets().back(), "/status/aggregate");
}

TEST(RouterAccess, RedactForEverybodyAndHooksThatThrowGrantNothing) {
  Registry registry(described());
  RouterOptions options;
  options.redact = true;
  Router everybody(registry, options);
  EXPECT_THAT(get(everybody, "/status/about").body, HasSubstr(R"("owners":[])"));

  Registry other(described());
  RouterOptions throwing;
  throwing.allow_details = [](const Request&) -> bool { throw std::runtime_error("hook bug"); };
  Router router(other, throwing);
  EXPECT_THAT(get(router, "/status/about").body, HasSubstr(R"("owners":[])"));
}

}  // namespace
}  // namespace healthchecks
