#include "sidecar/log.hpp"

#include "sidecar/line_writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::sidecar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// 2024-05-01T12:00:00.123Z
const auto kWhen = std::chrono::system_clock::time_point(1714564800123ms);

StatusChange change(Level from, Level to, std::string details, std::string slug = "redis") {
  return StatusChange{slug, "Redis", from, to, Status{to, "Redis", std::move(details)}, kWhen};
}

CheckProblem problem(std::string details, std::string slug = "redis",
                     CheckProblem::Kind kind = CheckProblem::Kind::threw) {
  return CheckProblem{std::move(slug), "Redis", kind, std::move(details), kWhen};
}

// A clock the test moves, and a sink that keeps the lines.
struct Recorder {
  std::chrono::steady_clock::time_point now{};
  std::vector<std::string> lines;
  Logger logger(LogFormat format = LogFormat::text) {
    return Logger(
        LogOptions{format}, [this](std::string line) { lines.push_back(std::move(line)); },
        [this] { return now; });
  }
};

TEST(SidecarLog, TimeIsUtcIso8601WithMilliseconds) {
  EXPECT_EQ(log_time(kWhen), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(log_time(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(log_time(std::chrono::system_clock::time_point(1714564800999999us)),
            "2024-05-01T12:00:00.999Z");
}

TEST(SidecarLog, DetailsAreCutOnACharacterBoundary) {
  EXPECT_EQ(cut_details("short"), "short");
  const std::string exact(kLogDetailsLimit, 'x');
  EXPECT_EQ(cut_details(exact), exact);
  EXPECT_EQ(cut_details(std::string(1000, 'x')),
            std::string(kLogDetailsLimit, 'x') + "... (700 bytes more)");
  // "é" is two bytes; the limit falls between them: the whole character goes.
  const std::string accents = std::string(299, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(cut_details(accents), std::string(299, 'a') + "... (6 bytes more)");
}

TEST(SidecarLog, TextChangeLine) {
  EXPECT_EQ(format_change(LogFormat::text, change(Level::ok, Level::crit, "connect: refused")),
            "2024-05-01T12:00:00.123Z error redis: OK -> CRIT: connect: refused");
  EXPECT_EQ(format_change(LogFormat::text, change(Level::ok, Level::warn, "slow")),
            "2024-05-01T12:00:00.123Z warn redis: OK -> WARN: slow");
  EXPECT_EQ(format_change(LogFormat::text, change(Level::crit, Level::ok, "")),
            "2024-05-01T12:00:00.123Z info redis: CRIT -> OK");
}

TEST(SidecarLog, TextLinesStayOneLine) {
  // Details that try to start a line of their own, with bytes that are not UTF-8.
  const auto line = format_change(
      LogFormat::text, change(Level::ok, Level::crit,
                              "bad\n2024-05-01T12:00:00.000Z info db: CRIT -> OK\r\t\x01\xFF"));
  EXPECT_EQ(line,
            "2024-05-01T12:00:00.123Z error redis: OK -> CRIT: "
            "bad\\n2024-05-01T12:00:00.000Z info db: CRIT -> OK\\r\\t\\x01\xEF\xBF\xBD");
}

TEST(SidecarLog, TextChangeDetailsAreCut) {
  const auto line =
      format_change(LogFormat::text, change(Level::ok, Level::crit, std::string(5000, 'd')));
  EXPECT_THAT(line, HasSubstr(std::string(kLogDetailsLimit, 'd') + "... (4700 bytes more)"));
  EXPECT_LT(line.size(), 400u);
}

TEST(SidecarLog, JsonChangeLine) {
  const auto line =
      format_change(LogFormat::json, change(Level::ok, Level::crit, "line one\nline \"two\""));
  EXPECT_EQ(line, R"({"time":"2024-05-01T12:00:00.123Z","level":"error","event":"level_change",)"
                  R"("slug":"redis","name":"Redis","from":"OK","to":"CRIT",)"
                  R"("details":"line one\nline \"two\""})");
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["details"], "line one\nline \"two\"");
  EXPECT_EQ(parsed["level"], "error");
  EXPECT_EQ(nlohmann::json::parse(
                format_change(LogFormat::json, change(Level::crit, Level::ok, "")))["level"],
            "info");
  EXPECT_EQ(nlohmann::json::parse(
                format_change(LogFormat::json, change(Level::ok, Level::warn, "")))["level"],
            "warn");
}

TEST(SidecarLog, JsonLinesAreValidWhateverTheDetails) {
  const auto line = format_change(
      LogFormat::json,
      change(Level::ok, Level::crit, "\xFF\xFE not UTF-8 \x01" + std::string(1000, 'x')));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto parsed = nlohmann::json::parse(line);  // throws on invalid UTF-8
  EXPECT_THAT(parsed["details"].get<std::string>(), HasSubstr(" bytes more)"));
}

TEST(SidecarLog, ProblemLines) {
  EXPECT_EQ(format_problem(LogFormat::text, problem("check threw: boom")),
            "2024-05-01T12:00:00.123Z warn redis: check problem: check threw: boom");
  EXPECT_EQ(
      format_problem(LogFormat::json,
                     problem("timed out after 2000 ms", "db", CheckProblem::Kind::timed_out)),
      R"({"time":"2024-05-01T12:00:00.123Z","level":"warn","event":"check_problem",)"
      R"("slug":"db","name":"Redis","kind":"timed_out","details":"timed out after 2000 ms"})");
  const ProblemSummary summary{problem("check threw: boom"), 599, 60s};
  EXPECT_EQ(format_problem_summary(LogFormat::text, summary, kWhen),
            "2024-05-01T12:00:00.123Z warn redis: check problem: 599 more in the last 60 s; the "
            "last: check threw: boom");
  EXPECT_EQ(format_problem_summary(LogFormat::json, summary, kWhen),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"warn","event":"check_problem",)"
            R"("slug":"redis","name":"Redis","kind":"threw","details":"check threw: boom",)"
            R"("more":599,"seconds":60})");
}

TEST(SidecarLog, StartAndStopLines) {
  // Text: the lines the sidecar has always printed (tests and scripts wait for "serving").
  EXPECT_EQ(format_start(LogFormat::text, kWhen, "orders", "http://127.0.0.1:8080/status/", 3),
            "healthchecks-sidecar: serving 'orders' at http://127.0.0.1:8080/status/ (3 checks)");
  EXPECT_EQ(format_start(LogFormat::text, kWhen, "one", "http://127.0.0.1:1/status/", 1),
            "healthchecks-sidecar: serving 'one' at http://127.0.0.1:1/status/ (1 check)");
  EXPECT_EQ(format_stop(LogFormat::text, kWhen, "Terminated"),
            "healthchecks-sidecar: Terminated, stopping");
  // JSON: the URL is the first thing that reads "http://" (what a script looking for the port
  // finds first).
  const auto start =
      format_start(LogFormat::json, kWhen, "orders", "http://127.0.0.1:8080/status/", 3);
  EXPECT_THAT(start, StartsWith(R"({"time":"2024-05-01T12:00:00.123Z","level":"info",)"
                                R"("event":"start","url":"http://127.0.0.1:8080/status/",)"));
  const auto parsed = nlohmann::json::parse(start);
  EXPECT_EQ(parsed["id"], "orders");
  EXPECT_EQ(parsed["checks"], 3);
  EXPECT_EQ(parsed["message"], "serving 'orders' at http://127.0.0.1:8080/status/ (3 checks)");
  EXPECT_EQ(format_stop(LogFormat::json, kWhen, "Interrupt"),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"info","event":"stop",)"
            R"("reason":"Interrupt","message":"Interrupt, stopping"})");
  EXPECT_EQ(format_dropped(LogFormat::json, kWhen, 12),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"warn","event":"log_dropped",)"
            R"("lines":12})");
  EXPECT_THAT(format_dropped(LogFormat::text, kWhen, 12), HasSubstr("12 log lines dropped"));
}

TEST(SidecarLog, TlsReloadLines) {
  EXPECT_EQ(format_tls_reload(LogFormat::text, kWhen, ""),
            "2024-05-01T12:00:00.123Z info healthchecks-sidecar: SIGHUP: TLS files reloaded; new "
            "connections use them");
  EXPECT_EQ(format_tls_reload(LogFormat::text, kWhen, "tls: cert_file 'a.pem': bad\nline"),
            "2024-05-01T12:00:00.123Z warn healthchecks-sidecar: SIGHUP: TLS files not reloaded, "
            "the old ones stay: tls: cert_file 'a.pem': bad\\nline");
  EXPECT_EQ(format_tls_reload(LogFormat::json, kWhen, ""),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"info","event":"tls_reload",)"
            R"("error":"","message":"SIGHUP: TLS files reloaded; new connections use them"})");
  const auto failed =
      nlohmann::json::parse(format_tls_reload(LogFormat::json, kWhen, "tls: cert_file 'a.pem'"));
  EXPECT_EQ(failed["level"], "warn");
  EXPECT_EQ(failed["error"], "tls: cert_file 'a.pem'");
}

