#include "healthchecks/status_endpoint.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Type = StatusEndpoint::Type;

bool up() {
  return true;
}

TEST(StatusEndpoint, TypeIsInternalUnlessGiven) {
  const StatusEndpoint queue{"Queue", "queue", up};
  EXPECT_EQ(queue.type, Type::internal);
  EXPECT_EQ(queue.type.name(), "internal");
  EXPECT_EQ(StatusEndpoint().type, Type::internal);
}

TEST(StatusEndpoint, TypeFromTheEnumIsShownAsItsWord) {
  const StatusEndpoint db{"DB", "db", Type::external, up};
  EXPECT_EQ(db.type, Type::external);
  EXPECT_FALSE(db.type.is_internal());
  EXPECT_EQ(db.type.name(), "external");
}

TEST(StatusEndpoint, AnyWordIsATypeAndOnlyInternalIsInternal) {
  // As the contract allows, and as the Go and Node implementations send them.
  const StatusEndpoint db{"DB", "db", "service", up};
  EXPECT_EQ(db.type, Type::external);
  EXPECT_EQ(db.type.name(), "service");
  EXPECT_EQ(db.type, "service");
  EXPECT_EQ((StatusEndpoint{"DB", "db", "internal", up}.type), Type::internal);
  EXPECT_EQ((StatusEndpoint{"DB", "db", "Internal", up}.type), Type::external);
  EXPECT_EQ((StatusEndpoint{"DB", "db", std::string("internal"), up}.type), Type::internal);

  StatusEndpoint assigned;
  assigned.type = "queue";
  EXPECT_EQ(assigned.type, Type::external);
  assigned.type = Type::internal;
  EXPECT_EQ(assigned.type.name(), "internal");
}

TEST(StatusEndpoint, TheStringSpellingStillReadsForOneRelease) {
  const StatusEndpoint db{"DB", "db", "service", up};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const std::string& type = db.type;
#pragma GCC diagnostic pop
  EXPECT_EQ(type, "service");
}

TEST(StatusEndpoint, AboutShowsTheTypeAsRegisteredAndFiltersByItsClass) {
  Registry registry;
  registry.add({"Queue", "queue", up});
  registry.add({"Billing", "billing", Type::external, up});
  registry.add({"Search", "search", "service", [] { return Status::crit("down"); }});
  const Router router(registry);

  const std::string about = router.handle("GET", "/status/about").body;
  EXPECT_THAT(about, HasSubstr(R"("statusPath":"queue","type":"internal")"));
  EXPECT_THAT(about, HasSubstr(R"("statusPath":"billing","type":"external")"));
  EXPECT_THAT(about, HasSubstr(R"("statusPath":"search","type":"service")"));

  EXPECT_EQ(router.handle("GET", "/status/aggregate?type=internal").body, R"(["OK"])");
  EXPECT_THAT(router.handle("GET", "/status/aggregate?type=external").body, HasSubstr("CRIT"));
}

TEST(StatusEndpoint, AnEmptyTypeIsRejectedAtRegistration) {
  Registry registry;
  EXPECT_THROW(registry.add({"DB", "db", "", up}), Error);
}

TEST(StatusEndpoint, PeerTakesItsTypeWhereTheConstructorDoes) {
  const auto external = checks::peer("Service 1", "service-1", "http://127.0.0.1:1");
  EXPECT_EQ(external.type, Type::external);
  EXPECT_TRUE(external.traversable);

  const auto internal = checks::peer("Worker", "worker", Type::internal, "http://127.0.0.1:1");
  EXPECT_EQ(internal.type, Type::internal);
  EXPECT_EQ(internal.type.name(), "internal");
  EXPECT_TRUE(internal.traversable && internal.traverse && internal.check);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const auto old = checks::peer("Service 1", "service-1", "http://127.0.0.1:1", "service");
#pragma GCC diagnostic pop
  EXPECT_EQ(old.type.name(), "service");
  EXPECT_EQ(old.type, Type::external);
}

}  // namespace
}  // namespace healthchecks
