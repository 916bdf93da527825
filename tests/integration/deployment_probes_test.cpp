// docs/deployment.md's probes, as its snippets state them, against a sidecar serving the docs'
// configuration (with stand-in checks) and against an embedded C++ service: Kubernetes, AWS and
// Consul read what the docs say they read, and draining takes an instance out of rotation.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using testing::deployment_file;
using testing::DocSidecar;
using ::testing::HasSubstr;
using testing::http_get;
using testing::kubernetes_probes;
using testing::Probe;
using namespace std::chrono_literals;

DocSidecar::Options with_levels(std::map<std::string, std::string> levels,
                                std::optional<long long> drain_ms = std::nullopt) {
  DocSidecar::Options options;
  options.levels = std::move(levels);
  options.drain_ms = drain_ms;
  return options;
}

// Kubernetes: "Any code greater than or equal to 200 and less than 400 indicates success."
bool kubernetes_passes(unsigned short port, const Probe& probe) {
  const int status = http_get(port, probe.path).status;
  return status >= 200 && status < 400;
}

// What each probe of kubernetes-sidecar.yaml reads, by "kind path".
std::map<std::string, bool> sidecar_probes(unsigned short port) {
  std::map<std::string, bool> passes;
  for (const auto& probe : kubernetes_probes(deployment_file("kubernetes-sidecar.yaml"))) {
    passes[probe.kind + " " + probe.path] = kubernetes_passes(port, probe);
  }
  return passes;
}

constexpr const char* kStartup = "startupProbe /status/aggregate?tag=startup";
constexpr const char* kAppLiveness = "livenessProbe /status/app";
constexpr const char* kLiveness = "livenessProbe /status/am-i-up";
constexpr const char* kReadiness = "readinessProbe /status/aggregate?type=internal";

TEST(Deployment, KubernetesSidecarProbesPointAtTheSidecar) {
  const auto probes = kubernetes_probes(deployment_file("kubernetes-sidecar.yaml"));
  ASSERT_EQ(probes.size(), 4u);
  for (const auto& probe : probes) {
    EXPECT_EQ(probe.port, DocSidecar::documented_port()) << probe.kind << " " << probe.path;
  }
}

TEST(Deployment, KubernetesSidecarProbesJudgeWhatTheDocsSay) {
  using Expected = std::map<std::string, bool>;
  {  // all well
    DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, {});
    EXPECT_EQ(
        sidecar_probes(sidecar.port()),
        (Expected{{kStartup, true}, {kAppLiveness, true}, {kLiveness, true}, {kReadiness, true}}));
  }
  {  // the database the service owns is down: out of rotation, nothing restarted
    DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"db", "CRIT"}}));
    EXPECT_EQ(
        sidecar_probes(sidecar.port()),
        (Expected{{kStartup, true}, {kAppLiveness, true}, {kLiveness, true}, {kReadiness, false}}));
  }
  {  // an external dependency is down: every instance stays in rotation
    DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"payments", "CRIT"}}));
    EXPECT_EQ(
        sidecar_probes(sidecar.port()),
        (Expected{{kStartup, true}, {kAppLiveness, true}, {kLiveness, true}, {kReadiness, true}}));
    EXPECT_EQ(http_get(sidecar.port(), "/status/aggregate").status, 503) << "unlike aggregate";
  }
  {  // a WARN keeps the traffic
    DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"db", "WARN"}}));
    EXPECT_TRUE(sidecar_probes(sidecar.port())[kReadiness]);
  }
  {  // the app does not answer (yet): not started, and restarted if it stays so
    DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"app", "CRIT"}}));
    EXPECT_EQ(
        sidecar_probes(sidecar.port()),
        (Expected{
            {kStartup, false}, {kAppLiveness, false}, {kLiveness, true}, {kReadiness, false}}));
  }
}

TEST(Deployment, SidecarDrainsForDrainMsThenStops) {
  DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({}, 1500));
  auto& process = sidecar.process();
  const auto port = sidecar.port();
  EXPECT_EQ(http_get(port, "/status/aggregate?type=internal").status, 200);
  const auto start = std::chrono::steady_clock::now();
  process.kill(SIGTERM);
  const auto drain = process.read_line();
  ASSERT_TRUE(drain);
  EXPECT_THAT(*drain, HasSubstr("info healthchecks-sidecar: Terminated, draining for 1500 ms: "
                                "aggregate answers 503, am-i-up 200"));
  const auto readiness = http_get(port, "/status/aggregate?type=internal");
  EXPECT_EQ(readiness.status, 503);
  EXPECT_THAT(readiness.body, HasSubstr(R"("description":"Draining","result":"CRIT")"));
  EXPECT_EQ(http_get(port, "/status/am-i-up").status, 200);
  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  EXPECT_EQ(http_get(port, "/status/app").status, 200) << "the app's liveness is untouched";
  EXPECT_EQ(process.read_line().value_or(""), "healthchecks-sidecar: Terminated, stopping");
  EXPECT_EQ(process.wait().value_or(-1), 0);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 1400ms);
  EXPECT_LT(took, 5s);
}

