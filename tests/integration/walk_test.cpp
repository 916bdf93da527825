// healthchecks-walk against real sidecars on loopback ports: the demo graph (a shared
// dependency), a cycle, dead, hung and garbage services, a token-protected graph, and the
// outputs read by their tools (dot renders the Graphviz text).
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_peer.hpp"
#include "support/nginx.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using testing::FakePeer;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Process;
using ::testing::StartsWith;
using testing::TempDir;
using testing::wait_until_serving;

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

Run walk(std::vector<std::string> args) {
  args.insert(args.begin(), HEALTHCHECKS_WALK_PATH);
  const auto started = std::chrono::steady_clock::now();
  Process process(args);
  Run run;
  while (auto line = process.read_line(std::chrono::seconds(30))) run.out += *line + "\n";
  run.err = process.read_stderr();
  run.exit_code = process.wait(std::chrono::seconds(30)).value_or(-1);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

std::string url(unsigned short port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

std::string about(const std::string& id) {
  return R"("about": {"id": ")" + id + R"(", "summary": "Service )" + id + R"("})";
}

std::string peer(const std::string& slug, const std::string& target,
                 const std::string& extra = "") {
  return R"({"name": "Service )" + slug + R"(", "slug": ")" + slug +
         R"(", "check": "http", "traversable": true, "url": ")" + target + "\"" + extra + "}";
}

std::string leaf(const std::string& slug, const std::string& result = "OK",
                 const std::string& details = "") {
  return R"({"name": ")" + slug + R"(", "slug": ")" + slug +
         R"(", "check": "static", "result": ")" + result + R"(", "details": ")" + details + "\"}";
}

std::string config(const std::string& id, const std::vector<std::string>& checks,
                   unsigned short port = 0, const std::string& extra = "") {
  std::string text = R"({"listen": "127.0.0.1:)" + std::to_string(port) + "\", " + about(id) +
                     extra + R"(, "checks": [)";
  for (std::size_t i = 0; i < checks.size(); ++i) text += (i ? ", " : "") + checks[i];
  return text + "]}";
}

class Sidecars {
 public:
  unsigned short start(const std::string& name, const std::string& text) {
    processes_.push_back(std::make_unique<Process>(std::vector<std::string>{
        HEALTHCHECKS_SIDECAR_PATH, "--config", dir_.write(name + ".json", text)}));
    return wait_until_serving(*processes_.back());
  }
  void stop(std::size_t index) {
    processes_[index]->kill(SIGTERM);
    processes_[index]->wait();
  }

 private:
  TempDir dir_;
  std::vector<std::unique_ptr<Process>> processes_;
};

// The demo graph: app -> service-1, app -> service-2 -> service-1 (shared), each with a leaf.
class WalkDemoGraph : public ::testing::Test {
 protected:
  void start(const std::string& mongo = "OK", const std::string& redis = "OK") {
    port1_ =
        sidecars_.start("service-1", config("service-1", {leaf("mongo", mongo, "mongo down")}));
    port2_ = sidecars_.start("service-2", config("service-2", {leaf("redis", redis, "slow redis"),
                                                               peer("1", url(port1_))}));
    port_ = sidecars_.start(
        "app", config("app", {leaf("db"), peer("1", url(port1_)), peer("2", url(port2_))}));
  }

  Sidecars sidecars_;
  unsigned short port1_ = 0, port2_ = 0, port_ = 0;
};

TEST_F(WalkDemoGraph, TreeOfThreeServices) {
  start();
  const auto run = walk({url(port_)});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, StartsWith("Service app (app) at " + url(port_) + "/status: OK\n"));
  EXPECT_THAT(run.out, HasSubstr("\u251c\u2500\u2500 OK    db [db] "));
  EXPECT_THAT(run.out, HasSubstr("\u2502   \u2514\u2500\u2500 OK    mongo [mongo] "));
  EXPECT_THAT(run.out, HasSubstr("(shown above)")) << "service-1 is shown once";
  EXPECT_THAT(run.out, HasSubstr("walked 3 services, 6 dependencies with 4 requests in "));
  EXPECT_THAT(run.out, Not(HasSubstr("\x1b"))) << "no colour when not a terminal";
  EXPECT_EQ(run.err, "") << "no progress line when stderr is not a terminal";
}

