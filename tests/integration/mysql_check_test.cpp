// The mysql check against a real MariaDB: mariadb-install-db into a temporary folder, mariadbd
// on a free loopback port (as the mysql user when the tests run as root), one for the suite;
// and through a real sidecar.
#include "healthchecks/checks/mysql.hpp"

#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/check_runner.hpp"
#include "support/http_client.hpp"
#include "support/matchers.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::IsStatus;
using testing::MariadbServer;
using ::testing::Not;
using testing::run_check;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class MysqlCheck : public ::testing::Test {
 protected:
  // One server for the suite. A server that cannot start fails every test saying why: an
  // exception here would only make GoogleTest skip them, which ctest does not count as failing.
  static void SetUpTestSuite() {
    try {
      server_ = new MariadbServer();
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
  }
  void SetUp() override {
    if (server_ == nullptr) FAIL() << "MariaDB did not start: " << failure_;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static checks::MysqlOptions with(std::string query = {},
                                   std::string password = MariadbServer::kPassword) {
    checks::MysqlOptions options;
    options.port = server_->port();
    options.user = MariadbServer::kUser;
    options.password = std::move(password);
    options.query = std::move(query);
    return options;
  }
  static std::string at() { return "127.0.0.1:" + std::to_string(server_->port()); }

  static MariadbServer* server_;
  static inline std::string failure_;
};
MariadbServer* MysqlCheck::server_ = nullptr;

TEST_F(MysqlCheck, APingIsOk) {
  EXPECT_THAT(run_check(checks::mysql(with())), IsStatus(Level::ok, "ping to " + at() + " in "));
}

TEST_F(MysqlCheck, AQueryOnADatabaseIsOk) {
  auto options = with("SELECT COUNT(*) FROM user");
  options.database = "mysql";
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::ok, "SELECT COUNT(*) FROM user on " + at() + "/mysql in "));
}

TEST_F(MysqlCheck, ManyRowsAreReadAndDropped) {
  // 200000 rows, read one at a time: neither held in memory nor recursed over. (MariaDB's
  // sequence engine makes seq_1_to_N in any database.)
  auto options = with("SELECT seq FROM seq_1_to_200000");
  options.database = "mysql";
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::ok, "SELECT seq FROM seq_1_to_200000 on " + at() + "/mysql in "));
}

TEST_F(MysqlCheck, AHostNameIsResolvedFirst) {
  // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
  auto options = with();
  options.host = "localhost";
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::ok, "ping to localhost:" + std::to_string(server_->port())));
}

TEST_F(MysqlCheck, AWrongPasswordIsCritNamingAuthenticationButNotThePassword) {
  const auto status = run_check(checks::mysql(with("", "wrong-password")));
  EXPECT_THAT(status, IsStatus(Level::crit, "authentication failed at " + at() +
                                                ": Access denied for user 'health'@'127.0.0.1' "
                                                "(using password: YES) (1045)"));
  EXPECT_THAT(status.details, Not(HasSubstr("wrong-password")));
}

TEST_F(MysqlCheck, AnUnknownDatabaseIsCrit) {
  auto options = with();
  options.database = "nowhere";
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::crit, "cannot connect to " + at() +
                                        "/nowhere: Unknown database 'nowhere' (1049)"));
}

TEST_F(MysqlCheck, AFailingQueryIsCritWithTheServersWords) {
  auto options = with("SELECT * FROM missing_table");
  options.database = "mysql";
  EXPECT_THAT(
      run_check(checks::mysql(options)),
      IsStatus(Level::crit, "SELECT * FROM missing_table failed on " + at() +
                                "/mysql: Table 'mysql.missing_table' doesn't exist (1146)"));
}

TEST_F(MysqlCheck, AnErrorWhileTheRowsAreReadIsCrit) {
  // The server sends 50000 rows before its error: the error comes while they are read.
  auto options = with(
      "SELECT seq FROM seq_1_to_100000 WHERE IF(seq > 50000, (SELECT seq FROM seq_1_to_2), 1)");
  options.database = "mysql";
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::crit,
                       "failed on " + at() + "/mysql: Subquery returns more than 1 row (1242)"));
}