TEST(Deployment, ASecondSignalEndsTheDrainAtOnce) {
  DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, {});  // the docs' 15 s
  auto& process = sidecar.process();
  process.kill(SIGTERM);
  ASSERT_TRUE(process.read_line());  // draining
  EXPECT_EQ(http_get(sidecar.port(), "/status/aggregate").status, 503);
  const auto start = std::chrono::steady_clock::now();
  process.kill(SIGINT);
  EXPECT_EQ(process.read_line().value_or(""), "healthchecks-sidecar: Interrupt, stopping");
  EXPECT_EQ(process.wait().value_or(-1), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Deployment, WithoutDrainMsSigtermStopsAtOnce) {
  DocSidecar sidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({}, 0));
  auto& process = sidecar.process();
  process.kill(SIGTERM);
  EXPECT_EQ(process.read_line().value_or(""), "healthchecks-sidecar: Terminated, stopping");
  EXPECT_EQ(process.wait(2s).value_or(-1), 0);
}

// kubernetes-embedded.yaml, against a C++ service set up as deployment.md's program sets it up.
TEST(Deployment, KubernetesEmbeddedProbes) {
  const auto probes = kubernetes_probes(deployment_file("kubernetes-embedded.yaml"));
  ASSERT_EQ(probes.size(), 3u);
  std::atomic<Level> app{Level::crit}, db{Level::ok}, payments{Level::crit};
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}};
  testing::Service service(options);
  StatusEndpoint app_check("Orders app", "app", [&] { return Status{app.load(), "", ""}; });
  app_check.tags = {"startup"};
  service.serve({app_check,
                 {"DB", "db",
                  [&] {
                    return Status{db.load(), "", ""};
                  }},
                 {"Payments", "payments", StatusEndpoint::Type::external, [&] {
                    return Status{payments.load(), "", ""};
                  }}});
  const auto passes = [&] {
    std::vector<bool> result;
    for (const auto& probe : probes) {
      EXPECT_EQ(probe.port, 8080) << "every probe on the service's own port";
      result.push_back(kubernetes_passes(service.port, probe));
    }
    return result;
  };
  ASSERT_EQ(probes[0].kind, "startupProbe");
  ASSERT_EQ(probes[1].kind, "livenessProbe");
  ASSERT_EQ(probes[2].kind, "readinessProbe");
  EXPECT_EQ(passes(), (std::vector<bool>{false, true, false})) << "the app is not up yet";
  app = Level::ok;
  EXPECT_EQ(passes(), (std::vector<bool>{true, true, true})) << "payments is external";
  db = Level::crit;
  EXPECT_EQ(passes(), (std::vector<bool>{true, true, false}));
  db = Level::ok;
  service.registry.set_ready(false);
  EXPECT_EQ(passes(), (std::vector<bool>{false, true, false})) << "draining";
}

// AWS: the target group's check, path, port and matcher as the snippet states them.
TEST(Deployment, AwsTargetGroupHealthCheck) {
  const auto yaml = deployment_file("aws-target-group.yaml");
  const auto field = [&](const std::string& key) {
    const auto at = yaml.find(key + ": ");
    EXPECT_NE(at, std::string::npos) << key;
    std::string value = yaml.substr(at + key.size() + 2, yaml.find('\n', at) - at - key.size() - 2);
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    return value;
  };
  EXPECT_EQ(std::stoi(field("HealthCheckPort")), DocSidecar::documented_port());
  const std::string path = field("HealthCheckPath");
  const int matcher = std::stoi(field("HttpCode"));
  const auto healthy = [&](const DocSidecar& sidecar) {
    return http_get(sidecar.port(), path).status == matcher;
  };
  EXPECT_TRUE(healthy(DocSidecar(HEALTHCHECKS_SIDECAR_PATH, {})));
  EXPECT_TRUE(healthy(DocSidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"payments", "CRIT"}}))));
  EXPECT_FALSE(healthy(DocSidecar(HEALTHCHECKS_SIDECAR_PATH, with_levels({{"db", "CRIT"}}))));
  DocSidecar draining(HEALTHCHECKS_SIDECAR_PATH, {});
  draining.process().kill(SIGTERM);
  ASSERT_TRUE(draining.process().read_line());
  EXPECT_FALSE(healthy(draining));
}

// Consul: "2xx passing, 429 warning, anything else critical", with the docs' status codes.
TEST(Deployment, ConsulCheckReadsWarnAsWarningAndDrainingAsCritical) {
  const auto check = nlohmann::json::parse(deployment_file("consul-check.json")).at("check");
  const std::string url = check.at("http");
  const std::string authority = "http://127.0.0.1:" + std::to_string(DocSidecar::documented_port());
  ASSERT_EQ(url.rfind(authority, 0), 0u) << url;
  const std::string target = url.substr(authority.size());
  const std::string codes = deployment_file("consul-status-codes.json");
  const auto consul = [&](DocSidecar&& sidecar) -> std::string {
    const int status = http_get(sidecar.port(), target).status;
    return status / 100 == 2 ? "passing" : status == 429 ? "warning" : "critical";
  };
  const auto with = [&](std::map<std::string, std::string> levels) {
    DocSidecar::Options options;
    options.levels = std::move(levels);
    options.overlay_json = codes;
    return DocSidecar(HEALTHCHECKS_SIDECAR_PATH, options);
  };
  EXPECT_EQ(consul(with({})), "passing");
  EXPECT_EQ(consul(with({{"db", "WARN"}})), "warning");
  EXPECT_EQ(consul(with({{"db", "CRIT"}})), "critical");
  EXPECT_EQ(consul(with({{"payments", "CRIT"}})), "passing");
  auto draining = with({});
  draining.process().kill(SIGTERM);
  ASSERT_TRUE(draining.process().read_line());
  EXPECT_EQ(http_get(draining.port(), target).status, 503);
}

}  // namespace
}  // namespace healthchecks
