// The memcached check against a real memcached on a free loopback port (2 MiB for items, so that
// a few 100 KB items fill it and more evict), and against peers that answer something else.
#include "healthchecks/checks/memcached.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::IsStatus;
using testing::run_check;
using namespace std::chrono_literals;

checks::MemcachedOptions on(unsigned short port) {
  checks::MemcachedOptions options;
  options.port = port;
  return options;
}

int connect_to(unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Stores `count` items of 100 KB, keys "<prefix>0", "<prefix>1", ..., over the text protocol.
void store_items(unsigned short port, int count, const std::string& prefix = "item") {
  const int fd = connect_to(port);
  const std::string value(100 * 1000, 'x');
  for (int i = 0; i < count; ++i) {
    const std::string set = "set " + prefix + std::to_string(i) + " 0 0 " +
                            std::to_string(value.size()) + "\r\n" + value + "\r\n";
    ASSERT_EQ(write(fd, set.data(), set.size()), static_cast<ssize_t>(set.size()));
    std::string reply;
    char buffer[64];
    while (reply.find("\r\n") == std::string::npos) {
      const auto n = read(fd, buffer, sizeof buffer);
      ASSERT_GT(n, 0);
      reply.append(buffer, static_cast<std::size_t>(n));
    }
    ASSERT_EQ(reply, "STORED\r\n");
  }
  close(fd);
}

// A peer that answers every connection with the same bytes (after `delay`) and closes it: what
// a wrong port, a broken proxy or a hostile peer looks like.
class CannedServer {
 public:
  explicit CannedServer(std::string answer, std::chrono::milliseconds delay = {})
      : answer_(std::move(answer)), delay_(delay), fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 16);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    close(fd_);
  }
  unsigned short port() const { return port_; }

 private:
  void serve() {
    for (;;) {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char request[256];
      (void)recv(client, request, sizeof request, 0);
      std::this_thread::sleep_for(delay_);
      // The check may hang up before all is sent: no SIGPIPE.
      (void)send(client, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  std::string answer_;
  std::chrono::milliseconds delay_;
  int fd_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// The lines of a real answer that the check reads (memcached 1.6 sends about 90 STAT lines).
const std::string kVersionAndStats =
    "VERSION 1.6.18\r\nSTAT pid 1\r\nSTAT bytes 524288\r\nSTAT curr_items 5\r\n"
    "STAT limit_maxbytes 2097152\r\nSTAT evictions 0\r\nEND\r\n";

TEST(MemcachedCheck, OkNamesVersionFillAndEvictionsThenARate) {
  testing::MemcachedServer memcached;
  const auto where = "127.0.0.1:" + std::to_string(memcached.port());
  const auto check = checks::memcached(on(memcached.port()));
  EXPECT_EQ(check.component_type(), "datastore");
  const auto first = run_check(check);
  EXPECT_THAT(first, IsStatus(Level::ok, "memcached 1."));
  EXPECT_THAT(first.details, HasSubstr(" at " + where + " in "));
  EXPECT_THAT(first.details,
              HasSubstr(": 0.0% full (0.0 of 2.0 MiB), 0 evictions since it started"));
  // The same Check (or a copy) has a sample to compare with: a rate.
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, "% full (0.0 of 2.0 MiB), 0.0 evictions/s"));
}

TEST(MemcachedCheck, WarnsWhenFullerThanTheThreshold) {
  testing::MemcachedServer memcached;
  auto options = on(memcached.port());
  options.warn_fill_percent = 50;
  EXPECT_THAT(run_check(checks::memcached(options)), testing::HasLevel(Level::ok));
  store_items(memcached.port(), 12);  // 1.2 MB of 2 MiB
  const auto full = run_check(checks::memcached(options));
  EXPECT_THAT(full, IsStatus(Level::warn,
                             "% full (1.1 of 2.0 MiB), 0 evictions since it started "
                             "(WARN above 50% full)"));
  EXPECT_THAT(full.details, HasSubstr(": 57."));  // 12 items of 100,061 bytes in all
}

TEST(MemcachedCheck, WarnsOnEvictionsPerSecondBetweenTwoRunsAndStartsOverAfterARestart) {
  testing::MemcachedServer memcached;
  auto options = on(memcached.port());
  options.warn_evictions_per_sec = 1;
  const auto check = checks::memcached(options);
  // The first run has nothing to compare with: the total, never a WARN.
  store_items(memcached.port(), 30, "early");  // 2 MiB hold 20: evictions
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, " evictions since it started"));
  store_items(memcached.port(), 30, "late");  // 30 more evictions, well within 30 s
  EXPECT_THAT(run_check(check), IsStatus(Level::warn, " evictions/s (WARN above 1 evictions/s)"));
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, ", 0.0 evictions/s"));
  // A restart sets the counter back to 0: the total again, then rates from there.
  memcached.stop();
  memcached.start();
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, ", 0 evictions since it started"));
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, ", 0.0 evictions/s"));
}

