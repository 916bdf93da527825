// Hostile input against a real sidecar process (issue 10): config files that used to crash it,
// a peer whose answer used to overflow its stack, requests that could smuggle a second one, and
// more clients than it has file descriptors. Each ends in an answer or a one-line error with
// exit code 2, never a signal, a spinning core or a hang.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::FakePeer;
using ::testing::HasSubstr;
using testing::http_get;
using testing::HttpConnection;
using ::testing::Not;
using testing::Process;
using ::testing::StartsWith;
using testing::TempDir;
using testing::wait_until_serving;
using namespace std::chrono_literals;

constexpr int kDeep = 100'000;

// `depth` levels of arrays: [[[...]]].
std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A sidecar that is expected to refuse its config: its exit code (128 + signal for a signal),
// everything it wrote to standard error, and its first line of output should it serve instead.
struct Refusal {
  std::optional<int> code;
  std::string err;
  std::optional<std::string> served;
};

Refusal run_to_exit(const std::string& config_path) {
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config_path});
  Refusal refusal;
  refusal.served = sidecar.read_line(10s);  // nothing before the end of its output, or "serving"
  if (refusal.served) sidecar.kill(SIGKILL);
  refusal.code = sidecar.wait(10s);
  refusal.err = sidecar.read_stderr(2s);
  return refusal;
}

// The sidecar under RLIMIT_NOFILE soft = hard = `limit`, through a shell (exec keeps the pid).
// In the sanitizer builds, UBSan's vptr check probes memory through a pipe of its own, which
// cannot be made while the descriptors are out: it would take the first virtual call made then
// for an invalid object and stop the process. That check is suppressed in this process only
// (the file is read at start-up; the variable means nothing to other builds).
std::vector<std::string> with_descriptor_limit(int limit, const std::string& config_path,
                                               const TempDir& dir) {
  const auto suppressions = dir.write("ubsan.supp", "vptr:*\n");
  return {"/bin/sh",
          "-c",
          "ulimit -n " + std::to_string(limit) +
              " && export UBSAN_OPTIONS=\"${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}suppressions=" +
              suppressions + "\" && exec \"$0\" \"$@\"",
          HEALTHCHECKS_SIDECAR_PATH,
          "--config",
          config_path};
}

// "Max open files  64  64  files" from /proc/PID/limits: soft and hard.
std::string descriptor_limits(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      std::string soft, hard;
      fields >> soft >> hard;
      return soft + " " + hard;
    }
  }
  return "unknown";
}

// User + system CPU time the process has used so far, from /proc/PID/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  if (values.size() < 13) return std::chrono::milliseconds(-1);
  const long ticks = std::stol(values[11]) + std::stol(values[12]);
  return std::chrono::milliseconds(ticks * 1000 / sysconf(_SC_CLK_TCK));
}

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// A bare connection that says nothing: what an idle client (or an attacker) holds open.
class IdleConnection {
 public:
  explicit IdleConnection(unsigned short port)
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 &&
                 ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~IdleConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  IdleConnection(const IdleConnection&) = delete;
  IdleConnection& operator=(const IdleConnection&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

std::vector<std::unique_ptr<IdleConnection>> open_idle(unsigned short port, int n) {
  std::vector<std::unique_ptr<IdleConnection>> connections;
  for (int i = 0; i < n; ++i) connections.push_back(std::make_unique<IdleConnection>(port));
  return connections;
}

constexpr const char* kAmIUp = "GET /status/am-i-up HTTP/1.1\r\nHost: x\r\n\r\n";

// /status/am-i-up on a fresh connection until it answers 200 or `patience` runs out.
testing::HttpReply am_i_up_within(unsigned short port, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  testing::HttpReply reply;
  for (;;) {
    try {
      reply = http_get(port, "/status/am-i-up");
    } catch (const std::exception& e) {
      reply = {};
      reply.body = e.what();
    }
    if (reply.status == 200 || std::chrono::steady_clock::now() >= deadline) return reply;
    std::this_thread::sleep_for(50ms);
  }
}

// Status codes that carry no body used to abort the process on the first request.
TEST(SidecarHostile, StatusCodesWithoutABodyAreRefusedAtStartup) {
  TempDir dir;
  for (const auto& [level, code] : {std::pair<std::string, int>{"OK", 204}, {"CRIT", 304}}) {
    SCOPED_TRACE(level + ": " + std::to_string(code));
    const auto path = dir.write("codes.json", R"({"listen": "127.0.0.1:0", "statusCodes": {")" +
                                                  level + R"(": )" + std::to_string(code) + "}}");
    const auto refusal = run_to_exit(path);
    ASSERT_EQ(refusal.served, std::nullopt) << "it started instead of refusing the file";
    EXPECT_EQ(refusal.code, 2) << refusal.err;
    EXPECT_EQ(count(refusal.err, "\n"), 1u) << refusal.err;
    EXPECT_THAT(refusal.err, HasSubstr("statusCodes." + level));
    EXPECT_THAT(refusal.err, HasSubstr(path));
  }
}