TEST_F(MysqlCheck, ARowOverOneMebibyteIsCrit) {
  // The server's answers are not ours to size: a 900 kB row is read, a 2 MB one refused (the
  // server allows 16 MB), Connector/C dropping the connection rather than buffering it.
  EXPECT_THAT(run_check(checks::mysql(with("SELECT REPEAT('x', 900000)"))),
              IsStatus(Level::ok, "SELECT REPEAT('x', 900000) on " + at() + " in "));
  EXPECT_THAT(run_check(checks::mysql(with("SELECT REPEAT('x', 2000000)"))),
              IsStatus(Level::crit, "SELECT REPEAT('x', 2000000) failed on " + at() +
                                        ": Lost connection to server during query (2013)"));
}

TEST_F(MysqlCheck, ASlowQueryIsAWarn) {
  auto options = with("SELECT SLEEP(0.2)");
  options.warn_after = 50ms;
  EXPECT_THAT(run_check(checks::mysql(options)),
              IsStatus(Level::warn, "SELECT SLEEP(0.2) on " + at() + " in "));
  EXPECT_THAT(run_check(checks::mysql(options)), IsStatus(Level::warn, "(WARN above 50 ms)"));
}

TEST_F(MysqlCheck, ADeadlineStopsASlowQueryPromptly) {
  const auto started = Clock::now();
  EXPECT_THAT(run_check(checks::mysql(with("SELECT SLEEP(5)")), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while querying " + at()));
  // Closing the connection in the middle of the query does not wait for the server: the
  // answer comes at the deadline, and the registry is destroyed at once after it.
  EXPECT_LT(Clock::now() - started, 1s);
  // The server is still fine for the next run.
  EXPECT_THAT(run_check(checks::mysql(with())), IsStatus(Level::ok, "ping to "));
}

TEST_F(MysqlCheck, AServerThatNeverAnswersTimesOutWhileConnecting) {
  testing::SilentServer silent;
  auto options = with();
  options.port = silent.port();
  const auto started = Clock::now();
  EXPECT_THAT(run_check(checks::mysql(options), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while connecting to 127.0.0.1:" +
                                        std::to_string(silent.port())));
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST_F(MysqlCheck, AStoppedServerIsCritThenOkWhenItIsBack) {
  server_->stop();
  EXPECT_THAT(run_check(checks::mysql(with())),
              IsStatus(Level::crit, "cannot connect to " + at() + ": "));
  server_->start();
  EXPECT_THAT(run_check(checks::mysql(with())), IsStatus(Level::ok, "ping to " + at()));
}

TEST_F(MysqlCheck, ThroughTheSidecarWithThePasswordFromTheEnvironment) {
  setenv("HC_TEST_MYSQL_PASSWORD", MariadbServer::kPassword, 1);
  testing::TempDir dir;
  const auto port = std::to_string(server_->port());
  const auto config = dir.write("svc.json", R"({"listen": "127.0.0.1:0", "checks": [
    {"name": "DB", "slug": "db", "check": "mysql", "port": )" +
                                                port +
                                                R"(, "user": "health",
     "password": "${HC_TEST_MYSQL_PASSWORD}", "database": "mysql", "query": "SELECT 1",
     "warnMs": 1000},
    {"name": "Locked out", "slug": "locked", "check": "mysql", "port": )" +
                                                port +
                                                R"(, "user": "health",
     "password": "not-the-password"}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  unsetenv("HC_TEST_MYSQL_PASSWORD");
  const auto sidecar_port = testing::wait_until_serving(sidecar);
  const auto get = [sidecar_port](const std::string& path) {
    return testing::http_get(sidecar_port, path).body;
  };
  EXPECT_THAT(get("/status/v2/db"), HasSubstr(R"("result":"OK","details":"SELECT 1 on 127.0.0.1:)" +
                                              port + "/mysql in "));
  const auto locked = get("/status/v2/locked");
  EXPECT_THAT(locked, AllOf(HasSubstr(R"("result":"CRIT","details":"authentication failed at)"),
                            HasSubstr("Access denied for user 'health'"),
                            Not(HasSubstr("not-the-password"))));
  EXPECT_THAT(get("/status/about"), AllOf(HasSubstr(R"("name":"DB","status":["OK"])"),
                                          Not(HasSubstr(MariadbServer::kPassword))));
}

}  // namespace
}  // namespace healthchecks