TEST(MemcachedCheck, AStoppedServerIsCrit) {
  testing::MemcachedServer memcached;
  memcached.stop();
  EXPECT_THAT(run_check(checks::memcached(on(memcached.port()))),
              IsStatus(Level::crit, "connect to 127.0.0.1:" + std::to_string(memcached.port()) +
                                        ": Connection refused"));
}

TEST(MemcachedCheck, AServerThatNeverAnswersTimesOut) {
  testing::SilentServer silent;
  EXPECT_THAT(run_check(checks::memcached(on(silent.port())), 300ms),
              IsStatus(Level::crit, "timed out after 300 ms while waiting for VERSION"));
}

TEST(MemcachedCheck, ASlowAnswerIsAWarn) {
  CannedServer slow(kVersionAndStats, 200ms);
  auto options = on(slow.port());
  options.warn_after = 50ms;
  EXPECT_THAT(run_check(checks::memcached(options)),
              IsStatus(Level::warn,
                       "memcached 1.6.18 at 127.0.0.1:" + std::to_string(slow.port()) + " in "));
  EXPECT_THAT(run_check(checks::memcached(options)),
              IsStatus(Level::warn,
                       ": 25.0% full (0.5 of 2.0 MiB), 0 evictions since it started "
                       "(WARN above 50 ms)"));
}

TEST(MemcachedCheckHostile, AnythingButMemcachedIsCritQuotingWhatCame) {
  const auto crit_with = [](const std::string& answer, const std::string& message) {
    CannedServer peer(answer);
    const auto status = run_check(checks::memcached(on(peer.port())));
    EXPECT_THAT(status, IsStatus(Level::crit, message)) << answer.substr(0, 80);
  };
  crit_with("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            "version answered by 127.0.0.1:");
  crit_with("HTTP/1.1 400 Bad Request\r\n", "with \"HTTP/1.1 400 Bad Request\"");
  crit_with("-ERR unknown command 'version'\r\n", "with \"-ERR unknown command 'version'\"");
  crit_with(std::string("\x00\xff\x1b[2J\r\n", 8), "with \"\\x00\xEF\xBF\xBD\\x1b[2J\"");
  crit_with("VERSION 1.6.18\r\nSTAT bytes lots\r\nEND\r\n", ": bytes is not a counter: \"lots\"");
  crit_with("VERSION 1.6.18\r\nSTAT evictions 99999999999999999999999\r\nEND\r\n",
            ": evictions is not a counter");
  crit_with("VERSION 1.6.18\r\nEND\r\n", " lack bytes");
  crit_with(
      "VERSION 1.6.18\r\nSTAT bytes 0\r\nSTAT limit_maxbytes 0\r\nSTAT evictions 0\r\nEND\r\n",
      " say limit_maxbytes is 0");
  crit_with("VERSION 1.6.18\r\nSERVER_ERROR out of memory\r\n", "stats answered by 127.0.0.1:");
  crit_with("VERSION 1.6.18\r\nSTAT pid",
            "closed the connection while reading stats, after "
            "\"STAT pid\"");
  crit_with("", "closed the connection while waiting for VERSION");
}

TEST(MemcachedCheckHostile, AnAnswerTooLongIsCritAfterAtMost64KiB) {
  {
    CannedServer peer(std::string(1024 * 1024, 'A'));  // one line that never ends
    EXPECT_THAT(run_check(checks::memcached(on(peer.port()))),
                IsStatus(Level::crit, "answered a line longer than 64 KiB: \"AAAA"));
  }
  std::string endless = "VERSION 1.6.18\r\n";
  while (endless.size() < 1024 * 1024) endless += "STAT something 1\r\n";
  CannedServer peer(endless);
  EXPECT_THAT(run_check(checks::memcached(on(peer.port()))),
              IsStatus(Level::crit, "answered more than 64 KiB to stats: not memcached?"));
}

}  // namespace
}  // namespace healthchecks