// Nesting 100,000 deep anywhere in a config (or in the about file it names) used to overflow
// the stack: now one line, exit code 2.
TEST(SidecarHostile, DeeplyNestedConfigsAreRefusedWithOneLine) {
  TempDir dir;
  const std::string deep = nested(kDeep);
  const std::string listen = R"("listen": "127.0.0.1:0")";
  struct Case {
    std::string name;
    std::string config;
    std::string about_file;  // written as about.json when set
  };
  const std::vector<Case> cases = {
      {"top level", deep, {}},
      {"listen", R"({"listen": )" + deep + "}", {}},
      {"about.customData",
       "{" + listen + R"(, "about": {"id": "x", "customData": {"a": )" + deep + "}}}",
       {}},
      {"a check",
       "{" + listen + R"(, "checks": [{"name": "A", "slug": "a", "check": "static", "cycle": )" +
           deep + "}]}",
       {}},
      {"aboutFile", "{" + listen + R"(, "aboutFile": "about.json"})",
       R"({"id": "x", "customData": )" + deep + "}"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto config = dir.write("deep.json", c.config);
    const auto nested_file = c.about_file.empty() ? config : dir.write("about.json", c.about_file);
    const auto refusal = run_to_exit(config);
    ASSERT_EQ(refusal.served, std::nullopt) << "it started instead of refusing the file";
    ASSERT_TRUE(refusal.code.has_value()) << "still running";
    EXPECT_LT(*refusal.code, 128) << "killed by signal " << *refusal.code - 128;
    EXPECT_EQ(*refusal.code, 2) << refusal.err;
    EXPECT_EQ(count(refusal.err, "\n"), 1u) << refusal.err;
    EXPECT_THAT(refusal.err, HasSubstr("nested deeper than 64 levels"));
    EXPECT_THAT(refusal.err, HasSubstr(nested_file));
  }
}

// A peer answering 100,000 levels deep used to kill a service polling it in the background,
// without any request: now the check reads CRIT saying why, and the service goes on.
TEST(SidecarHostile, APeerNestedDeepReadsCritAndTheServiceLives) {
  FakePeer peer;
  const std::string body = R"(["CRIT",)" + nested(kDeep) + "]";
  peer.reply_for("/status/aggregate", {200, "application/json", body});
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "Hostile", "slug": "hostile", "check": "http", "intervalMs": 200,
                "url": ")" + peer.url() + R"("}]})")});
  const auto port = wait_until_serving(sidecar);

  EXPECT_EQ(sidecar.wait(1500ms), std::nullopt) << "the sidecar died";
  const auto targets = peer.targets();
  const auto polls = std::count(targets.begin(), targets.end(), "/status/aggregate");
  EXPECT_GE(polls, 3) << "polled every 200 ms in the background";

  const auto aggregate = http_get(port, "/status/aggregate");
  EXPECT_EQ(aggregate.status, 200);
  const auto json = nlohmann::json::parse(aggregate.body);
  EXPECT_EQ(json[0], "CRIT");
  EXPECT_EQ(json[1]["description"], "Hostile");
  EXPECT_THAT(json[1]["details"].get<std::string>(), HasSubstr("nested deeper than 64 levels"));
  EXPECT_LT(aggregate.body.size(), 4096u);
  EXPECT_EQ(http_get(port, "/status/about").status, 200);
  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  EXPECT_EQ(sidecar.wait(0ms), std::nullopt) << "the sidecar died";
}