TEST_F(WalkDemoGraph, JsonSharedDependencyWalkedOnce) {
  start();
  const auto run = walk({"--json", url(port_) + "/status"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["level"], "OK");
  EXPECT_EQ(json["url"], url(port_) + "/status");
  // Edges app->1, app->2, 2->1 are traversable: three traversals and the root's About.
  EXPECT_EQ(json["traversableEdges"], 3);
  EXPECT_EQ(json["requests"], 4);
  int services = 0;
  for (const auto& node : json["nodes"]) {
    if (node["state"] == "walked") {
      ++services;
      EXPECT_EQ(node["about"]["protocol"], "http");
    }
  }
  EXPECT_EQ(services, 3);
  EXPECT_EQ(json["edges"].size(), 6u);
  for (const auto& edge : json["edges"]) {
    for (const char* key : {"from", "to", "slug", "name", "type", "level", "duration", "details"}) {
      EXPECT_TRUE(edge.contains(key)) << key;
    }
  }
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

TEST_F(WalkDemoGraph, DotOutputRendersWithGraphviz) {
  start("CRIT");
  const auto dot = find_in_path("dot");
  ASSERT_FALSE(dot.empty()) << "Graphviz's dot is not installed: apt-get install graphviz";
  const auto run = walk({"--dot", url(port_)});
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_THAT(run.out, StartsWith("digraph healthchecks {"));
  TempDir dir;
  const auto input = dir.write("walk.dot", run.out);
  Process render({dot, "-Tsvg", "-o", dir.path() + "/walk.svg", input});
  EXPECT_EQ(render.wait(), 0) << render.read_stderr();
  EXPECT_EQ(render.read_stderr(), "") << "no warning from dot";
  std::ifstream file(dir.path() + "/walk.svg");
  const std::string svg((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("mongo [mongo]"));
}

TEST_F(WalkDemoGraph, MermaidFlowchart) {
  start("OK", "WARN");
  const auto run = walk({"--mermaid", url(port_)});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, StartsWith("flowchart LR\n  n0[\"Service app<br/>app\"]\n"));
  EXPECT_THAT(run.out, HasSubstr("classDef warn"));
  EXPECT_THAT(run.out, HasSubstr("class n0 warn"));
}

TEST_F(WalkDemoGraph, CritLeafIsTheRootCauseNotTheServicesAboveIt) {
  start("CRIT");
  const auto run = walk({url(port_)});
  EXPECT_EQ(run.exit_code, 2);
  const auto summary = run.out.substr(run.out.find("likely root causes:"));
  EXPECT_THAT(summary, StartsWith("likely root causes:\n  CRIT  mongo [mongo]: mongo down\n"
                                  "        seen from: Service service-1\n"));
  EXPECT_THAT(summary, Not(HasSubstr("Service 1 [1]")));
  EXPECT_THAT(summary, Not(HasSubstr("Service 2 [2]")));
}

TEST_F(WalkDemoGraph, DeadSharedServiceIsNamedOnceWithWhereItWasSeen) {
  start();
  sidecars_.stop(0);  // service-1
  const auto run = walk({"--json", url(port_)});
  EXPECT_EQ(run.exit_code, 2);
  const auto json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json["rootCauses"].size(), 1u) << json["rootCauses"].dump();
  const auto& cause = json["rootCauses"][0];
  EXPECT_EQ(cause["slug"], "1");
  EXPECT_THAT(cause["details"].get<std::string>(), HasSubstr("Connection refused"));
  EXPECT_EQ(cause["seenFrom"].size(), 2u);
  ASSERT_EQ(json["unreachable"].size(), 1u);
  EXPECT_THAT(json["unreachable"][0]["reason"].get<std::string>(), HasSubstr("Connection refused"));
}

TEST_F(WalkDemoGraph, WatchPrintsTheTreeThenOnlyChangesUntilSigint) {
  start();
  Process watch({HEALTHCHECKS_WALK_PATH, "--watch", "0.2", url(port_)});
  std::string first;
  while (auto line = watch.read_line()) {
    first += *line + "\n";
    if (line->rfind("walked ", 0) == 0) break;
  }
  EXPECT_THAT(first, HasSubstr("walked 3 services"));
  sidecars_.stop(0);
  std::string change;
  for (int i = 0; i < 20 && change.find("OK -> CRIT") == std::string::npos; ++i) {
    const auto line = watch.read_line(std::chrono::seconds(5));
    if (!line) break;
    change += *line + "\n";
  }
  EXPECT_THAT(change, ::testing::ContainsRegex(
                          "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z  Service app > Service 1 \\[1\\]: "
                          "OK -> CRIT"));
  EXPECT_THAT(change, Not(HasSubstr("db [db]"))) << "only what changed";
  watch.kill(SIGINT);
  EXPECT_EQ(watch.wait(), 0);
}

TEST(Walk, ExitCodesForUsageAndUnreachableRoot) {
  EXPECT_EQ(walk({"--help"}).exit_code, 0);
  EXPECT_THAT(walk({"--help"}).out, HasSubstr("usage: healthchecks-walk"));
  const auto bad = walk({"ftp://127.0.0.1:1"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_EQ(bad.err,
            "healthchecks-walk: bad URL: 'ftp://127.0.0.1:1': scheme 'ftp' is not supported; only "
            "http:// and https:// are (see --help)\n");
  EXPECT_EQ(walk({"--parallel", "0", "http://127.0.0.1:1"}).exit_code, 64);
  const auto dead = walk({url(testing::free_port())});
  EXPECT_EQ(dead.exit_code, 3);
  EXPECT_THAT(dead.out, HasSubstr("not reached: "));
  EXPECT_THAT(dead.out, HasSubstr("Connection refused"));
}

TEST(Walk, RootThatNeverAnswersEndsAtTheDeadlineWithExit3) {
  testing::SilentServer hung;
  const auto run = walk({"--timeout", "1", url(hung.port())});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  // The request starts a moment after the walk does, so it waited up to the walk's 1000 ms
  // (999 on a slow machine: the sanitizer builds).
  EXPECT_THAT(run.out, ::testing::ContainsRegex("timed out after (9[0-9][0-9]|1000) ms"));
  EXPECT_LT(run.seconds, 3.5);
}

// A walk slower than a second shows its progress on a terminal's stderr, and nowhere else:
// `script` gives the walker a pseudo-terminal.
TEST(Walk, ProgressLineOnATerminalOnly) {
  testing::SilentServer hung;
  const std::string command =
      std::string(HEALTHCHECKS_WALK_PATH) + " --timeout 1.6 " + url(hung.port());
  ASSERT_EQ(access("/usr/bin/script", X_OK), 0)
      << "script(1) gives the walker a pseudo-terminal: apt-get install bsdutils";
  Process process({"/usr/bin/script", "-q", "-e", "-c", command, "/dev/null"});
  std::string screen;
  while (auto line = process.read_line(std::chrono::seconds(10))) screen += *line + "\n";
  const auto err = process.read_stderr();
  process.wait(std::chrono::seconds(10));
  EXPECT_THAT(screen, HasSubstr("walking: 0 services, 1 requests in flight")) << screen << err;
  EXPECT_THAT(screen, HasSubstr("\r\x1b[K")) << "the progress line is cleared at the end";

  const auto piped = walk({"--timeout", "1.6", url(hung.port())});
  EXPECT_THAT(piped.err, Not(HasSubstr("walking:")));
  EXPECT_THAT(piped.out, Not(HasSubstr("walking:")));
}

TEST(Walk, CycleIsWalkedOnce) {
  Sidecars sidecars;
  const auto port_a = testing::free_port();
  const auto port_b = testing::free_port();
  sidecars.start("b", config("b", {leaf("disk"), peer("a", url(port_a))}, port_b));
  sidecars.start("a", config("a", {peer("b", url(port_b))}, port_a));
  const auto run = walk({"--json", url(port_a)});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["requests"], 3) << "a's About, a->b and b->a: a is not walked again";
  EXPECT_EQ(json["nodes"].size(), 3u);
  const auto tree = walk({url(port_a)});
  EXPECT_THAT(tree.out, HasSubstr("Service a [a] ")) << tree.out;
  EXPECT_THAT(tree.out, HasSubstr("(shown above)"));
}

TEST(Walk, DeadHungGarbageAndHugeServicesReadCritWithinTheDeadline) {
  testing::SilentServer hung;
  FakePeer garbage;
  garbage.reply({200, "application/json", "<html>not json\x01"});
  FakePeer huge;
  huge.reply({200, "application/json", "\"" + std::string(5 * 1024 * 1024, 'x') + "\""});
  Sidecars sidecars;
  const std::string quick = R"(, "timeoutMs": 500)";
  const auto port = sidecars.start(
      "root",
      config("root", {leaf("db"), peer("dead", url(testing::free_port()), quick),
                      peer("hung", url(hung.port()), quick), peer("garbage", garbage.url(), quick),
                      peer("huge", huge.url(), quick)}));
  const auto run = walk({"--json", "--timeout", "4", url(port)});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_LT(run.seconds, 6.5) << "never past the deadline";
  const auto json = nlohmann::json::parse(run.out);
  std::map<std::string, std::string> reasons;
  for (const auto& item : json["unreachable"]) {
    reasons[item["path"][0].get<std::string>()] = item["reason"].get<std::string>();
  }
  EXPECT_THAT(reasons["dead"], HasSubstr("Connection refused"));
  EXPECT_THAT(reasons["hung"], HasSubstr("timed out"));
  EXPECT_THAT(reasons["garbage"], HasSubstr("not valid JSON"));
  EXPECT_FALSE(reasons["huge"].empty());
  EXPECT_EQ(json["rootCauses"].size(), 4u) << json["rootCauses"].dump();
  for (const auto& edge : json["edges"]) {
    if (edge["slug"] != "db") {
      EXPECT_EQ(edge["level"], "CRIT") << edge.dump();
    }
  }
}

class WalkTokenGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("WALK_A_TOKEN", "walk-token-of-a-0123456789", 1);
    setenv("WALK_B_TOKEN", "walk-token-of-b-0123456789", 1);
    const auto b = sidecars_.start("b", config("b", {leaf("disk", "WARN", "disk 85% full")}, 0,
                                               R"(, "access": {"token": "${WALK_B_TOKEN}"})"));
    port_ = sidecars_.start(
        "a",
        config("a",
               {peer("b", url(b), R"(, "headers": {"Authorization": "Bearer ${WALK_B_TOKEN}"})")},
               0, R"(, "access": {"token": "${WALK_A_TOKEN}"})"));
  }
  Sidecars sidecars_;
  unsigned short port_ = 0;
};