TEST(SidecarLog, DrainLines) {
  EXPECT_EQ(
      format_drain(LogFormat::text, kWhen, "Terminated", 15s),
      "2024-05-01T12:00:00.123Z info healthchecks-sidecar: Terminated, draining for 15000 ms: "
      "aggregate answers 503, am-i-up 200; SIGTERM or SIGINT again stops at once");
  EXPECT_EQ(
      format_drain(LogFormat::json, kWhen, "Terminated", 15s),
      R"({"time":"2024-05-01T12:00:00.123Z","level":"info","event":"drain",)"
      R"("reason":"Terminated","drainMs":15000,"message":"Terminated, draining for 15000 ms: )"
      R"(aggregate answers 503, am-i-up 200; SIGTERM or SIGINT again stops at once"})");
}

TEST(SidecarLogLimiter, FirstProblemThenOneSummaryPerPeriod) {
  ProblemLimiter limiter(60s);
  const std::chrono::steady_clock::time_point t0{};
  EXPECT_TRUE(limiter.offer(problem("threw 1"), t0));
  for (int i = 2; i <= 10; ++i) {
    EXPECT_TRUE(limiter.due(t0 + i * 100ms).empty());
    EXPECT_FALSE(limiter.offer(problem("threw " + std::to_string(i)), t0 + i * 100ms));
  }
  EXPECT_TRUE(limiter.due(t0 + 59s).empty());
  const auto summaries = limiter.due(t0 + 60s);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].count, 9u);
  EXPECT_EQ(summaries[0].last.details, "threw 10");
  EXPECT_EQ(summaries[0].over, 60s);
  // A new period began with the summary: what follows is counted again.
  EXPECT_FALSE(limiter.offer(problem("threw 11"), t0 + 61s));
  EXPECT_TRUE(limiter.due(t0 + 119s).empty());
  ASSERT_EQ(limiter.due(t0 + 120s).size(), 1u);
  // A whole quiet period: the next problem is logged at once.
  EXPECT_TRUE(limiter.due(t0 + 180s).empty());
  EXPECT_TRUE(limiter.offer(problem("threw again"), t0 + 181s));
}