// A Transfer-Encoding other than chunked alone has no knowable length: what follows could be a
// request smuggled past a proxy. One 400, and the connection closed before the second request.
TEST(SidecarHostile, TransferEncodingOtherThanChunkedIsRefusedAndClosed) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "DB", "slug": "db", "check": "static"}]})")});
  const auto port = wait_until_serving(sidecar);

  for (const std::string& coding : std::vector<std::string>{"chunked, gzip", "xchunked"}) {
    SCOPED_TRACE(coding);
    HttpConnection connection(port);
    const auto start = std::chrono::steady_clock::now();
    const auto received =
        connection.raw("GET /status/am-i-up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                           "\r\n\r\nGET /status/aggregate HTTP/1.1\r\nHost: x\r\n\r\n",
                       5000);
    EXPECT_LT(ms_since(start), 4000) << "ms: the connection was left open";
    EXPECT_THAT(received, StartsWith("HTTP/1.1 400 "));
    EXPECT_EQ(count(received, "HTTP/1."), 1u) << received;
    EXPECT_THAT(received, HasSubstr("only 'chunked' is accepted"));
    EXPECT_THAT(received, Not(HasSubstr(R"(["OK"])"))) << "the second request was answered";
  }
  // Chunked alone is fine.
  HttpConnection connection(port);
  EXPECT_THAT(connection.raw("GET /status/am-i-up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                             "chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"),
              StartsWith("HTTP/1.1 200 "));
}

// Out of descriptors, accept(2) fails at once for as long as clients wait in the queue: the
// sidecar used to spin a core and write megabytes of "Too many open files" a second, and new
// clients were never answered. Now it backs off, logs once, answers 503 to new clients, and
// serves again as soon as descriptors are free.
TEST(SidecarHostile, OutOfDescriptorsItAnswers503WithoutSpinning) {
  TempDir dir;
  Process sidecar(with_descriptor_limit(64, dir.write("svc.json", R"({
    "listen": "127.0.0.1:0", "maxConnections": 1000,
    "checks": [{"name": "DB", "slug": "db", "check": "static"}]})"),
                                        dir));
  const auto port = wait_until_serving(sidecar);
  ASSERT_EQ(descriptor_limits(sidecar.pid()), "64 64");

  auto idle = open_idle(port, 80);
  ASSERT_TRUE(std::all_of(idle.begin(), idle.end(), [](const auto& c) { return c->connected(); }));
  // Let it accept what it can and meet the limit; standard error is drained all along, so that
  // a flood of it cannot block the process (and hide a spin).
  std::string err = sidecar.read_stderr(500ms);
  const auto before = cpu_time(sidecar.pid());
  const auto start = std::chrono::steady_clock::now();
  err += sidecar.read_stderr(1000ms);
  const auto after = cpu_time(sidecar.pid());
  const auto elapsed = ms_since(start);
  EXPECT_THAT(err, HasSubstr("Too many open files")) << "the limit was never reached";
  ASSERT_GE(before.count(), 0) << "no /proc/" << sidecar.pid() << "/stat";
  EXPECT_LT((after - before).count(), 300) << "ms of CPU used in " << elapsed << " ms";

  HttpConnection client(port);
  const auto answer = client.raw(kAmIUp, 5000);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 503 "));
  EXPECT_THAT(answer, HasSubstr("too many connections"));

  err += sidecar.read_stderr(200ms);
  EXPECT_LE(count(err, "Too many open files"), 2u) << err.substr(0, 2000);
  EXPECT_EQ(sidecar.wait(0ms), std::nullopt) << "the sidecar died";

  idle.clear();
  const auto up = am_i_up_within(port, 5s);
  EXPECT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.body, "OK");
  sidecar.kill(SIGTERM);
  EXPECT_EQ(sidecar.wait(5s), 0);
}

// Without maxConnections the cap follows the descriptor limit, (64 - 32) / 2 = 16, so that it
// engages before the descriptors run out: the client past it is told 503 at once.
TEST(SidecarHostile, TheDefaultCapFollowsTheDescriptorLimit) {
  TempDir dir;
  Process sidecar(with_descriptor_limit(64, dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "DB", "slug": "db", "check": "static"}]})"),
                                        dir));
  const auto port = wait_until_serving(sidecar);
  ASSERT_EQ(descriptor_limits(sidecar.pid()), "64 64");

  auto idle = open_idle(port, 20);
  ASSERT_TRUE(std::all_of(idle.begin(), idle.end(), [](const auto& c) { return c->connected(); }));
  HttpConnection client(port);
  const auto start = std::chrono::steady_clock::now();
  const auto answer = client.raw(kAmIUp, 3000);
  EXPECT_LT(ms_since(start), 1000) << "ms to answer";
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 503 "));
  EXPECT_THAT(answer, HasSubstr("too many connections"));
  EXPECT_THAT(sidecar.read_stderr(100ms), Not(HasSubstr("Too many open files")))
      << "the cap should engage before the descriptors run out";

  idle.clear();
  const auto up = am_i_up_within(port, 5s);
  EXPECT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.body, "OK");
}

}  // namespace
}  // namespace healthchecks
