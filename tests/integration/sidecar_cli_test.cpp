// The sidecar's command line (--check, --version, --help, usage errors) and its log: what a
// real process prints when its dependencies change level or its checks misbehave.
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/version.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::http_get;
using ::testing::Not;
using testing::Process;
using ::testing::StartsWith;
using testing::TempDir;
using testing::wait_until_serving;
using namespace std::chrono_literals;

// What a finished run printed.
struct Run {
  std::optional<int> code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), HEALTHCHECKS_SIDECAR_PATH);
  Process process(args);
  Run result;
  result.code = process.wait();
  while (auto line = process.read_line(1s)) result.out += *line + "\n";
  result.err = process.read_stderr(1s);
  return result;
}

// Every line the process writes on standard output for `time`.
std::vector<std::string> lines_for(Process& process, std::chrono::milliseconds time) {
  std::vector<std::string> lines;
  const auto end = std::chrono::steady_clock::now() + time;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto line = process.read_line(left);
    if (!line) break;
    lines.push_back(*line);
  }
  return lines;
}

std::vector<std::string> mentioning(const std::vector<std::string>& lines,
                                    const std::string& text) {
  std::vector<std::string> found;
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) found.push_back(line);
  }
  return found;
}

// An environment variable set for the processes a test starts.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

// The sidecar accepts "log" once the config reader knows the key (tests of the JSON format
// through a real process wait for it).
// ---------------------------------------------------------------------------------------------
// --check

TEST(SidecarCli, CheckAcceptsAGoodConfigWithoutRunningItsChecks) {
  TempDir dir;
  dir.write("about.json", R"({"id": "orders", "summary": "Orders", "maintainers": ["a@b"]})");
  dir.write("version.txt", "1.2.3\n");
  const auto marker = dir.path() + "/ran";
  const auto path = dir.write("svc.json", R"({"listen": "127.0.0.1:0",
    "aboutFile": "about.json", "versionFile": "version.txt",
    "checks": [
      {"name": "DB", "slug": "db", "check": "static"},
      {"name": "Plugin", "slug": "plugin", "check": "command", "intervalMs": 10,
       "argv": ["/bin/sh", "-c", "touch )" + marker +
                                              R"("]},
      {"name": "Cache", "slug": "cache", "check": "redis", "port": 1}]})");
  const auto result = run({"--check", path});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, path + ": OK, 3 checks\n");
  EXPECT_EQ(result.err, "");
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(std::ifstream(marker).good()) << "--check ran a check";

  const auto one = run({"--check=" + dir.write("one.json", R"({"checks": [
    {"name": "DB", "slug": "db", "check": "static"}]})")});
  EXPECT_EQ(one.code, 0);
  EXPECT_THAT(one.out, HasSubstr(": OK, 1 check\n"));
}

TEST(SidecarCli, CheckFailsWithTheErrorServingWouldPrint) {
  TempDir dir;
  const auto path = dir.write(
      "bad.json", R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": 5}]})");
  const auto checked = run({"--check", path});
  EXPECT_EQ(checked.code, 2);
  EXPECT_EQ(checked.out, "");
  EXPECT_EQ(checked.err, "healthchecks-sidecar: config: " + path +
                             ": key 'checks[0].url': expected a string, found number 5\n");
  const auto served = run({"--config", path});
  EXPECT_EQ(served.code, 2);
  EXPECT_EQ(served.err, checked.err);
}

TEST(SidecarCli, CheckNamesAnUnknownKey) {
  TempDir dir;
  const auto path = dir.write("bad.json", R"({"listen": "127.0.0.1:0", "treads": 2})");
  const auto result = run({"--check", path});
  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err,
              StartsWith("healthchecks-sidecar: config: " + path + ": key 'treads': unknown key"));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
}

TEST(SidecarCli, CheckFailsWhenTheAboutFileIsMissing) {
  TempDir dir;
  const auto path = dir.write("svc.json", R"({"aboutFile": "missing-about.json"})");
  const auto result = run({"--check", path});
  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err,
              AllOf(StartsWith("healthchecks-sidecar: "), HasSubstr("missing-about.json")));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
}

TEST(SidecarCli, CheckFailsOnARegistrationError) {
  TempDir dir;
  const auto path = dir.write("svc.json", R"({"checks": [
    {"name": "A", "slug": "db", "check": "static"},
    {"name": "B", "slug": "db", "check": "static"}]})");
  const auto result = run({"--check", path});
  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.err, HasSubstr("key 'checks[1]': slug 'db' is registered twice"));
}