TEST(SidecarLogLimiter, EachSlugHasItsOwnPeriod) {
  ProblemLimiter limiter(60s);
  const std::chrono::steady_clock::time_point t0{};
  EXPECT_TRUE(limiter.offer(problem("a", "a"), t0));
  EXPECT_TRUE(limiter.offer(problem("b", "b"), t0 + 1s));
  EXPECT_FALSE(limiter.offer(problem("a", "a"), t0 + 2s));
  EXPECT_TRUE(limiter.due(t0 + 60s + 500ms).size() == 1u);  // a's period; b's is not over
  const auto b = limiter.due(t0 + 61s);
  EXPECT_TRUE(b.empty());  // b had nothing more: no summary
  EXPECT_TRUE(limiter.offer(problem("b", "b"), t0 + 62s));
}

TEST(SidecarLogger, ChangesAreAllWrittenInOrder) {
  Recorder r;
  auto logger = r.logger();
  logger.change(change(Level::ok, Level::crit, "down"));
  logger.change(change(Level::crit, Level::ok, "up"));
  logger.change(change(Level::ok, Level::warn, "slow"));
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("redis: OK -> CRIT: down"), HasSubstr("redis: CRIT -> OK: up"),
                          HasSubstr("redis: OK -> WARN: slow")));
}