TEST_F(WalkTokenGraph, WithoutATokenLevelsAndWhereATokenIsNeeded) {
  const auto run = walk({url(port_)});
  EXPECT_EQ(run.exit_code, 1) << "levels come from the redacted About";
  EXPECT_THAT(run.out, HasSubstr("WARN  Service b [b] "));
  EXPECT_THAT(run.out, HasSubstr("details need a token (--header)"));
  EXPECT_THAT(run.out, Not(HasSubstr("disk 85% full")));
}

TEST_F(WalkTokenGraph, WithTheTokenFromTheEnvironmentDetailsAtEveryLevel) {
  setenv("WALK_HEADER", "Authorization: Bearer walk-token-of-a-0123456789", 1);
  const auto run = walk({"--header-env", "WALK_HEADER", url(port_)});
  unsetenv("WALK_HEADER");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("WARN  disk [disk] "));
  EXPECT_THAT(run.out, HasSubstr("disk 85% full"));
  EXPECT_THAT(run.out, Not(HasSubstr("need a token")));
  EXPECT_THAT(run.out, Not(HasSubstr("walk-token-of")));
}

// An https root (nginx answering a fixed About, no dependencies): verified against --cacert,
// refused naming the cause without it, accepted with a warning under --insecure.
TEST(Walk, HttpsRootWithCacertOrInsecure) {
  const auto& files = testing::tls_files();
  testing::NginxServer server({files.server_cert, files.server_key, {}});
  server.serve("/status/about", R"({"id": "edge", "name": "Edge", "dependencies": []})");
  server.serve("/status/traverse", R"({"id": "edge", "name": "Edge", "dependencies": []})");
  const auto trusted = walk({"--json", "--cacert", files.ca_cert, server.url()});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_THAT(trusted.out, HasSubstr(R"("edge")"));
  const auto untrusted = walk({server.url()});
  EXPECT_EQ(untrusted.exit_code, 3) << untrusted.out;
  EXPECT_THAT(untrusted.out, HasSubstr("certificate verify failed: unable to get local issuer "
                                       "certificate"));
  const auto insecure = walk({"--insecure", server.url()});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.out << insecure.err;
  EXPECT_THAT(insecure.err, HasSubstr("--insecure: certificates are NOT verified"));
}

}  // namespace
}  // namespace healthchecks
