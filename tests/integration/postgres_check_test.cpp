// The postgres check against a real PostgreSQL: initdb into a temporary folder, started on a
// free loopback port (as the postgres user when the tests run as root).
#include "healthchecks/checks/postgres.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;
using testing::PostgresServer;
using testing::run_check;
using namespace std::chrono_literals;

checks::PostgresOptions with(std::string conninfo, std::string query = "SELECT 1") {
  checks::PostgresOptions options;
  options.conninfo = std::move(conninfo);
  options.query = std::move(query);
  return options;
}

class PostgresCheck : public ::testing::Test {
 protected:
  // One server for the suite. A server that cannot start fails every test saying why: an
  // exception here would only make GoogleTest skip them, which ctest does not count as failing.
  static void SetUpTestSuite() {
    try {
      server_ = new PostgresServer();
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
  }
  void SetUp() override {
    if (server_ == nullptr) FAIL() << "PostgreSQL did not start: " << failure_;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static PostgresServer* server_;
  static inline std::string failure_;
};
PostgresServer* PostgresCheck::server_ = nullptr;

TEST_F(PostgresCheck, AQueryThatSucceedsIsOk) {
  EXPECT_THAT(run_check(checks::postgres(with(server_->conninfo()))),
              IsStatus(Level::ok, "SELECT 1 on 127.0.0.1:" + std::to_string(server_->port()) +
                                      "/postgres in "));
}

TEST_F(PostgresCheck, AWrongPasswordIsCritNamingAuthentication) {
  EXPECT_THAT(run_check(checks::postgres(with(server_->conninfo("wrong")))),
              IsStatus(Level::crit, "password authentication failed for user \"health\""));
}

TEST_F(PostgresCheck, AFailingQueryIsCritWithTheServersWords) {
  EXPECT_THAT(run_check(checks::postgres(with(server_->conninfo(), "SELECT * FROM missing_table"))),
              IsStatus(Level::crit, "relation \"missing_table\" does not exist"));
}

TEST_F(PostgresCheck, ASlowQueryIsAWarn) {
  auto options = with(server_->conninfo(), "SELECT pg_sleep(0.2)");
  options.warn_after = 50ms;
  EXPECT_THAT(run_check(checks::postgres(options)), IsStatus(Level::warn, "(WARN above 50 ms)"));
}

TEST_F(PostgresCheck, ADeadlineStopsASlowQuery) {
  EXPECT_THAT(run_check(checks::postgres(with(server_->conninfo(), "SELECT pg_sleep(5)")), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while querying"));
}

TEST_F(PostgresCheck, AServerThatNeverAnswersTimesOut) {
  testing::SilentServer silent;
  const auto conninfo = "host=127.0.0.1 port=" + std::to_string(silent.port()) + " user=x";
  EXPECT_THAT(run_check(checks::postgres(with(conninfo)), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while connecting to 127.0.0.1:"));
}

TEST_F(PostgresCheck, NothingListeningIsCritSayingConnectionRefused) {
  // A port nobody listens on, rather than stopping the shared server under the other tests.
  const auto conninfo =
      "host=127.0.0.1 port=" + std::to_string(testing::free_port()) + " user=x dbname=x";
  EXPECT_THAT(run_check(checks::postgres(with(conninfo))),
              IsStatus(Level::crit, "Connection refused"));
}

}  // namespace
}  // namespace healthchecks