TEST(SidecarLogger, AProblemEveryTenthOfASecondIsOneLineAMinute) {
  Recorder r;
  auto logger = r.logger();
  for (int i = 0; i < 10; ++i) {
    logger.problem(problem("check threw: boom"));
    r.now += 100ms;
    logger.tick();
  }
  ASSERT_THAT(r.lines, ElementsAre("2024-05-01T12:00:00.123Z warn redis: check problem: check "
                                   "threw: boom"));
  for (int i = 10; i < 600; ++i) {
    logger.problem(problem("check threw: boom"));
    r.now += 100ms;
    logger.tick();
  }
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_THAT(r.lines[1], HasSubstr("warn redis: check problem: 599 more in the last 60 s; the "
                                    "last: check threw: boom"));
  logger.problem(problem("check threw: boom"));  // in the next period: counted
  // Another slug is not held back by this one.
  logger.problem(problem("timed out after 50 ms", "db", CheckProblem::Kind::timed_out));
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_THAT(r.lines[2], HasSubstr("db: check problem: timed out after 50 ms"));
  // It stopped: the count so far is told when the period is over, then nothing.
  r.now += 60s;
  logger.tick();
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_THAT(r.lines[3], HasSubstr("redis: check problem: 1 more in the last 60 s"));
  r.now += 120s;
  logger.tick();
  EXPECT_EQ(r.lines.size(), 4u);
}

TEST(SidecarLogger, JsonFormat) {
  Recorder r;
  auto logger = r.logger(LogFormat::json);
  logger.change(change(Level::ok, Level::crit, "down"));
  logger.problem(problem("check threw: boom"));
  logger.problem(problem("check threw: boom"));
  r.now += 60s;
  logger.tick();
  ASSERT_EQ(r.lines.size(), 3u);
  std::vector<std::string> events;
  for (const auto& line : r.lines) {
    events.push_back(nlohmann::json::parse(line)["event"].get<std::string>());
  }
  EXPECT_THAT(events, ElementsAre("level_change", "check_problem", "check_problem"));
  EXPECT_EQ(nlohmann::json::parse(r.lines[2])["more"], 1);
}

TEST(SidecarLogger, NothingIsWrittenAfterClose) {
  Recorder r;
  auto logger = r.logger();
  logger.close();
  logger.change(change(Level::ok, Level::crit, "down"));
  logger.problem(problem("boom"));
  logger.write("line");
  EXPECT_TRUE(r.lines.empty());
}

// The registry masks secrets before it tells its listeners; the log shows what it is told.
TEST(SidecarLogger, ASecretNeverReachesALine) {
  std::mutex mutex;
  std::vector<std::string> lines;
  auto logger = std::make_shared<Logger>(LogOptions{}, [&](std::string line) {
    std::lock_guard<std::mutex> lock(mutex);
    lines.push_back(std::move(line));
  });
  RegistryOptions options;
  options.secrets = {"s3cret-token-value"};
  options.on_change = [logger](const StatusChange& c) { logger->change(c); };
  options.on_problem = [logger](const CheckProblem& p) { logger->problem(p); };
  Registry registry(About{}, options);
  registry.add({"Billing", "billing", "internal",
                [] { return Status::crit("401 for Bearer s3cret-token-value"); }});
  registry.add({"Thrower", "thrower", "internal", []() -> bool {
                  throw std::runtime_error("cannot log in with s3cret-token-value");
                }});
  Router router(registry);
  (void)router.handle("GET", "/status/aggregate");
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(lines.size(), 3u);  // two changes, one problem
  for (const auto& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("s3cret"))) << line;
    EXPECT_THAT(line, HasSubstr("***")) << line;
  }
}

TEST(SidecarLogger, MasksSecretsAnywhereInAnEvent) {
  EXPECT_EQ(mask("a s3cret-value b s3cret-value", {"s3cret-value", "ab"}), "a *** b ***");
  Recorder r;
  auto logger = r.logger(LogFormat::json);
  logger.mask_secrets({"s3cret-value"});
  auto c = change(Level::ok, Level::crit, "login s3cret-value");
  c.name = "DB (s3cret-value)";
  logger.change(c);
  auto p = problem("threw s3cret-value");
  p.name = "DB (s3cret-value)";
  logger.problem(p);
  ASSERT_EQ(r.lines.size(), 2u);
  for (const auto& line : r.lines) {
    EXPECT_THAT(line, Not(HasSubstr("s3cret"))) << line;
    EXPECT_THAT(line, HasSubstr(R"x("name":"DB (***)")x")) << line;
  }
}