TEST(SidecarCli, CheckListsTheEnvironmentAndRequiresItOnlyWhenAsked) {
  TempDir dir;
  const ScopedEnv set("HC_CLI_TEST_VERSION", "4.5.6");
  unsetenv("HC_CLI_TEST_REDIS_PASSWORD");
  const auto path = dir.write("svc.json", R"({"version": "${HC_CLI_TEST_VERSION}",
    "checks": [{"name": "Cache", "slug": "cache", "check": "redis", "port": 1,
                "password": "${HC_CLI_TEST_REDIS_PASSWORD}"}]})");
  const auto lenient = run({"--check", path});
  EXPECT_EQ(lenient.code, 0) << lenient.err;
  EXPECT_EQ(lenient.out, path +
                             ": OK, 1 check; environment: HC_CLI_TEST_VERSION, "
                             "HC_CLI_TEST_REDIS_PASSWORD (not set here)\n");

  const auto strict = run({"--check", path, "--require-env"});
  EXPECT_EQ(strict.code, 2);
  EXPECT_THAT(strict.err, HasSubstr("HC_CLI_TEST_REDIS_PASSWORD is not set"));
  EXPECT_EQ(std::count(strict.err.begin(), strict.err.end(), '\n'), 1);
  // Serving always requires them.
  const auto served = run({"--config", path});
  EXPECT_EQ(served.code, 2);
  EXPECT_EQ(served.err, strict.err);

  const ScopedEnv password("HC_CLI_TEST_REDIS_PASSWORD", "hunter2-hunter2");
  const auto complete = run({"--require-env", "--check", path});
  EXPECT_EQ(complete.code, 0) << complete.err;
  EXPECT_EQ(complete.out, path +
                              ": OK, 1 check; environment: HC_CLI_TEST_VERSION, "
                              "HC_CLI_TEST_REDIS_PASSWORD\n");
  EXPECT_THAT(complete.out, Not(HasSubstr("hunter2")));
}

// ---------------------------------------------------------------------------------------------
// --version, --help, usage errors

TEST(SidecarCli, Version) {
  const auto result = run({"--version"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.out, "healthchecks-sidecar " HEALTHCHECKS_VERSION_STRING "\n");
}

TEST(SidecarCli, HelpListsTheCheckKindsAndTheTopLevelKeys) {
  const auto result = run({"--help"});
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.err, "");
  EXPECT_THAT(result.out, StartsWith("usage: healthchecks-sidecar --config FILE\n"));
  for (const char* option : {"--config FILE", "--check FILE", "--require-env", "--version"}) {
    EXPECT_THAT(result.out, HasSubstr(option));
  }
  for (const char* kind : {"static", "http", "tcp", "redis", "memcached", "postgres", "disk",
                           "self", "command", "tlsCert"}) {
    EXPECT_TRUE(std::regex_search(result.out, std::regex(std::string("\n  ") + kind + " ")))
        << kind;
  }
  for (const char* key : {"listen", "threads", "about", "aboutFile", "version", "versionFile",
                          "checks", "statusCodes", "defaultTimeoutMs", "firstResult", "history",
                          "access", "dashboard", "maxConnections", "log", "tls"}) {
    EXPECT_TRUE(std::regex_search(result.out, std::regex(std::string("[ ,]") + key + "[,\n]")))
        << key;
  }
  EXPECT_EQ(run({"-h"}).out, result.out);
}

TEST(SidecarCli, UsageErrorsExitWith2AndOneLinePlusUsage) {
  const auto help = run({"--help"}).out;
  const auto usage = help.substr(0, help.find("\n\n") + 1);
  ASSERT_THAT(usage, StartsWith("usage: "));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "--config FILE is required"},
      {{"--bogus"}, "unknown argument '--bogus'"},
      {{"--check"}, "--check needs a FILE"},
      {{"--config"}, "--config needs a FILE"},
      {{"--require-env"}, "--require-env goes with --check FILE"},
      {{"--config", "a.json", "--check", "b.json"}, "give --config FILE or --check FILE"},
      {{"--check", "a.json", "--check", "b.json"}, "--check is given twice"},
  };
  for (const auto& [args, message] : cases) {
    const auto result = run(args);
    EXPECT_EQ(result.code, 2) << message;
    EXPECT_EQ(result.out, "") << message;
    EXPECT_THAT(result.err, StartsWith("healthchecks-sidecar: " + message)) << message;
    const auto first_line = result.err.find('\n');
    EXPECT_EQ(result.err.substr(first_line + 1), usage) << message;
  }
}

// ---------------------------------------------------------------------------------------------
// The log

// "2024-05-01T12:00:00.123Z error flap: OK -> CRIT"
const std::regex kChange(
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z (info|warn|error) "
    "([a-z]+): (OK|WARN|CRIT) -> (OK|WARN|CRIT)(: .*)?");

