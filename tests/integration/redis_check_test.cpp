// The redis check against a real redis-server on a free loopback port.
#include "healthchecks/checks/redis.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;
using testing::run_check;
using namespace std::chrono_literals;

checks::RedisOptions on(unsigned short port) {
  checks::RedisOptions options;
  options.port = port;
  return options;
}

// Sends one raw RESP command on a connection of its own and closes it.
void send_command(unsigned short port, const std::string& resp) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(write(fd, resp.data(), resp.size()), static_cast<ssize_t>(resp.size()));
  char reply[64];
  (void)read(fd, reply, sizeof reply);
  close(fd);
}

TEST(RedisCheck, PongIsOkAndAStoppedServerIsCrit) {
  testing::RedisServer redis;
  const auto where = "127.0.0.1:" + std::to_string(redis.port());
  EXPECT_THAT(run_check(checks::redis(on(redis.port()))),
              IsStatus(Level::ok, "PONG from " + where + " in "));
  auto with_db = on(redis.port());
  with_db.db = 3;
  EXPECT_THAT(run_check(checks::redis(with_db)), testing::HasLevel(Level::ok));
  redis.stop();
  EXPECT_THAT(run_check(checks::redis(on(redis.port()))),
              IsStatus(Level::crit, "connect to " + where + ": Connection refused"));
}

TEST(RedisCheck, PasswordsAreCheckedAndNamed) {
  testing::RedisServer redis("s3cret");
  auto options = on(redis.port());
  EXPECT_THAT(run_check(checks::redis(options)),
              IsStatus(Level::crit, "authentication required at 127.0.0.1:" +
                                        std::to_string(redis.port()) + " (NOAUTH)"));
  options.password = "wrong";
  EXPECT_THAT(run_check(checks::redis(options)), IsStatus(Level::crit, "authentication failed at"));
  EXPECT_THAT(run_check(checks::redis(options)), IsStatus(Level::crit, "WRONGPASS"));
  options.password = "s3cret";
  EXPECT_THAT(run_check(checks::redis(options)), IsStatus(Level::ok, "PONG"));
}

TEST(RedisCheck, AMissingDatabaseIsCrit) {
  testing::RedisServer redis;
  auto options = on(redis.port());
  options.db = 1000;
  EXPECT_THAT(run_check(checks::redis(options)), IsStatus(Level::crit, "SELECT 1000 failed at"));
}

TEST(RedisCheck, ASlowAnswerIsAWarn) {
  testing::RedisServer redis;
  // Redis holds every client for 300 ms: PING answers late.
  send_command(redis.port(), "*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$3\r\n300\r\n$3\r\nALL\r\n");
  auto options = on(redis.port());
  options.warn_after = 100ms;
  EXPECT_THAT(run_check(checks::redis(options)), IsStatus(Level::warn, "(WARN above 100 ms)"));
}

TEST(RedisCheck, AServerThatNeverAnswersTimesOut) {
  testing::SilentServer silent;
  EXPECT_THAT(run_check(checks::redis(on(silent.port())), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while waiting for PONG"));
}

}  // namespace
}  // namespace healthchecks