// The "log" key is read with the rest of the config.
std::string error_of(const std::string& log) {
  try {
    (void)parse_config(R"({"log": )" + log + "}", "svc.json", "");
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "config");
    return e.what();
  }
  return "no error";
}

LogFormat format_of(const std::string& config) {
  return parse_config(config, "svc.json", "").log.format;
}

TEST(SidecarLogOptions, ReadsTheFormat) {
  EXPECT_EQ(format_of("{}"), LogFormat::text);
  EXPECT_EQ(format_of(R"({"log": {"format": "json"}})"), LogFormat::json);
  EXPECT_EQ(format_of(R"({"log": {"format": "text"}})"), LogFormat::text);
  EXPECT_EQ(format_of(R"({"log": {}})"), LogFormat::text);
}

TEST(SidecarLogOptions, MistakesNameTheKey) {
  EXPECT_EQ(error_of(R"({"format": "xml"})"),
            R"(config: svc.json: key 'log.format': expected "text" or "json", found "xml")");
  EXPECT_EQ(error_of(R"({"format": 1})"),
            "config: svc.json: key 'log.format': expected a string, found number 1");
  EXPECT_EQ(error_of(R"({"level": "debug"})"),
            "config: svc.json: key 'log.level': unknown key (known here: format)");
  EXPECT_EQ(
      error_of(R"("json")"),
      R"(config: svc.json: key 'log': expected an object {"format": "text"}, found string "json")");
}

// A pipe the test reads from.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
  }
  std::string read_for(std::chrono::milliseconds time) {
    std::string text;
    const auto end = std::chrono::steady_clock::now() + time;
    while (std::chrono::steady_clock::now() < end) {
      pollfd fd{fds[0], POLLIN, 0};
      if (poll(&fd, 1, 20) <= 0) continue;
      char buffer[4096];
      const auto n = read(fds[0], buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
  }
};

TEST(SidecarLineWriter, HoldsLinesUntilTheFirstOneIsWritten) {
  Pipe out;
  LineWriter writer(out.fds[1], 100, {});
  writer.start();
  writer.push("early 1");
  writer.push("early 2");
  EXPECT_EQ(out.read_for(100ms), "");
  writer.release("serving");
  writer.push("later");
  EXPECT_EQ(out.read_for(200ms), "serving\nearly 1\nearly 2\nlater\n");
  writer.stop();
  writer.push("after stop");
  EXPECT_EQ(out.read_for(50ms), "");
}

TEST(SidecarLineWriter, DropsBeyondItsQueueAndSaysSo) {
  Pipe out;
  LineWriter writer(out.fds[1], 3, [](std::uint64_t n) { return std::to_string(n) + " dropped"; });
  writer.start();
  for (int i = 1; i <= 5; ++i) writer.push("line " + std::to_string(i));
  writer.release("first");  // not counted against the queue
  EXPECT_EQ(out.read_for(200ms), "first\nline 1\nline 2\nline 3\n2 dropped\n");
}

TEST(SidecarLineWriter, AReaderThatStoppedReadingDoesNotHoldUpTheStop) {
  Pipe out;  // nobody reads it: 64 KiB fill it
  LineWriter writer(out.fds[1], 100000, {});
  writer.start();
  writer.release("first");
  for (int i = 0; i < 2000; ++i) writer.push(std::string(100, 'x'));  // returns at once
  const auto start = std::chrono::steady_clock::now();
  writer.stop(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SidecarLineWriter, AClosedReaderIsNotFatal) {
  Pipe out;
  close(out.fds[0]);
  out.fds[0] = -1;
  LineWriter writer(out.fds[1], 100, {});
  writer.start();
  writer.release("first");  // EPIPE on this thread, not SIGPIPE for the process
  writer.push("second");
  writer.stop();
  SUCCEED();
}

TEST(SidecarLineWriter, TicksOnItsThread) {
  Pipe out;
  LineWriter writer(out.fds[1], 100, {});
  std::atomic<int> ticks{0};
  writer.start([&] { ++ticks; }, 10ms);
  std::this_thread::sleep_for(200ms);
  writer.stop();
  EXPECT_GE(ticks.load(), 3);
}

}  // namespace
}  // namespace healthchecks::sidecar