// The background checks below answer at once: a first result that comes before
// start_background() has installed its timer once lost the refresh chain (9 runs in 30), which
// these tests caught.
TEST(SidecarLogLines, AFlappingCheckWritesExactlyItsTransitions) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0", "history": {"size": 50},
    "checks": [
      {"name": "Flapping", "slug": "flap", "check": "static", "intervalMs": 100,
       "cycle": ["OK", "CRIT", "OK", "WARN"], "details": "cycling"},
      {"name": "Steady", "slug": "steady", "check": "static", "intervalMs": 100}]})")});
  const auto port = wait_until_serving(sidecar);
  const auto lines = lines_for(sidecar, 1100ms);

  // OK first (no change), then CRIT, OK, WARN, OK, CRIT ...
  const std::vector<std::string> expected_levels = {"CRIT", "OK", "WARN", "OK"};
  std::string from = "OK";
  std::size_t transitions = 0;
  for (const auto& line : mentioning(lines, "flap")) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, kChange)) << line;
    EXPECT_EQ(match[2], "flap");
    const std::string to = expected_levels[transitions % expected_levels.size()];
    EXPECT_EQ(match[3], from) << line;
    EXPECT_EQ(match[4], to) << line;
    EXPECT_EQ(match[1], to == "OK" ? "info" : to == "WARN" ? "warn" : "error") << line;
    EXPECT_EQ(match[5], ": cycling") << line;
    from = to;
    ++transitions;
  }
  EXPECT_GE(transitions, 6u) << "in 1.1 s at 100 ms";
  EXPECT_LE(transitions, 13u);
  EXPECT_THAT(mentioning(lines, "steady"), ElementsAre());
  EXPECT_EQ(lines.size(), transitions) << "nothing but the transitions";

  // The history the config asked for is kept as well.
  const auto about = nlohmann::json::parse(http_get(port, "/status/about").body);
  EXPECT_GE(about["customData"]["statusChanges"].size(), transitions);

  sidecar.kill(SIGTERM);
  EXPECT_EQ(sidecar.wait(5s), 0);
  const auto rest = lines_for(sidecar, 1000ms);
  ASSERT_FALSE(rest.empty());
  EXPECT_THAT(rest, ::testing::Contains("healthchecks-sidecar: Terminated, stopping"));
}

TEST(SidecarLogLines, ACheckThatThrowsEveryTimeIsLoggedOnceNotTenTimes) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "Broken", "slug": "broken", "check": "static", "intervalMs": 100,
                "throws": "boom"}]})")});
  const auto port = wait_until_serving(sidecar);
  const auto lines = lines_for(sidecar, 1100ms);
  // It kept throwing all along (its last result is recent), and said so once.
  const auto about = nlohmann::json::parse(http_get(port, "/status/v2/about").body);
  EXPECT_LT(about["dependencies"][0]["statusAge"].get<double>(), 0.5) << about.dump();
  EXPECT_THAT(mentioning(lines, "broken: check problem:"),
              ElementsAre(::testing::EndsWith(" warn broken: check problem: check threw: boom")));
  EXPECT_THAT(mentioning(lines, "broken: OK -> CRIT"),
              ElementsAre(::testing::EndsWith(" error broken: OK -> CRIT: check threw: boom")));
  EXPECT_EQ(lines.size(), 2u);
}

TEST(SidecarLogLines, ATimeOutIsAProblemToo) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "Slow", "slug": "slow", "check": "static", "intervalMs": 100,
                "delayMs": 200, "timeoutMs": 50}]})")});
  wait_until_serving(sidecar);
  const auto lines = lines_for(sidecar, 800ms);
  EXPECT_THAT(mentioning(lines, "slow: check problem:"),
              ElementsAre(::testing::EndsWith("slow: check problem: timed out after 50 ms")));
}

// A value from the environment is a secret: the log shows what the registry shows, "***".
TEST(SidecarLogLines, NeverShowsASecret) {
  TempDir dir;
  const ScopedEnv secret("HC_CLI_TEST_SECRET", "pa55word-from-env");
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "checks": [{"name": "Db", "slug": "db", "check": "static", "result": "CRIT",
                "intervalMs": 100, "details": "login with ${HC_CLI_TEST_SECRET} refused"}]})")});
  wait_until_serving(sidecar);
  const auto lines = lines_for(sidecar, 500ms);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("error db: OK -> CRIT: login with *** refused"));
}

TEST(SidecarLogLines, JsonLinesForLogShippers) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0", "log": {"format": "json"}, "about": {"id": "svc"},
    "checks": [
      {"name": "Flapping", "slug": "flap", "check": "static", "intervalMs": 100,
       "cycle": ["OK", "CRIT"]},
      {"name": "Broken", "slug": "broken", "check": "static", "intervalMs": 100,
       "throws": "boom"}]})")});
  const auto port = wait_until_serving(sidecar);  // reads the start line's "url"
  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  auto lines = lines_for(sidecar, 700ms);
  sidecar.kill(SIGTERM);
  EXPECT_EQ(sidecar.wait(5s), 0);
  for (const auto& line : lines_for(sidecar, 500ms)) lines.push_back(line);

  std::size_t changes = 0;
  std::size_t problems = 0;
  for (const auto& line : lines) {
    const auto entry = nlohmann::json::parse(line);  // every line is JSON
    ASSERT_TRUE(std::regex_match(entry["time"].get<std::string>(),
                                 std::regex("[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z")));
    const auto event = entry["event"].get<std::string>();
    if (event == "level_change" && entry["slug"] == "flap") ++changes;
    if (event == "check_problem") {
      ++problems;
      EXPECT_EQ(entry["slug"], "broken");
      EXPECT_EQ(entry["kind"], "threw");
      EXPECT_EQ(entry["details"], "check threw: boom");
    }
  }
  EXPECT_GE(changes, 4u);
  EXPECT_EQ(problems, 1u);
  EXPECT_EQ(nlohmann::json::parse(lines.back())["event"], "stop");
}

}  // namespace
}  // namespace healthchecks
